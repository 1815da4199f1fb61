import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { alertmanagerConfig, kubePrometheusStackValues } from '../../constructs/observability/prometheus';
import { alertmanagerPropsFor } from '../../stacks/apps/monitoring';
import { findOne } from '../../stacks/objects';
import { loadSettings } from '../../stacks/settings';
import { chartDefaultsFile } from '../../validation';
import { synthEnvironment } from '../../stacks/synth';
import { CliResult, gitplane, tempDir } from '../support/cli';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { run } from '../support/rule-tests';
import { describeWithTool, findTool } from '../support/tools';
import { testWithMirrors } from '../support/mirrors';

/** The chart's values.yaml, from the schema mirror: read when a test needs it. */
const kpsDefaults = () => parse(fs.readFileSync(chartDefaultsFile(loadSettings().helmValuesDirs, 'kube-prometheus-stack', '88.5.3')!, 'utf8'));
const values = (env: string) => parse(built(env).output.files.get('values/observability-prometheus.yaml')!);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Key paths we set that the chart's values.yaml does not have; below an empty map, a list or a scalar anything goes. */
function unknownKeys(ours: Record<string, unknown>, chart: Record<string, unknown>, at = ''): string[] {
  return Object.entries(ours).flatMap(([k, v]) => {
    const where = at ? `${at}.${k}` : k;
    if (!(k in chart)) return [where];
    const theirs = chart[k];
    return isMap(v) && isMap(theirs) && Object.keys(theirs).length > 0 ? unknownKeys(v, theirs, where) : [];
  });
}

/** Helm's merge of user values over chart values: maps merge, everything else replaces. */
function helmMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = helmMerge(base[k], v);
  return out;
}

describe.each(ENVIRONMENTS)('kube-prometheus-stack values of %s', (env) => {
  testWithMirrors(['schemas'], 'every key gitplane sets exists in the chart\'s values.yaml at 88.5.3', () => {
    expect(unknownKeys(values(env), kpsDefaults())).toEqual([]);
  });

  testWithMirrors(['schemas'], 'the deployed alertmanager.yml is exactly the rendered one: the chart\'s default config adds nothing', () => {
    const merged = helmMerge(kpsDefaults().alertmanager.config, values(env).alertmanager.config);
    expect(merged).toEqual(parse(built(env).output.configs.get('alertmanager')!.content));
  });

  test('Prometheus takes remote write, OTLP and exemplars, and selects every rule and monitor', () => {
    const p = values(env).prometheus.prometheusSpec;
    expect(p).toMatchObject({ enableRemoteWriteReceiver: true, enableOTLPReceiver: true, enableFeatures: ['exemplar-storage'], ruleSelectorNilUsesHelmValues: false, serviceMonitorSelectorNilUsesHelmValues: false });
    expect(p.ruleSelector).toBeUndefined();
    expect(values(env).fullnameOverride).toBe('kps');
  });
});

test('retention, storage and replicas come from the spec', () => {
  expect(values('prod').prometheus.prometheusSpec).toMatchObject({ retention: '30d', replicas: 2, storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '200Gi' } } } } } });
});

test('kubeadm scrapes etcd on 2381 and scheduler and controller-manager over https; k3s scrapes none of them', () => {
  const prod = values('prod');
  expect(prod.kubeEtcd).toMatchObject({ enabled: true, service: { port: 2381, targetPort: 2381 } });
  expect(prod.kubeScheduler).toMatchObject({ enabled: true, service: { port: 10259 }, serviceMonitor: { https: true } });
  expect(prod.kubeControllerManager).toMatchObject({ enabled: true, service: { port: 10257 }, serviceMonitor: { https: true } });
  const dev = values('dev');
  expect([dev.kubeEtcd.enabled, dev.kubeScheduler.enabled, dev.kubeControllerManager.enabled]).toEqual([false, false, false]);
});

testWithMirrors(['schemas'], 'the helper that checks value keys reports a misspelt key', () => {
  const v = kubePrometheusStackValues({ distribution: 'k3s', retention: '1d', storageSize: '1Gi', replicas: 1, alertmanagerConfig: {}, alertmanagerSecrets: [], grafanaAdminSecret: 'grafana-admin' });
  (v.prometheus as any).prometheusSpec.retentionn = '1d';
  expect(unknownKeys(v, kpsDefaults())).toEqual(['prometheus.prometheusSpec.retentionn']);
});

