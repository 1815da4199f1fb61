/** The metric catalogue is pinned to what the platform deploys, and the generator reads upstream tables as they are written. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { byCodePoint } from '../../constructs/core/order';
import { CATALOGUES } from '../../policies/data/metrics';
import { pinnedVersions } from '../../stacks/versions';
import { tableMetrics } from '../../tools/metric-catalogue';
import { ROOT } from '../support/cli';
import { ENVIRONMENTS } from '../support/environments';
import { loadEnvironment } from '../../stacks/environment';

const versions = pinnedVersions();

describe('metric catalogue', () => {
  test.each(CATALOGUES.map((c) => [c.exporter, c]))('%s is pinned to the version the platform deploys', (_, c) => {
    const pin = c.pin;
    if ('image' in pin) expect(versions.images[pin.image].tag).toBe(pin.tag);
    else if ('chart' in pin) expect(versions.charts[pin.chart].version).toBe(pin.version);
    else if ('kubernetes' in pin) for (const env of ENVIRONMENTS) expect(loadEnvironment(env).cluster.kubernetesVersion.startsWith(`${pin.kubernetes}.`)).toBe(true);
    else expect(fs.existsSync(path.join(ROOT, pin.gitplane))).toBe(true);
  });

  test.each(CATALOGUES.map((c) => [c.exporter, c]))('%s lists unique series names in code-point order, with its source', (_, c) => {
    expect(c.list.metrics.length).toBeGreaterThan(0);
    expect([...c.list.metrics]).toEqual([...new Set(c.list.metrics)].sort(byCodePoint));
    for (const m of c.list.metrics) expect(m).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    expect(c.list.source).toMatch(/^(https:\/\/|constructs\/)/);
  });

  test('the node preflight catalogue lists exactly the series its script writes', () => {
    const script = fs.readFileSync(path.join(ROOT, 'constructs/node/preflight/preflight.sh'), 'utf8');
    const written = [...new Set([...script.matchAll(/# TYPE (\w+) /g)].map((m) => m[1]))];
    expect(CATALOGUES.find((c) => c.exporter === 'node-preflight')!.list.metrics).toEqual(written);
  });

  test('the generator reads the first cell of metric tables, histograms as three series, only under the chosen section', () => {
    const doc = [
      '## Application Controller Metrics',
      '| Metric | Type | Description |',
      '|--------|:----:|-------------|',
      '| `argocd_app_info` | gauge | Information. |',
      '| `argocd_app_reconcile` | histogram | Seconds. |',
      '## API Server Metrics',
      '| `argocd_redis_request_total` | counter | Requests. |',
    ].join('\n');
    expect(tableMetrics(doc, 'Application Controller Metrics')).toEqual(['argocd_app_info', 'argocd_app_reconcile_bucket', 'argocd_app_reconcile_sum', 'argocd_app_reconcile_count']);
    expect(tableMetrics(doc)).toContain('argocd_redis_request_total');
  });
});
