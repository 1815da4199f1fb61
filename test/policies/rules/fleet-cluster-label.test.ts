import { findOne } from '../../../stacks/objects';
import { built } from '../../support/environments';
import { check, env, messages } from '../support';

const APPSET = 'pi-edge-observability-prometheus';
const VALUES = 'values/observability-prometheus.yaml';

/** pi-edge as synthesized: the ApplicationSet of kube-prometheus-stack and its values file, changed by `change`. */
function fleet(change: (appSet: any) => void = () => undefined) {
  const out = built('pi-edge').output;
  const object = out.objects.find((o) => o.manifest === findOne(out.objects.map((x) => x.manifest), 'ApplicationSet', APPSET))!;
  const manifest = structuredClone(object.manifest) as any;
  change(manifest);
  return env([{ ...object, manifest }], { spec: built('pi-edge').spec, files: { [VALUES]: out.files.get(VALUES)! } });
}

describe('fleet-cluster-label', () => {
  test('passes pi-edge as synthesized: the cluster label is a parameter templated per cluster (must-not-fire)', () => {
    expect(check('fleet-cluster-label', fleet())).toEqual([]);
  });

  test('passes an ApplicationSet without a cluster generator (must-not-fire)', () => {
    expect(check('fleet-cluster-label', fleet((a) => (a.spec.generators = [{ list: { elements: [] } }])))).toEqual([]);
  });

  test('fails when the parameter is missing, so every site says edge-site-01', () => {
    const f = check('fleet-cluster-label', fleet((a) => delete a.spec.template.spec.sources[0].helm.parameters));
    expect(messages(f)).toEqual([
      'fleet-cluster-label: ApplicationSet pi-edge-observability-prometheus installs kube-prometheus-stack on every cluster of the fleet, but values/observability-prometheus.yaml fixes prometheus.prometheusSpec.externalLabels.cluster to "edge-site-01": every site would say cluster="edge-site-01".',
    ]);
    expect(f[0].value).toBe('prometheus.prometheusSpec.externalLabels.cluster=edge-site-01');
  });

  test('fails when the parameter is a fixed value rather than a template of the cluster generator', () => {
    const f = check('fleet-cluster-label', fleet((a) => (a.spec.template.spec.sources[0].helm.parameters[0].value = 'edge-site-01')));
    expect(f.map((x) => x.rule)).toEqual(['fleet-cluster-label']);
  });
});
