/**
 * What the person paged reads: every receiver type's notification rendered by amtool from
 * gitplane's templates, and a real Alertmanager process fed alerts over its v2 API, delivering to
 * receivers on loopback (inhibition, the Watchdog's route, the rendered Slack message).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { EnvironmentSpec } from '../../environments/schema';
import { alertmanagerConfig, alertmanagerTemplate, CRITICAL_TIMINGS, NOTIFICATION_TEMPLATE_FILE, ReceiverType } from '../../constructs/observability/prometheus';
import { alertmanagerPropsFor } from '../../stacks/apps/monitoring';
import { tempDir } from '../support/cli';
import { variant } from '../support/environments';
import { run } from '../support/rule-tests';
import { accepts, until } from '../support/loopback';
import { Server, startOnFreePorts, stopProcess } from '../support/servers';
import { describeWithTool, findTool } from '../support/tools';

const SILENCES = 'https://alertmanager.prod.example.com/#/silences/new?filter=';
const GRAFANA = 'https://grafana.prod.example.com/d/gitplane-on-call?';

/** prod with one receiver of every type, all routed, as the templates must serve each. */
const everyType = variant('prod', (s) => {
  const a = s.alerting as { receivers: unknown[] };
  a.receivers.push(
    { name: 'mail', type: 'email', secretRef: 'slack-webhook', to: 'oncall@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
    { name: 'opsgenie', type: 'opsgenie', secretRef: 'slack-webhook' },
  );
});

/** The receiver fields Alertmanager renders with templates, per receiver type. */
function templatedFields(spec: EnvironmentSpec): Map<ReceiverType, string[]> {
  const config = alertmanagerConfig(alertmanagerPropsFor(spec)) as { receivers: Record<string, unknown>[] };
  const fields = new Map<ReceiverType, string[]>();
  const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
  for (const r of config.receivers) {
    for (const [key, value] of Object.entries(r)) {
      if (!key.endsWith('_configs')) continue;
      const type = key.slice(0, -'_configs'.length) as ReceiverType;
      fields.set(type, strings(value).filter((s) => s.includes('{{')));
    }
  }
  return fields;
}

/** Two firing alerts of one group and one resolved, as Alertmanager hands them to templates. */
const SAMPLE = {
  receiver: 'any',
  status: 'firing',
  externalURL: 'https://alertmanager.prod.example.com',
  groupLabels: { alertname: 'NatsJetStreamDown', namespace: 'nats' },
  commonLabels: { alertname: 'NatsJetStreamDown', severity: 'critical', environment: 'prod', cluster: 'prod-eu-1' },
  commonAnnotations: { runbook_url: 'https://git.example.com/platform/gitops/src/branch/main/prod/runbooks/nats-jet-stream-down.md' },
  alerts: ['nats-0', 'nats-1', 'nats-2'].map((pod, i) => ({
    status: i < 2 ? 'firing' : 'resolved',
    labels: { alertname: 'NatsJetStreamDown', severity: 'critical', environment: 'prod', cluster: 'prod-eu-1', site: 'eu-1', namespace: 'nats', instance: `${pod}:7777`, team: 'platform' },
    annotations: {
      summary: `JetStream is down on ${pod}`,
      description: `${pod} stopped serving JetStream; streams with replicas there lose their quorum.`,
      runbook_url: 'https://git.example.com/platform/gitops/src/branch/main/prod/runbooks/nats-jet-stream-down.md',
    },
    startsAt: '2026-11-29T03:00:00Z',
    endsAt: i < 2 ? '0001-01-01T00:00:00Z' : '2026-11-29T03:20:00Z',
    generatorURL: 'https://prometheus.prod.example.com/graph?g0.expr=nats_up',
    fingerprint: `f${i}`,
  })),
};

describeWithTool('amtool', 'notifications rendered by amtool template render', () => {
  const amtools = [...new Set([findTool('amtool')!, '/usr/bin/amtool'])].filter((p) => fs.existsSync(p));
  const dir = tempDir();
  const templateGlob = path.join(dir, NOTIFICATION_TEMPLATE_FILE);
  fs.writeFileSync(templateGlob, alertmanagerTemplate(alertmanagerPropsFor(everyType)));
  const data = path.join(dir, 'alerts.json');
  fs.writeFileSync(data, JSON.stringify(SAMPLE));
  const fields = templatedFields(everyType);

  test('every receiver type but the webhook (which posts the alerts as JSON) renders through the templates', () => {
    expect([...fields].filter(([, f]) => f.length > 0).map(([type]) => type).sort()).toEqual(['email', 'opsgenie', 'pagerduty', 'slack']);
    expect(fields.get('webhook')).toEqual([]);
  });

  describe.each(amtools)('%s', (amtool) => {
    const render = (text: string, type = 'text') => run(amtool, ['template', 'render', `--template.glob=${templateGlob}`, `--template.text=${text}`, `--template.data=${data}`, `--template.type=${type}`]);

    test.each(['slack', 'pagerduty', 'opsgenie', 'email'] as ReceiverType[])('%s notifications name the alert, severity, environment, cluster and site, and links the runbook, dashboard and silence', (type) => {
      const outputs = fields.get(type)!.map((f) => {
        const r = render(f, type === 'email' && f.includes('html') ? 'html' : 'text');
        expect(r.status).toBe(0);
        return r.output;
      });
      const all = outputs.join('\n');
      for (const alert of SAMPLE.alerts.slice(0, 2)) {
        expect(all).toContain(alert.annotations.summary);
        expect(all).toContain(alert.annotations.description);
        expect(all).toContain(`instance ${alert.labels.instance}`);
      }
      expect(all).toContain('CRITICAL');
      expect(all).toContain('environment prod, cluster prod-eu-1, site eu-1, namespace nats');
      expect(all).toContain('Owner: team platform');
      expect(all).toContain(`Runbook: ${SAMPLE.commonAnnotations.runbook_url}`);
      expect(all).toContain(`${GRAFANA}from=now-1h`);
      expect(all).toContain(`${SILENCES}%7Balertname%3D%22NatsJetStreamDown%22%2Cnamespace%3D%22nats%22%7D`);
      expect(all).toContain('Resolved:\n- JetStream is down on nats-2');
      // The title: status and count of firing alerts first, for a phone's lock screen.
      expect(outputs[0].split('\n')[0]).toBe('[FIRING:2] CRITICAL NatsJetStreamDown in prod/prod-eu-1');
    });

    test('fails when a template is missing: amtool reports it, so a typo cannot ship', () => {
      const r = render('{{ template "gitplane.nosuch" . }}');
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/template "gitplane\.nosuch" not defined|no such template "gitplane\.nosuch"/);
    });
  });
});

