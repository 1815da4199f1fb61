import { App, Chart, Testing } from 'cdk8s';
import { PrometheusRule } from '../../imports/monitoring.coreos.com';
import { Alert, AlertProps, AlertRuleGroup, InlineRunbook, RecordingRule, alertSlug, maxCronGapSeconds } from '../../constructs/observability/alerts';
import { OutputFile } from '../../constructs/core';
import { findAll, findOne } from '../../stacks/objects';
import { ENVIRONMENTS, built, manifests } from '../support/environments';

const runbook: InlineRunbook = {
  tldr: 'Something broke; do the first thing.',
  mitigation: ['Restart it.'],
  impact: 'Users wait.',
  diagnosis: { queries: ['up == 0'] },
  escalation: 'Call the platform lead.',
};
const valid: AlertProps = {
  name: 'ThingDown',
  expr: 'up{job="thing"} == 0',
  for: '5m',
  severity: 'critical',
  summary: 'Thing is down.',
  description: 'Thing {{ $labels.instance }} is down.',
  runbook,
  labels: { team: 'platform' },
  runbookBaseUrl: 'https://git.example.com/runbooks',
  notifies: ['pagerduty'],
};
const build = (props: Record<string, unknown>) => new Alert(new Chart(new App(), 'c'), 'a', { ...valid, ...props } as AlertProps);

describe('Alert', () => {
  test('renders its inline runbook to runbooks/<slug>.md, TL;DR first, and points runbook_url at it', () => {
    const alert = build({});
    const file = alert.node.findAll().find((c): c is OutputFile => c instanceof OutputFile)!;
    expect(file.path).toBe('runbooks/thing-down.md');
    const sections = ['## TL;DR', '## Mitigation (under five minutes)', '## Impact', '## Diagnosis', '## Escalation'].map((h) => file.content.indexOf(h));
    expect(sections.every((i) => i > 0)).toBe(true);
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
    expect(file.content).toContain('```promql\nup == 0\n```');
    expect(alert.rule.annotations.runbook_url).toBe('https://git.example.com/runbooks/thing-down.md');
    expect(alert.rule).toMatchObject({ alert: 'ThingDown', for: '5m', labels: { severity: 'critical', team: 'platform' } });
  });

  test('its runbook shows the labels and value its templates print as placeholders, and says the notification fills them in', () => {
    const page = (props: Partial<AlertProps>) => build(props).node.findAll().find((c): c is OutputFile => c instanceof OutputFile)!.content;
    const content = page({ summary: 'Thing {{ $labels.instance }} is down.', description: 'Thing {{$labels.instance}} of {{ $labels.job | toUpper }} is at {{ $value | humanizePercentage }}.' });
    expect(content).toContain('Severity: **critical**. Thing `<instance>` is down.\n');
    expect(content).toContain('The alert says: Thing `<instance>` of `<job>` is at `<value>`. (The notification fills in each `<name>` from the alert\'s labels and value.)\n');
    expect(content).not.toContain('{{');
    expect(page({ description: 'Thing is down.' })).toContain('The alert says: Thing is down.\n');
  });

  test('its runbook\'s escalation names the owning team and the receivers notified, or says that none is', () => {
    const escalation = (alert: Alert) => {
      const content = alert.node.findAll().find((c): c is OutputFile => c instanceof OutputFile)!.content;
      return content.slice(content.indexOf('## Escalation'));
    };
    expect(escalation(build({ notifies: ['shop-pager', 'pagerduty', 'pagerduty'] }))).toBe(
      '## Escalation\n\nOwner: team **platform** (label `team="platform"`). Alertmanager notifies `shop-pager` and `pagerduty`.\n\nCall the platform lead.\n',
    );
    expect(escalation(build({ notifies: [] }))).toContain('No route of this environment takes it (alerting.routes)');
  });

  test('takes the https URL of a runbook kept elsewhere and writes no file', () => {
    const alert = build({ runbook: 'https://wiki.example.com/thing' });
    expect(alert.rule.annotations.runbook_url).toBe('https://wiki.example.com/thing');
    expect(alert.node.findAll().some((c) => c instanceof OutputFile)).toBe(false);
  });

  test('accepts no for when a reason is given', () => {
    expect(build({ for: undefined, noForReason: 'A dead man\'s switch fires at once.' }).rule.for).toBeUndefined();
  });

  test.each([
    ['there is no runbook', { runbook: undefined }, /runbook is missing/],
    ['the runbook URL is not https', { runbook: 'http://wiki.example.com/x' }, /runbook must be an https URL/],
    ['the inline runbook has no TL;DR', { runbook: { ...runbook, tldr: ' ' } }, /runbook.tldr is empty/],
    ['the inline runbook has no mitigation', { runbook: { ...runbook, mitigation: [] } }, /runbook.mitigation/],
    ['the inline runbook has no impact', { runbook: { ...runbook, impact: '' } }, /runbook.impact is empty/],
    ['the inline runbook has no queries', { runbook: { ...runbook, diagnosis: { queries: [] } } }, /runbook.diagnosis.queries/],
    ['the inline runbook has no escalation', { runbook: { ...runbook, escalation: '' } }, /runbook.escalation is empty/],
    ['the severity is not in the closed set', { severity: 'page' }, /severity must be one of critical, warning, info \(got "page"\)/],
    ['the summary is empty', { summary: '' }, /summary is empty/],
    ['the description is empty', { description: '' }, /description is empty/],
    ['for is missing and no reason is given', { for: undefined }, /for is missing/],
    ['both for and noForReason are given', { noForReason: 'because' }, /either for or noForReason/],
    ['for is not a duration', { for: 'five minutes' }, /for must be a Prometheus duration/],
    ['the name is not UpperCamelCase', { name: 'thing-down' }, /UpperCamelCase/],
    ['the expression is empty', { expr: '' }, /expr is empty/],
    ['labels try to set severity', { labels: { team: 'platform', severity: 'info' } }, /labels.severity/],
    ['no team owns it', { labels: {} }, /labels.team must name the team that owns the alert, a label value such as platform \(got null\)/],
    ['the team is not a label value', { labels: { team: 'shop team' } }, /labels.team must name the team .* \(got "shop team"\)/],
    ['inline runbooks have no https base URL', { runbookBaseUrl: 'file:///tmp' }, /runbookBaseUrl must be an https URL/],
  ])('fails when %s', (_, change, message) => {
    expect(() => build(change)).toThrow(message);
  });
});

