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

/** pi-edge's ApplicationSet of a plain-manifest application and its ConfigMap, whose one data value `change` edits. */
function plain(appSet: string, configMap: string, change: (text: string) => string = (t) => t) {
  const out = built('pi-edge').output;
  const pick = (kind: string, name: string) => out.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)!;
  const cm = structuredClone(pick('ConfigMap', configMap));
  const data = (cm.manifest as any).data;
  for (const key of Object.keys(data)) data[key] = change(data[key]);
  return env([pick('ApplicationSet', appSet), cm], { spec: built('pi-edge').spec });
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

  test('passes pi-edge\'s Tempo and collector, whose shared configs name no cluster (must-not-fire)', () => {
    expect(check('fleet-cluster-label', plain('pi-edge-observability-tempo', 'tempo'))).toEqual([]);
    expect(check('fleet-cluster-label', plain('pi-edge-observability-otel', 'otel-gateway'))).toEqual([]);
  });

  test('fails when Tempo\'s shared config fixes external_labels.cluster', () => {
    const f = check('fleet-cluster-label', plain('pi-edge-observability-tempo', 'tempo', (text) => text.replace('      source: tempo\n', '      source: tempo\n      cluster: edge-site-01\n')));
    expect(messages(f)).toEqual([
      'fleet-cluster-label: ApplicationSet pi-edge-observability-tempo deploys apps/observability-tempo/configmap-tempo.yaml to every cluster of the fleet, but its ConfigMap tempo (data.tempo.yaml) fixes metrics_generator.registry.external_labels.cluster to "edge-site-01": every site would say cluster="edge-site-01".',
    ]);
  });

  test('fails when the collector\'s shared config stamps k8s.cluster.name', () => {
    const f = check('fleet-cluster-label', plain('pi-edge-observability-otel', 'otel-gateway', (text) => text.replace('      - key: deployment.environment.name\n', '      - key: k8s.cluster.name\n        value: edge-site-01\n        action: upsert\n      - key: deployment.environment.name\n')));
    expect(f.map((x) => x.value)).toEqual(['processors.resource.attributes[0].value=edge-site-01']);
  });

  test('fails when the parameter is a fixed value rather than a template of the cluster generator', () => {
    const f = check('fleet-cluster-label', fleet((a) => (a.spec.template.spec.sources[0].helm.parameters[0].value = 'edge-site-01')));
    expect(f.map((x) => x.rule)).toEqual(['fleet-cluster-label']);
  });
});
