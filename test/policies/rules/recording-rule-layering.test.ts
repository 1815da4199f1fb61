import { stringify } from 'yaml';
import { fromBuilt } from '../../../policies/inputs';
import { metricNames } from '../../../policies/lib/promql';
import { built, ENVIRONMENTS } from '../../support/environments';
import { check, env, messages, obj } from '../support';

type Rule = { record: string; expr: string };
type Group = { name: string; interval?: string; rules: Rule[] };

const LEVEL1: Group = {
  name: 'demo-records-level1',
  rules: [
    { record: 'service:http_requests:rate5m', expr: 'sum by (service) (rate(http_requests_total[5m]))' },
    { record: 'service:http_errors:rate5m', expr: 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))' },
  ],
};
const LEVEL2: Group = { name: 'demo-records-level2', rules: [{ record: 'service:http_errors:ratio_rate5m', expr: 'service:http_errors:rate5m / service:http_requests:rate5m' }] };

function prometheusRule(name: string, ...groups: Group[]) {
  return obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'monitoring' }, spec: { groups } });
}
/** The corpus with one group changed. */
function corpus(change: { level1?: (g: Group) => void; level2?: (g: Group) => void } = {}, files: Record<string, string> = {}) {
  const l1 = structuredClone(LEVEL1);
  const l2 = structuredClone(LEVEL2);
  change.level1?.(l1);
  change.level2?.(l2);
  return env([prometheusRule('demo-records-level1', l1), prometheusRule('demo-records-level2', l2)], { files });
}
const kpsValues = (prometheusSpec: Record<string, string>) => ({ 'values/observability-prometheus.yaml': stringify({ prometheus: { prometheusSpec } }) });