describe('RecordingRule', () => {
  test('accepts level:metric:operations names', () => {
    const r = new RecordingRule(new Chart(new App(), 'c'), 'r', { record: 'instance:node_cpu_utilisation:rate5m', expr: 'x' });
    expect(r.rule.record).toBe('instance:node_cpu_utilisation:rate5m');
  });
  test.each(['node_cpu_utilisation', 'instance:node_cpu', 'a:b:c:d', 'instance:node-cpu:rate5m'])('fails when the name is %s', (record) => {
    expect(() => new RecordingRule(new Chart(new App(), 'c'), 'r', { record, expr: 'x' })).toThrow(/level:metric:operations/);
  });
  test('fails when the expression is empty', () => {
    expect(() => new RecordingRule(new Chart(new App(), 'c'), 'r', { record: 'a:b:c', expr: ' ' })).toThrow(/expr is empty/);
  });
});

describe('AlertRuleGroup', () => {
  const group = (alerts: AlertProps[]) =>
    new AlertRuleGroup(new Chart(new App(), 'c'), 'g', { name: 'g', namespace: 'monitoring', app: { name: 'p', instance: 'p-x', component: 'o' }, runbookBaseUrl: valid.runbookBaseUrl, alerts, notifies: () => [] });
  test('fails when an alert name appears twice', () => expect(() => group([valid, valid])).toThrow(/defined twice/));
  test('fails when it has no rules', () => expect(() => group([])).toThrow(/no rules/));
  test('is a PrometheusRule of the class generated from the CRD, holding the group as rulefmt has it', () => {
    const g = group([valid]);
    expect(g.node.defaultChild).toBeInstanceOf(PrometheusRule);
    const [object] = Testing.synth(g.node.scope as Chart) as any[];
    expect(object.spec.groups).toEqual([g.group]);
  });
});