/** A loopback server that records every notification Alertmanager delivers, by path. */
async function receiverServer(): Promise<{ url: string; received: { path: string; body: string }[]; close: () => void }> {
  const received: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() };
}

const alertmanagerBin = findTool('alertmanager') ?? findTool('prometheus-alertmanager');
(alertmanagerBin ? describe : process.env.GITPLANE_REQUIRE_TOOLS === '1' ? describe : describe.skip)('a real Alertmanager with prod\'s configuration', () => {
  let am: Server | undefined;
  let api: string;
  let receivers: Awaited<ReturnType<typeof receiverServer>>;

  beforeAll(async () => {
    if (!alertmanagerBin) throw new Error('alertmanager is not installed; run "bash tools/install.sh amtool" or apt-get install prometheus-alertmanager.');
    receivers = await receiverServer();
    const dir = tempDir();
    const secrets = path.join(dir, 'secrets');
    fs.mkdirSync(secrets);
    // Obviously fake credentials; the Slack "webhook URL" is the loopback receiver.
    fs.writeFileSync(path.join(secrets, 'slack-webhook'), `${receivers.url}/slack`);
    fs.writeFileSync(path.join(secrets, 'pagerduty-routing-key'), 'gitplane-test-fake-routing-key');
    fs.writeFileSync(path.join(secrets, 'deadmansswitch-token'), 'gitplane-test-fake-token');
    const prod = variant('prod', () => undefined);
    const config = alertmanagerConfig({ ...alertmanagerPropsFor(prod), secretDir: secrets }) as Record<string, any>;
    // Only the addresses change: PagerDuty's API and the dead man's switch move to loopback.
    config.global.pagerduty_url = `${receivers.url}/pagerduty`;
    config.receivers.find((r: { name: string }) => r.name === 'deadmansswitch').webhook_configs[0].url = `${receivers.url}/deadmansswitch`;
    config.templates = [path.join(dir, '*.tmpl')];
    fs.writeFileSync(path.join(dir, NOTIFICATION_TEMPLATE_FILE), alertmanagerTemplate(alertmanagerPropsFor(prod)));
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), stringify(config));
    const started = await startOnFreePorts(
      dir,
      1,
      ([port]) => [
        {
          name: 'alertmanager',
          bin: alertmanagerBin,
          args: [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--web.external-url=https://alertmanager.prod.example.com'],
        },
      ],
      ([port]) => accepts(`http://127.0.0.1:${port}/api/v2/status`),
    );
    am = started.servers[0];
    api = `http://127.0.0.1:${started.ports[0]}/api/v2`;
    const alert = (alertname: string, severity: string, labels: Record<string, string> = {}) => ({
      labels: { alertname, severity, environment: 'prod', cluster: 'prod-eu-1', ...labels },
      annotations: { summary: `${alertname} summary`, description: `${alertname} description`, runbook_url: `https://git.example.com/runbooks/${alertname}.md` },
      startsAt: new Date().toISOString(),
    });
    const post = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('Watchdog', 'none'),
        alert('NatsJetStreamDown', 'critical', { namespace: 'nats', instance: 'nats-0:7777' }),
        alert('NatsSlowConsumers', 'warning', { namespace: 'nats', instance: 'nats-0:7777' }),
        alert('NatsSlowConsumers', 'warning', { namespace: 'nats', instance: 'nats-1:7777' }),
      ]),
    });
    expect(post.status).toBe(200);
  });

  afterAll(async () => {
    if (am) await stopProcess(am.process);
    receivers?.close();
  });

  const alertsNamed = async (name: string) => ((await (await fetch(`${api}/alerts`)).json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]).filter((a) => a.labels.alertname === name);

  test('a warning is suppressed while a critical alert fires for the same instance, and not for another instance', async () => {
    const warnings = await until('the inhibition to be evaluated', async () => {
      const found = await alertsNamed('NatsSlowConsumers');
      return found.length === 2 && found.some((a) => a.status.state === 'suppressed') ? found : undefined;
    });
    const byInstance = Object.fromEntries(warnings.map((a) => [a.labels.instance, a.status]));
    expect(byInstance['nats-0:7777'].state).toBe('suppressed');
    expect(byInstance['nats-0:7777'].inhibitedBy).toHaveLength(1);
    expect(byInstance['nats-1:7777']).toEqual(expect.objectContaining({ state: 'active', inhibitedBy: [] }));
  });

  test('the Watchdog reaches the dead man\'s switch and no receiver that notifies people', async () => {
    await until('the Watchdog at the dead man\'s switch', () => receivers.received.find((r) => r.path === '/deadmansswitch' && r.body.includes('"Watchdog"')));
    // The critical route waits CRITICAL_TIMINGS.group_wait before its first notification: once
    // PagerDuty has it, every human receiver has had its chance to get the Watchdog too.
    expect(CRITICAL_TIMINGS.group_wait).toBe('10s');
    await until('the critical alert at PagerDuty', () => receivers.received.find((r) => r.path.startsWith('/pagerduty')));
    const human = receivers.received.filter((r) => !r.path.startsWith('/deadmansswitch'));
    expect(human.filter((r) => r.body.includes('Watchdog'))).toEqual([]);
  });

  test('PagerDuty gets the critical alert with its summary, environment, cluster and runbook', async () => {
    const page = await until('the page', () => receivers.received.find((r) => r.path.startsWith('/pagerduty')));
    const event = JSON.parse(page.body);
    expect(event.payload.summary).toBe('[FIRING:1] CRITICAL NatsJetStreamDown in prod/prod-eu-1');
    expect(event.payload.severity).toBe('critical');
    expect(event.payload.custom_details).toMatchObject({ environment: 'prod', cluster: 'prod-eu-1', runbook: 'https://git.example.com/runbooks/NatsJetStreamDown.md' });
    expect(event.payload.custom_details.firing).toContain('NatsJetStreamDown description');
    expect(event.payload.custom_details.silence).toContain('https://alertmanager.prod.example.com/#/silences/new?filter=');
  });
});
