/** Every alert has an owning team, routable through alerting.routes.teams, and its runbook names the owner and who is notified. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { EnvironmentSpec } from '../../environments/schema';
import { notifiedReceivers } from '../../constructs/observability/prometheus';
import { findAll } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { tempDir } from '../support/cli';
import { ENVIRONMENTS, built, variant } from '../support/environments';
import { run } from '../support/rule-tests';
import { describeWithTool } from '../support/tools';

interface Rule {
  alert: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Output {
  objects: { manifest: unknown }[];
  files: Map<string, string>;
  configs: Map<string, { content: string }>;
}

const alertsOf = (out: Output): Rule[] =>
  (findAll(out.objects.map((o) => o.manifest) as never, 'PrometheusRule') as any[]).flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.filter((x: Rule) => x.alert)));

/** prod, with a receiver per team routed on the team label, and example-api running. */
const withTeamRoutes = (owner?: string) =>
  variant('prod', (s: EnvironmentSpec) => {
    (s.alerting.receivers as unknown[]).push({ name: 'platform-pager', type: 'pagerduty', secretRef: 'pagerduty-routing-key' });
    (s.alerting.routes as { teams: Record<string, string> }).teams = { [owner ?? 'platform']: 'platform-pager', 'api-team': 'slack' };
    if (owner) (s.alerting as { owner: string }).owner = owner;
    (s.apps as Record<string, unknown>)['example-api'] = { replicas: 1, clients: [] };
  });

describe.each(ENVIRONMENTS)('alert owners in %s', (env) => {
  test('every alert carries a team label: the platform\'s for built-in alerts, the application\'s owner for a team\'s own', () => {
    const alerts = alertsOf(built(env).output);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect([a.alert, a.labels.team]).toEqual([a.alert, a.alert.startsWith('ExampleApi') ? 'api-team' : 'platform']);
  });
});

test('alerting.owner names the team of the built-in alerts; a team application keeps its own', () => {
  const out = synthEnvironment(withTeamRoutes('infra'));
  const teams = new Map(alertsOf(out).map((a) => [a.alert, a.labels.team]));
  expect(teams.get('NodeDown')).toBe('infra');
  expect(teams.get('Watchdog')).toBe('infra');
  expect(teams.get('ExampleApiDown')).toBe('api-team');
});

test('a runbook names the owning team and the receivers the environment notifies', () => {
  const runbook = built('prod').output.files.get('runbooks/node-down.md')!;
  expect(runbook).toContain('## Escalation\n\nOwner: team **platform** (label `team="platform"`). Alertmanager notifies `pagerduty`.\n');
  const routed = synthEnvironment(withTeamRoutes()).files.get('runbooks/node-down.md')!;
  expect(routed).toContain('Alertmanager notifies `platform-pager` and `pagerduty`.');
  // dev has no receivers: its runbooks say so rather than name a team that is never told.
  expect(built('dev').output.files.get('runbooks/node-down.md')).toContain('No route of this environment takes it (alerting.routes)');
});

describeWithTool('amtool', 'alert owners routed by Alertmanager', (amtool) => {
  const routesTest = (config: string, labels: Record<string, string>, expected: string[]) => {
    const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    return run(amtool, ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${expected.join(',')}`, ...args]);
  };
  const configFile = (content: string) => {
    const file = path.join(tempDir(), 'alertmanager.yml');
    fs.writeFileSync(file, content);
    return file;
  };

  test.each(ENVIRONMENTS)('in %s every alert reaches exactly the receivers its runbook names', (env) => {
    const { output } = built(env);
    const content = output.configs.get('alertmanager')!.content;
    const file = configFile(content);
    for (const a of alertsOf(output)) {
      const labels = { alertname: a.alert, ...a.labels };
      const expected = notifiedReceivers(parse(content), labels);
      const r = routesTest(file, labels, expected);
      expect([a.alert, r.status, r.output]).toEqual([a.alert, 0, expect.anything()]);
      const runbook = output.files.get(`runbooks/${a.annotations.runbook_url.split('/').pop()}`);
      for (const receiver of expected.filter((x) => x !== 'unrouted')) expect(runbook).toContain(`\`${receiver}\``);
    }
  });

  test('a team route receives every alert of its team, and severity routing still applies', () => {
    const out = synthEnvironment(withTeamRoutes());
    const file = configFile(out.configs.get('alertmanager')!.content);
    for (const a of alertsOf(out)) {
      const team = a.labels.team === 'platform' ? 'platform-pager' : 'slack';
      const severity = a.labels.severity === 'critical' ? ['pagerduty'] : a.labels.severity === 'warning' ? ['slack'] : [];
      const expected = a.alert === 'Watchdog' ? ['deadmansswitch'] : [team, ...severity];
      expect([a.alert, routesTest(file, { alertname: a.alert, ...a.labels }, expected).status]).toEqual([a.alert, 0]);
    }
  });

  test('fails when the team route is missing: amtool finds the alert does not reach the team', () => {
    const file = configFile(built('prod').output.configs.get('alertmanager')!.content);
    const r = routesTest(file, { alertname: 'NodeDown', team: 'platform', severity: 'critical' }, ['platform-pager', 'pagerduty']);
    expect(r.status).toBe(1);
  });
});