test('alert slugs are kebab-case', () => {
  expect(alertSlug('EtcdDatabaseNearQuota')).toBe('etcd-database-near-quota');
  expect(alertSlug('KubePodCrashLooping')).toBe('kube-pod-crash-looping');
});

test('the longest gap of a cron schedule', () => {
  expect(maxCronGapSeconds('0 */6 * * *')).toBe(6 * 3600);
  expect(maxCronGapSeconds('30 3 * * 0')).toBe(7 * 86400);
  expect(maxCronGapSeconds('@daily')).toBe(86400);
  expect(() => maxCronGapSeconds('0 25 * * *')).toThrow(/out of range/);
  expect(() => maxCronGapSeconds('0 25 * * *')).toThrow(/out of range/);
  // Hours and minutes listed out of order (02:15, 02:45, 20:15, 20:45), asked twice: the same gap, 20:45 to 02:15.
  expect([maxCronGapSeconds('45,15 20,2 * * *'), maxCronGapSeconds('45,15 20,2 * * *')]).toEqual([17.5 * 3600, 17.5 * 3600]);
});

describe.each(ENVIRONMENTS)('alerts of %s', (env) => {
  const rules = () => findAll(manifests(env), 'PrometheusRule') as any[];
  const alerts = () => rules().flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert)));

  test('every alert has severity, summary, description and a runbook_url that is https and resolves to a runbook file', () => {
    const spec = built(env).spec;
    const files = built(env).output.files;
    expect(alerts().length).toBeGreaterThan(0);
    for (const a of alerts()) {
      expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
      expect(a.annotations.summary).toBeTruthy();
      expect(a.annotations.description).toBeTruthy();
      expect(a.annotations.runbook_url).toMatch(/^https:\/\//);
      if (a.annotations.runbook_url.startsWith(spec.gitops.runbookBaseUrl)) {
        expect(files.has(`runbooks/${a.annotations.runbook_url.slice(spec.gitops.runbookBaseUrl.length + 1)}`)).toBe(true);
      }
    }
  });

  test('PrometheusRules are custom resources: wave 10, dry run skipped until the CRD exists, standard labels', () => {
    for (const r of rules()) {
      expect(r.metadata.namespace).toBe('monitoring');
      expect(r.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-wave': '10', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
      expect(r.metadata.labels['app.kubernetes.io/part-of']).toBe('gitplane-platform');
    }
  });
});

test('prod ships at least 40 alerts across the components, and its recording rules in two levels', () => {
  const rules = findAll(manifests('prod'), 'PrometheusRule') as any[];
  const names = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert).map((x: any) => x.alert)));
  expect(names.length).toBeGreaterThanOrEqual(40);
  expect(rules.map((r) => r.metadata.name).sort()).toEqual(
    ['gitplane-argocd', 'gitplane-etcd', 'gitplane-loki', 'gitplane-longhorn', 'gitplane-monitoring', 'gitplane-nats', 'gitplane-node-preflight', 'gitplane-nodes', 'gitplane-otel-collector', 'gitplane-records-level1', 'gitplane-records-level2', 'gitplane-services', 'gitplane-tempo', 'gitplane-watchdog', 'gitplane-workloads'],
  );
});

test('etcd alerts ship only on kubeadm, and the backup age follows the backup schedule', () => {
  expect(findAll(manifests('dev'), 'PrometheusRule').map((r) => r.metadata.name)).not.toContain('gitplane-etcd');
  const etcd = findOne(manifests('prod'), 'PrometheusRule', 'gitplane-etcd') as any;
  const tooOld = etcd.spec.groups[0].rules.find((r: any) => r.alert === 'EtcdBackupTooOld');
  // "0 */6 * * *": twice six hours.
  expect(tooOld.expr).toBe('time() - kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="etcd-backup",cronjob="etcd-backup"} > 43200');
});
