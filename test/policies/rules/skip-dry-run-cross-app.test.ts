import { application, check, env, goodPrometheusRule, messages, obj } from '../support';

describe('skip-dry-run-cross-app', () => {
  test('passes a cross-application CR with SkipDryRunOnMissingResource=true (must-not-fire)', () => {
    expect(check('skip-dry-run-cross-app', env([application('observability-prometheus', -10), application('observability-alerts', 10), obj(goodPrometheusRule(), 'observability-alerts')]))).toEqual([]);
  });
  test('fails when the sync option is missing', () => {
    const r = goodPrometheusRule();
    r.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '10' };
    expect(messages(check('skip-dry-run-cross-app', env([application('observability-prometheus', -10), application('observability-alerts', 10), obj(r, 'observability-alerts')])))).toEqual([
      'skip-dry-run-cross-app: PrometheusRule (group monitoring.coreos.com) has its CRD installed by application observability-prometheus but does not set SkipDryRunOnMissingResource=true.',
    ]);
  });
});