describe('recording-rule-layering', () => {
  test('passes a level-1 group over raw series and a level-2 group over level 1 (must-not-fire)', () => {
    expect(check('recording-rule-layering', corpus())).toEqual([]);
  });

  test.each(ENVIRONMENTS)('passes every recording rule of the shipped environment %s (must-not-fire)', (name) => {
    const e = fromBuilt(built(name));
    const records = e.objects.filter((o) => o.manifest.kind === 'PrometheusRule').flatMap((o) => (o.manifest as any).spec.groups.flatMap((g: Group) => g.rules.filter((r) => r.record)));
    expect(records.length).toBeGreaterThanOrEqual(10);
    expect(messages(check('recording-rule-layering', e))).toEqual([]);
  });

  test('fails when a recording rule is not named level:metric:operations', () => {
    const f = check('recording-rule-layering', corpus({ level1: (g) => (g.rules[0].record = 'http_requests_rate') }));
    expect(messages(f)).toEqual(['recording-rule-layering: recording rule http_requests_rate (spec.groups[0].rules[0]) is not named level:metric:operations.']);
    expect(f[0].ref).toBe('PrometheusRule/monitoring/demo-records-level1');
  });

  test('fails when a rule reads a series recorded at its own level', () => {
    const f = check('recording-rule-layering', corpus({ level1: (g) => g.rules.push({ record: 'service:http_errors:ratio_rate5m_l1', expr: 'service:http_errors:rate5m / service:http_requests:rate5m' }) }));
    expect(messages(f)).toEqual([
      'recording-rule-layering: recording rule service:http_errors:ratio_rate5m_l1 (spec.groups[0].rules[2], level 1, group demo-records-level1) reads service:http_errors:rate5m, which group demo-records-level1 records at level 1; a level-1 rule reads only raw series and levels below 1.',
      'recording-rule-layering: recording rule service:http_errors:ratio_rate5m_l1 (spec.groups[0].rules[2], level 1, group demo-records-level1) reads service:http_requests:rate5m, which group demo-records-level1 records at level 1; a level-1 rule reads only raw series and levels below 1.',
    ]);
    expect(f[0].fix).toBe('Move service:http_errors:ratio_rate5m_l1 into a group named <name>-level2 or higher.');
  });

  test('fails when a rule reads a series of a higher level', () => {
    const f = check('recording-rule-layering', corpus({ level1: (g) => (g.rules[1].expr = 'service:http_errors:ratio_rate5m * service:http_requests:rate5m') }));
    expect(messages(f)).toContain(
      'recording-rule-layering: recording rule service:http_errors:rate5m (spec.groups[0].rules[1], level 1, group demo-records-level1) reads service:http_errors:ratio_rate5m, which group demo-records-level2 records at level 2; a level-1 rule reads only raw series and levels below 1.',
    );
  });

  test('fails when a group without a declared level reads a recorded series (it holds level-1 rules)', () => {
    const f = check('recording-rule-layering', corpus({ level2: (g) => (g.name = 'demo-records') }));
    expect(messages(f)).toEqual([
      'recording-rule-layering: recording rule service:http_errors:ratio_rate5m (spec.groups[0].rules[0], level 1, group demo-records) reads service:http_errors:rate5m, which group demo-records-level1 records at level 1; a level-1 rule reads only raw series and levels below 1.',
      'recording-rule-layering: recording rule service:http_errors:ratio_rate5m (spec.groups[0].rules[0], level 1, group demo-records) reads service:http_requests:rate5m, which group demo-records-level1 records at level 1; a level-1 rule reads only raw series and levels below 1.',
    ]);
  });

  test('fails when recording rules read each other in a cycle, reported once', () => {
    const f = check(
      'recording-rule-layering',
      corpus({
        level2: (g) => {
          g.rules.push({ record: 'service:a:sum', expr: 'service:b:sum' }, { record: 'service:b:sum', expr: 'sum(service:a:sum)' });
        },
      }),
    );
    const cycles = messages(f).filter((m) => m.includes('cycle'));
    expect(cycles).toEqual(['recording-rule-layering: recording rules read each other in a cycle: service:a:sum reads service:b:sum reads service:a:sum.']);
  });

  test('fails when a rule reads itself', () => {
    const f = check('recording-rule-layering', corpus({ level1: (g) => (g.rules[0].expr = 'service:http_requests:rate5m offset 5m') }));
    expect(messages(f)).toContain('recording-rule-layering: recording rules read each other in a cycle: service:http_requests:rate5m reads service:http_requests:rate5m.');
  });

  test('fails when a recording group is evaluated more often than Prometheus scrapes', () => {
    const f = check('recording-rule-layering', corpus({ level2: (g) => (g.interval = '15s') }));
    expect(messages(f)).toEqual(['recording-rule-layering: recording rule group demo-records-level2 (spec.groups[0]) is evaluated every 15s, more often than Prometheus scrapes (every 30s).']);
    expect(f[0].fix).toBe("Set the group's interval to 30s or longer.");
  });

  test('fails when the global evaluation interval is shorter than the scrape interval the values set', () => {
    const f = check('recording-rule-layering', corpus({}, kpsValues({ scrapeInterval: '1m', evaluationInterval: '30s' })));
    expect(messages(f)).toEqual([
      'recording-rule-layering: recording rule group demo-records-level1 (spec.groups[0]) is evaluated every 30s, more often than Prometheus scrapes (every 1m).',
      'recording-rule-layering: recording rule group demo-records-level2 (spec.groups[0]) is evaluated every 30s, more often than Prometheus scrapes (every 1m).',
    ]);
  });

  test('passes a group interval equal to a scrape interval the values set (must-not-fire)', () => {
    expect(check('recording-rule-layering', corpus({ level1: (g) => (g.interval = '1m'), level2: (g) => (g.interval = '2m') }, kpsValues({ scrapeInterval: '1m', evaluationInterval: '1m' })))).toEqual([]);
  });

  test('fails when a group interval is not a duration', () => {
    const f = check('recording-rule-layering', corpus({ level1: (g) => (g.interval = 'soon') }));
    expect(messages(f)).toEqual(['recording-rule-layering: recording rule group demo-records-level1 (spec.groups[0]) has interval "soon", which is not a duration.']);
  });

  test('fails when a rule file inside a ConfigMap breaks the layering', () => {
    const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules', namespace: 'monitoring' }, data: { 'rules.yaml': stringify({ groups: [{ name: 'extra', rules: [{ record: 'service:x:sum', expr: 'sum(service:http_errors:ratio_rate5m)' }] }] }) } });
    const e = corpus();
    const f = check('recording-rule-layering', { ...e, objects: [...e.objects, cm] });
    expect(messages(f)).toEqual([
      'recording-rule-layering: recording rule service:x:sum (data.rules.yaml: groups[0].rules[0], level 1, group extra) reads service:http_errors:ratio_rate5m, which group demo-records-level2 records at level 2; a level-1 rule reads only raw series and levels below 1.',
    ]);
  });
});

describe('metricNames', () => {
  test.each([
    ['sum by (service, le) (rate(traces_spanmetrics_latency_bucket{span_kind="SERVER"}[5m]))', ['traces_spanmetrics_latency_bucket']],
    ['a:b:c * on (namespace, pod) group_left (workload) x:y:z offset 5m', ['a:b:c', 'x:y:z']],
    ['{__name__="a:b:c", job="x"} or count(up == 0) or vector(0)', ['a:b:c', 'up']],
    ['rate(http_requests_total{cluster=~"$cluster"}[$__rate_interval]) > bool 1 unless ${metric}', ['http_requests_total']],
    ['histogram_quantile(0.95, sum without (pod) (foo:bar:rate5m)) # by (ignored)', ['foo:bar:rate5m']],
    ['label_replace(kube_pod_owner{owner_name="x"}, "workload", "$1", "owner_name", "(.+)")', ['kube_pod_owner']],
  ])('%s reads %j', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});