test('receiver credentials come from an ExternalSecret mounted into Alertmanager, never from literals', () => {
  const es = findOne(manifests('prod'), 'ExternalSecret', 'alertmanager-receivers') as any;
  expect(es.metadata.namespace).toBe('monitoring');
  expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
  expect(es.spec.data).toEqual([
    { secretKey: 'deadmansswitch-token', remoteRef: { key: 'prod/alertmanager/deadmansswitch-token' } },
    { secretKey: 'pagerduty-routing-key', remoteRef: { key: 'prod/alertmanager/pagerduty-routing-key' } },
    { secretKey: 'slack-webhook', remoteRef: { key: 'prod/alertmanager/slack-webhook' } },
  ]);
  expect(values('prod').alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers']);
  const config = built('prod').output.configs.get('alertmanager')!.content;
  expect(config).toContain('routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key');
  expect(config).toContain('api_url_file: /etc/alertmanager/secrets/alertmanager-receivers/slack-webhook');
  expect(config).not.toMatch(/routing_key:|api_url:|hooks\.slack\.com/);
});

test('inhibit rules: critical silences the warnings about the same thing; NodeDown silences everything on its node', () => {
  const c = parse(built('prod').output.configs.get('alertmanager')!.content);
  expect(c.inhibit_rules).toEqual([
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['environment', 'cluster', 'namespace', 'service', 'instance'] },
    { source_matchers: ['alertname="NodeDown"'], target_matchers: ['alertname!="NodeDown"'], equal: ['environment', 'cluster', 'node'] },
  ]);
  expect(c.route).toMatchObject({ group_wait: '30s', group_interval: '5m', repeat_interval: '2h', group_by: ['alertname', 'namespace', 'node'] });
});

test('critical alerts have their own, faster timings; warnings keep the root\'s', () => {
  const c = parse(built('prod').output.configs.get('alertmanager')!.content);
  const bySeverity = (severity: string) => c.route.routes.find((r: { matchers: string[] }) => r.matchers.includes(`severity="${severity}"`));
  expect(bySeverity('critical')).toMatchObject({ receiver: 'pagerduty', group_wait: '10s', group_interval: '1m', repeat_interval: '1h' });
  expect(bySeverity('warning').group_wait).toBeUndefined();
});

test('Prometheus labels every series and alert with the environment and cluster', () => {
  expect(values('staging').prometheus.prometheusSpec.externalLabels).toEqual({ environment: 'staging', cluster: 'staging-eu1' });
});

test('notifications use gitplane\'s templates, mounted beside alertmanager.yml, and silence links open the external URL', () => {
  const v = values('prod');
  expect(v.alertmanager.config.templates).toEqual(['/etc/alertmanager/config/*.tmpl']);
  expect(Object.keys(v.alertmanager.templateFiles)).toEqual(['gitplane.tmpl']);
  expect(v.alertmanager.templateFiles['gitplane.tmpl']).toBe(built('prod').output.configs.get('alertmanager-templates')!.content);
  expect(v.alertmanager.alertmanagerSpec.externalUrl).toBe('https://alertmanager.prod.example.com');
});

test.each([
  ['the Watchdog goes to a receiver that notifies people', (s: any) => (s.alerting.routes.watchdog = 'slack'), /alerting.routes.watchdog names receiver "slack", a slack receiver that reaches people/],
  ['a route names an unknown receiver', (s: any) => (s.alerting.routes.critical = 'nosuch'), /alerting.routes.critical names receiver "nosuch"/],
  ['a receiver\'s secretRef is not in secrets.refs', (s: any) => (s.alerting.receivers[0].secretRef = 'missing'), /alerting.receivers\[0\].secretRef "missing"/],
  ['a webhook receiver has no url', (s: any) => delete s.alerting.receivers[2].url, /webhook without url/],
  ['receivers exist but no secret provider', (s: any) => (s.secrets.provider = 'none'), /secrets.provider is "none"/],
])('synth fails when %s, naming the file and field', (_, change, message) => {
  expect(() => synthEnvironment(variant('prod', change))).toThrow(message);
  expect(() => alertmanagerPropsFor(variant('prod', change))).toThrow(/^environments\/prod.yaml: /);
});

