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

/**
 * pi-edge's ApplicationSet of a plain-manifest application with every object of its folder, and
 * kube-prometheus-stack's ApplicationSet and values (which render each site's telemetry-cluster
 * ConfigMap); `change` edits the ConfigMap's data values, `edit` any object.
 */
function plain(appSet: string, configMap: string, change: (text: string) => string = (t) => t, edit: (o: any) => void = () => undefined) {
  const out = built('pi-edge').output;
  const pick = (kind: string, name: string) => out.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)!;
  const folder = `apps/${appSet.replace(/^pi-edge-/, '')}/`;
  const objects = structuredClone(out.objects.filter((o) => o.file.startsWith(folder)));
  const cm = objects.find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === configMap)!;
  const data = (cm.manifest as any).data;
  for (const key of Object.keys(data)) data[key] = change(data[key]);
  objects.forEach((o) => edit(o.manifest));
  return env([pick('ApplicationSet', appSet), pick('ApplicationSet', APPSET), ...objects], { spec: built('pi-edge').spec, files: { [VALUES]: out.files.get(VALUES)! } });
}

/** Findings on pi-edge's Tempo (`tempo`) or collector gateway (`otel`) with `from` replaced by `to` in its config. */
const replaced = (app: 'tempo' | 'otel', from: string, to: string) =>
  check('fleet-cluster-label', app === 'tempo' ? plain('pi-edge-observability-tempo', 'tempo', (t) => t.replace(from, to)) : plain('pi-edge-observability-otel', 'otel-gateway', (t) => t.replace(from, to)));

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

  test('passes pi-edge\'s Tempo and collector, which read the cluster from their site\'s telemetry-cluster ConfigMap (must-not-fire)', () => {
    expect(check('fleet-cluster-label', plain('pi-edge-observability-tempo', 'tempo'))).toEqual([]);
    expect(check('fleet-cluster-label', plain('pi-edge-observability-otel', 'otel-gateway'))).toEqual([]);
  });

  test('passes pi-edge as synthesized, every ApplicationSet (must-not-fire)', () => {
    const out = built('pi-edge').output;
    expect(check('fleet-cluster-label', env([...out.objects], { spec: built('pi-edge').spec, files: Object.fromEntries(out.files) }))).toEqual([]);
  });

  test('fails when Tempo\'s shared config fixes external_labels.cluster', () => {
    const f = replaced('tempo', 'cluster: ${TEMPO_CLUSTER_NAME}', 'cluster: edge-site-01');
    expect(messages(f)).toEqual([
      'fleet-cluster-label: ApplicationSet pi-edge-observability-tempo deploys apps/observability-tempo/configmap-tempo.yaml to every cluster of the fleet, but its ConfigMap tempo (data.tempo.yaml) fixes metrics_generator.registry.external_labels.cluster to "edge-site-01": every site would say cluster="edge-site-01".',
    ]);
  });

  test('fails when the collector\'s shared config stamps a fixed k8s.cluster.name', () => {
    const f = replaced('otel', '${env:K8S_CLUSTER_NAME}', 'edge-site-01');
    expect(f.map((x) => x.value)).toEqual(['processors.resource.attributes[0].value=edge-site-01']);
  });

  test('fails when the collector labels the environment but no cluster, so no site\'s logs and traces say theirs', () => {
    const f = replaced('otel', '      - key: k8s.cluster.name\n        value: ${env:K8S_CLUSTER_NAME}\n        action: upsert\n', '');
    expect(messages(f)).toEqual([
      'fleet-cluster-label: ApplicationSet pi-edge-observability-otel deploys apps/observability-otel/configmap-otel-gateway.yaml to every cluster of the fleet, but its ConfigMap otel-gateway (data.config.yaml) names the environment but no k8s.cluster.name in processors.resource.attributes: no site\'s logs, traces and metrics would say which cluster they come from.',
    ]);
  });

  test('fails when Tempo\'s external labels name no cluster', () => {
    const f = replaced('tempo', '      cluster: ${TEMPO_CLUSTER_NAME}\n', '');
    expect(f.map((x) => [x.value, x.message.endsWith('names no cluster in metrics_generator.registry.external_labels: no site\'s series would say which cluster they come from.')])).toEqual([
      ['metrics_generator.registry.external_labels', true],
    ]);
  });

  test('fails when the variable is set to the same value on every site', () => {
    const f = check('fleet-cluster-label', plain('pi-edge-observability-tempo', 'tempo', undefined, (m) => {
      if (m.kind === 'StatefulSet') m.spec.template.spec.containers[0].env = [{ name: 'TEMPO_CLUSTER_NAME', value: 'edge-site-01' }];
    }));
    expect(messages(f)).toEqual([
      'fleet-cluster-label: ApplicationSet pi-edge-observability-tempo deploys apps/observability-tempo/configmap-tempo.yaml to every cluster of the fleet, but its ConfigMap tempo (data.tempo.yaml) reads metrics_generator.registry.external_labels.cluster from TEMPO_CLUSTER_NAME, which StatefulSet tempo sets to "edge-site-01" on every site: every site would say the same cluster.',
    ]);
  });

  test('fails when the variable is not set by the workload that reads the config', () => {
    const f = check('fleet-cluster-label', plain('pi-edge-observability-otel', 'otel-gateway', undefined, (m) => {
      if (m.kind === 'Deployment' && m.metadata.name === 'otel-gateway') m.spec.template.spec.containers[0].env = m.spec.template.spec.containers[0].env.filter((e: any) => e.name !== 'K8S_CLUSTER_NAME');
    }));
    expect(f.map((x) => x.message.replace(/.*\(data.config.yaml\) /, ''))).toEqual(['reads processors.resource.attributes[0].value from K8S_CLUSTER_NAME, which Deployment otel-gateway does not set: no site would say its cluster.']);
  });

  test('fails when the ConfigMap it is read from is not rendered per cluster', () => {
    const rename = (m: any) => {
      if (m.kind === 'StatefulSet') m.spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name = 'tempo';
    };
    const f = check('fleet-cluster-label', plain('pi-edge-observability-tempo', 'tempo', undefined, rename));
    expect(f.map((x) => x.message.replace(/.*\(data.tempo.yaml\) /, ''))).toEqual([
      'reads metrics_generator.registry.external_labels.cluster from TEMPO_CLUSTER_NAME, which StatefulSet tempo fills from ConfigMap tempo, and no fleet ApplicationSet renders that ConfigMap per cluster from a templated Helm parameter: every site would say the same cluster.',
    ]);
  });

  test('fails when the parameter is a fixed value rather than a template of the cluster generator', () => {
    const f = check('fleet-cluster-label', fleet((a) => (a.spec.template.spec.sources[0].helm.parameters[0].value = 'edge-site-01')));
    expect(f.map((x) => x.rule)).toEqual(['fleet-cluster-label']);
  });
});
