/**
 * example-api, the application of the team's own this repository ships (apps/example-api),
 * registered in gitplane.config.ts and enabled in dev with `apps: {example-api: {replicas: 2}}`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { exampleApi } from '../../apps/example-api';
import { runPolicies } from '../../policies/engine';
import { fromBuilt } from '../../policies/inputs';
import { alertSetsFor } from '../../stacks/apps/monitoring';
import { findOne } from '../../stacks/objects';
import { platformContext } from '../../stacks/platform';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { gitplane, ROOT, tempDir } from '../support/cli';
import { buildEnvironment } from '../../stacks/pipeline';
import { loadSettings } from '../../stacks/settings';
import { built, manifests, variant } from '../support/environments';
import { promtools, run, writeRuleTests } from '../support/rule-tests';
import { describeWithTool } from '../support/tools';
import { testWithMirrors } from '../support/mirrors';

const devObjects = () => manifests('dev');

testWithMirrors(['schemas'], 'dev passes validation with example-api in it', () => {
  expect(built('dev').output.objects.some((o) => o.app === 'example-api')).toBe(true);
  expect(built('dev').problems).toEqual([]);
});

test('dev passes every policy rule with example-api in it', () => {
  const report = runPolicies([fromBuilt(built('dev'))], { today: '2026-11-29' });
  const findings = report.environments[0].findings;
  expect(findings).toEqual([]);
});

test('its Application is in its wave and reads its folder', () => {
  const app = findOne<any>(devObjects(), 'Application', 'dev-example-api');
  expect(exampleApi.wave).toBe(Wave.Services);
  expect(app.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Services));
  expect(app.spec.source.path).toBe('dev/apps/example-api');
  expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'example-api' });
});

test('the AppProject admits it: its project, repository and destination', () => {
  const project = findOne<any>(devObjects(), 'AppProject', 'dev');
  const app = findOne<any>(devObjects(), 'Application', 'dev-example-api');
  expect(app.spec.project).toBe(project.metadata.name);
  expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
  expect(project.spec.destinations).toContainEqual(app.spec.destination);
});

test('its namespace is created in the foundation wave with the restricted Pod Security level', () => {
  const ns = findOne<any>(devObjects(), 'Namespace', 'example-api');
  expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(ns.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Foundation));
});

test('the settings reach the objects: two replicas get a PodDisruptionBudget and spread over nodes', () => {
  const deployment = findOne<any>(devObjects(), 'Deployment', 'example-api');
  expect(deployment.spec.replicas).toBe(2);
  expect(deployment.spec.template.spec.topologySpreadConstraints).toHaveLength(1);
  expect(findOne<any>(devObjects(), 'PodDisruptionBudget', 'example-api').spec.maxUnavailable).toBe(1);
  expect(built('dev').spec.apps['example-api']).toEqual({ replicas: 2, clients: [] });
});

test('Prometheus scrapes it: a ServiceMonitor on the Service port and a NetworkPolicy that lets monitoring in', () => {
  const monitor = findOne<any>(devObjects(), 'ServiceMonitor', 'example-api');
  const service = findOne<any>(devObjects(), 'Service', 'example-api');
  expect(monitor.metadata.namespace).toBe('example-api');
  expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(monitor.spec.endpoints[0].port);
  const policy = findOne<any>(devObjects(), 'NetworkPolicy', 'example-api');
  expect(policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
});

test('its alert is rendered with its runbook', () => {
  const rule = findOne<any>(devObjects(), 'PrometheusRule', 'example-api');
  expect(rule.spec.groups[0].rules[0].annotations.runbook_url).toBe('https://git.example.com/platform/gitops/src/branch/main/dev/runbooks/example-api-down.md');
  expect(built('dev').output.files.get('runbooks/example-api-down.md')).toMatch(/^# ExampleApiDown/m);
});

test('environments that do not list it do not run it', () => {
  expect(manifests('prod').some((m) => m.metadata.namespace === 'example-api' || m.metadata.name === 'prod-example-api')).toBe(false);
});

describe('with its API token from the secret store (tokenRef)', () => {
  const spec = variant('staging', (s) => {
    (s.apps as Record<string, unknown>)['example-api'] = { replicas: 1, clients: [], tokenRef: 'example-api-token' };
    (s.secrets.refs as Record<string, string>)['example-api-token'] = 'staging/example-api/token';
  });
  const b = buildEnvironment(spec, loadSettings());
  const objects = b.output.objects.map((o) => o.manifest);

  testWithMirrors(['schemas'], 'passes validation', () => {
    expect(b.problems).toEqual([]);
  });

  test('reads it through an ExternalSecret into API_TOKEN, before the Deployment, and passes policy', () => {
    const secret = findOne<any>(objects, 'ExternalSecret', 'example-api-token');
    expect(secret.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'staging/example-api/token' } }]);
    expect(secret.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Operators));
    const container = findOne<any>(objects, 'Deployment', 'example-api').spec.template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'example-api-token', key: 'token' } } }]);
    expect(runPolicies([fromBuilt(b)], { today: '2026-11-29' }).environments[0].findings).toEqual([]);
  });

  test('fails when tokenRef names no entry of secrets.refs: exit 2 naming the file, line and field', () => {
    const file = path.join(tempDir(), 'staging.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(path.join(ROOT, 'environments', 'staging.yaml'), 'utf8')}apps:\n  example-api:\n    tokenRef: nope\n`);
    const r = gitplane(['synth', '-f', file, '--out', tempDir()]);
    expect(r.status).toBe(2);
    const line = fs.readFileSync(file, 'utf8').split('\n').indexOf('    tokenRef: nope') + 1;
    expect(r.stderr).toMatch(new RegExp(`${file}:${line}:15: apps\\.example-api\\.tokenRef "nope" names no entry of secrets\\.refs \\(known: .*\\)\\. Add it to secrets\\.refs\\.`));
  });
});

describeWithTool('promtool', 'example-api alert unit test', () => {
  test.each(promtools())('%s: ExampleApiDown fires when the scrape fails and stays silent otherwise', (bin) => {
    const set = alertSetsFor(platformContext(built('dev').spec)).find((s) => s.name === 'example-api')!;
    const groups = parse(built('dev').output.configs.get('prometheus-rules')!.content).groups as { name: string; rules: Record<string, unknown>[] }[];
    const dir = tempDir();
    for (const testFile of writeRuleTests(dir, set, groups.find((g) => g.name === set.name)!)) {
      const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    }
  });
});

describe('settings in the environment file', () => {
  const devText = fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8');
  const withApps = (apps: string) => {
    const file = path.join(tempDir(), 'dev.yaml');
    fs.writeFileSync(file, devText.replace(/^apps:\n(?: {2}.*\n)*/m, apps));
    return file;
  };
  const lineOf = (file: string, text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

  test('fails when a setting is out of range: exit 2 naming the file, line and field', () => {
    const file = withApps('apps:\n  example-api:\n    replicas: 0\n');
    const r = gitplane(['synth', '-f', file, '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(file, 'replicas: 0')}:15: apps.example-api.replicas must be at least 1 (got number 0). Use a value from 1 up.`);
  });

  test('fails when a setting is not one the application takes', () => {
    const file = withApps('apps:\n  example-api:\n    replica: 2\n');
    const r = gitplane(['validate', '-f', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(file, 'replica: 2')}:14: apps.example-api.replica is not a known field (found key "replica"). Did you mean "replicas"? Known fields of apps.example-api: replicas, clients, tokenRef.`);
  });

  test('fails when a setting has the wrong type', () => {
    const file = withApps('apps:\n  example-api:\n    clients: storefront\n');
    const r = gitplane(['synth', '-f', file, '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(file, 'clients: storefront')}:14: apps.example-api.clients must be a list (got string "storefront").`);
  });

  test('fails when apps names an application the project does not register', () => {
    const file = withApps('apps:\n  exmaple-api: {}\n');
    const r = gitplane(['synth', '-f', file, '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${file}:${lineOf(file, 'exmaple-api')}:16: apps.exmaple-api is not an application of this project (found key "exmaple-api"). Did you mean "example-api"? Applications registered in gitplane.config.ts: example-api. Register it there, or remove the entry.`,
    );
  });

  test('fails when tokenRef is set where secrets are not read through external-secrets', () => {
    const file = withApps('apps:\n  example-api:\n    tokenRef: example-api-token\n');
    const r = gitplane(['synth', '-f', file, '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(file, 'tokenRef:')}:15: apps.example-api.tokenRef needs secrets.provider external-secrets (got "none"). Remove tokenRef or read secrets through external-secrets.`);
  });

  test('an empty entry runs the application with every default', () => {
    const file = withApps('apps:\n  example-api:\n');
    const out = tempDir();
    expect(gitplane(['synth', '-f', file, '--out', out]).status).toBe(0);
    const deployment = parse(fs.readFileSync(path.join(out, 'dev', 'apps', 'example-api', 'deployment-example-api.yaml'), 'utf8'));
    expect(deployment.spec.replicas).toBe(1);
    expect(fs.existsSync(path.join(out, 'dev', 'apps', 'example-api', 'poddisruptionbudget-example-api.yaml'))).toBe(false);
  });
});