describeWithTool('amtool', 'Alertmanager configuration checked by amtool', (amtool) => {
  const amtools = [...new Set([findTool('amtool')!, '/usr/bin/amtool'])].filter((p) => fs.existsSync(p));
  // One `gitplane config` process per environment; every amtool checks what it printed.
  const printed = new Map<string, CliResult>();
  const printedConfig = (env: string) => printed.get(env) ?? printed.set(env, gitplane(['config', 'alertmanager', '--env', env])).get(env)!;

  describe.each(amtools)('%s', (bin) => {
    test.each(ENVIRONMENTS)('gitplane config alertmanager --env %s passes amtool check-config', (env) => {
      const r = printedConfig(env);
      expect(r.status).toBe(0);
      const file = path.join(tempDir(), 'alertmanager.yml');
      fs.writeFileSync(file, r.stdout);
      const check = run(bin, ['check-config', file]);
      expect(check.output).toContain('SUCCESS');
      expect(check.status).toBe(0);
    });

    test.each([
      ['a critical alert', ['alertname=NodeDown', 'severity=critical'], 'pagerduty'],
      ['a warning', ['alertname=NodeHighCpu', 'severity=warning'], 'slack'],
      ['the Watchdog', ['alertname=Watchdog', 'severity=info'], 'deadmansswitch'],
      ['an info alert (dropped)', ['alertname=Something', 'severity=info'], 'unrouted'],
    ])('in prod %s reaches the receiver the spec says', (_, labels, receiver) => {
      const file = path.join(tempDir(), 'alertmanager.yml');
      fs.writeFileSync(file, built('prod').output.configs.get('alertmanager')!.content);
      const r = run(bin, ['config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receiver}`, ...labels]);
      expect(r.output.split('\n').map((l) => l.trim())).toContain(receiver);
      expect(r.status).toBe(0);
    });

    test('a team route copies the alert to the team and still pages on severity', () => {
      const spec = variant('prod', (s) => {
        (s.alerting.routes as any).teams = { shop: 'slack' };
      });
      const file = path.join(tempDir(), 'alertmanager.yml');
      fs.writeFileSync(file, JSON.stringify(alertmanagerConfig(alertmanagerPropsFor(spec))));
      const r = run(bin, ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=slack,pagerduty', 'team=shop', 'severity=critical']);
      expect(r.status).toBe(0);
    });

    test('fails when a route names an unknown receiver', () => {
      const config = parse(built('prod').output.configs.get('alertmanager')!.content);
      config.route.routes[1].receiver = 'nosuch';
      const file = path.join(tempDir(), 'alertmanager.yml');
      fs.writeFileSync(file, JSON.stringify(config));
      const r = run(bin, ['check-config', file]);
      expect(r.status).toBe(1);
      expect(r.output).toContain('undefined receiver "nosuch"');
    });

    test('fails when routing does not reach the expected receiver', () => {
      const file = path.join(tempDir(), 'alertmanager.yml');
      fs.writeFileSync(file, built('prod').output.configs.get('alertmanager')!.content);
      const r = run(bin, ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=pagerduty', 'severity=warning']);
      expect(r.status).toBe(1);
    });
  });
  void amtool;
});

const nodeExporterArgs = (): string[] => values('prod')['prometheus-node-exporter'].extraArgs;

testWithMirrors(['schemas'], 'node-exporter keeps the chart\'s default arguments before its own', () => {
  const defaults = kpsDefaults()['prometheus-node-exporter'].extraArgs;
  expect(nodeExporterArgs().slice(0, defaults.length)).toEqual(defaults);
});

test('node-exporter serves the preflight\'s textfile metrics through its host-root mount', () => {
  expect(nodeExporterArgs()).toContain('--collector.textfile.directory=/host/root/var/lib/node-exporter/textfile');
  const without = synthEnvironment(variant('prod', (s) => (s.components.preflight.enabled = false)));
  expect(without.files.get('values/observability-prometheus.yaml')).not.toContain('collector.textfile');
});
