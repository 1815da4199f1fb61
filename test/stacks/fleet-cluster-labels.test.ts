/**
 * Fleets tell their sites apart: the pi-edge ApplicationSets, rendered for each cluster by Go's
 * text/template as the ApplicationSet controller renders them, give every site's Prometheus its
 * own cluster label, and every site's collector and Tempo the same cluster for logs and traces.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CLUSTER_LABEL, ENVIRONMENT_LABEL } from '../../stacks/bootstrap';
import { MONITORING_NAMESPACE } from '../../stacks/apps/catalog';
import { TELEMETRY_CLUSTER } from '../../stacks/apps/observability-pipeline';
import { findOne } from '../../stacks/objects';
import { tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';
import { built, manifests } from '../support/environments';
import { describeWithTool, findTool } from '../support/tools';

const CLUSTER_PATH = 'prometheus.prometheusSpec.externalLabels.cluster';

/** The cluster generator's parameters for a cluster registered with gitplane's labels. */
function clusterParams(name: string, server: string, labels: Record<string, string>) {
  return { name, nameNormalized: name, server, project: '', metadata: { labels: { ...labels, [ENVIRONMENT_LABEL]: 'pi-edge', [CLUSTER_LABEL]: name }, annotations: {} } };
}

const valueAt = (values: unknown, dotted: string) => dotted.split('.').reduce((v: any, k) => v?.[k], values);

describeWithTool('go', 'fleet cluster labels, rendered by Go templates', (go) => {
  let renderer: string;
  beforeAll(() => {
    renderer = path.join(tempDir(), 'render-applicationset');
    const r = spawnSync(go, ['build', '-o', renderer, path.join(__dirname, '..', 'support', 'applicationset-template', 'main.go')], { encoding: 'utf8', timeout: HUNG_MS });
    if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
  });

  const render = (appSet: any, params: unknown) => {
    const r = spawnSync(renderer, [], { input: JSON.stringify({ template: appSet.spec.template, params, options: appSet.spec.goTemplateOptions }), encoding: 'utf8' });
    return { status: r.status, application: r.status === 0 ? JSON.parse(r.stdout) : undefined, error: r.stderr };
  };

  const spec = () => built('pi-edge').spec;
  const clusters = () => [{ name: spec().cluster.name, server: spec().cluster.server, labels: {} }, ...spec().cluster.fleet];

  test('every site\'s Prometheus labels its series and alerts with its own cluster; the environment stays shared', () => {
    const appSet = findOne(manifests('pi-edge'), 'ApplicationSet', 'pi-edge-observability-prometheus') as any;
    const values = parse(built('pi-edge').output.files.get('values/observability-prometheus.yaml')!);
    // The shared values file holds the path the parameter overrides, and the environment label.
    expect(valueAt(values, CLUSTER_PATH)).toBe(spec().cluster.name);
    expect(values.prometheus.prometheusSpec.externalLabels.environment).toBe('pi-edge');
    const seen = clusters().map((c) => {
      const { status, application, error } = render(appSet, clusterParams(c.name, c.server, c.labels));
      expect([status, error]).toEqual([0, '']);
      expect(application.metadata.name).toBe(`pi-edge-observability-prometheus-${c.name}`);
      expect(application.spec.destination.server).toBe(c.server);
      const helm = application.spec.sources.find((s: any) => s.chart === 'kube-prometheus-stack').helm;
      expect(helm.parameters).toEqual([{ name: CLUSTER_PATH, value: c.name }]);
      return helm.parameters[0].value;
    });
    expect(seen).toEqual(['edge-site-01', 'edge-site-02', 'edge-site-03']);
  });

  /** The shared values file with a site's Helm parameters set, as `--set` does. */
  const siteValues = (parameters: { name: string; value: string }[]) => {
    const values = parse(built('pi-edge').output.files.get('values/observability-prometheus.yaml')!);
    for (const { name, value } of parameters) {
      const keys = name.split('.');
      keys.slice(0, -1).reduce((v: any, k) => (v[k] ??= {}), values)[keys[keys.length - 1]] = value;
    }
    return values;
  };

  /** A container's environment as its pod sees it, its ConfigMap keys read from `configMap`. */
  const podEnv = (container: any, configMap: any): Record<string, string> =>
    Object.fromEntries(
      container.env.map((e: any) => {
        const ref = e.valueFrom?.configMapKeyRef;
        return [e.name, ref ? (ref.name === configMap.metadata.name ? configMap.data[ref.key] : undefined) : (e.value ?? '')];
      }),
    );

  test('every site\'s collector and Tempo label its logs, traces and generated series with its own cluster', () => {
    const collector = findTool('otelcol-gitplane');
    const appSet = findOne(manifests('pi-edge'), 'ApplicationSet', 'pi-edge-observability-prometheus') as any;
    const gateway = (findOne(manifests('pi-edge'), 'Deployment', 'otel-gateway') as any).spec.template.spec.containers[0];
    const tempo = (findOne(manifests('pi-edge'), 'StatefulSet', 'tempo') as any).spec.template.spec.containers[0];
    const gatewayConfig = built('pi-edge').output.configs.get('otel-gateway')!.content;
    const tempoConfig = built('pi-edge').output.configs.get('tempo')!.content;
    const dir = tempDir('gitplane-fleet-');
    const seen = clusters().map((c) => {
      const site = render(appSet, clusterParams(c.name, c.server, c.labels));
      expect([site.status, site.error]).toEqual([0, '']);
      const values = siteValues(site.application.spec.sources.find((s: any) => s.chart === 'kube-prometheus-stack').helm.parameters);
      // The chart renders each extraManifests entry with tpl: Go's text/template over the release's values.
      const configMap = render({ spec: { template: values.extraManifests[TELEMETRY_CLUSTER.name], goTemplateOptions: ['missingkey=error'] } }, { Values: values, Release: { Namespace: MONITORING_NAMESPACE } });
      expect([configMap.status, configMap.error]).toEqual([0, '']);
      expect(configMap.application.metadata).toMatchObject({ name: TELEMETRY_CLUSTER.name, namespace: MONITORING_NAMESPACE });
      // Tempo replaces ${VAR} in its config with its environment (-config.expand-env).
      expect(tempo.args).toContain('-config.expand-env=true');
      const tempoEnv = podEnv(tempo, configMap.application);
      const generated = parse(tempoConfig.replace(/\$\{([A-Z_]+)\}/g, (_m, v) => tempoEnv[v])).metrics_generator.registry.external_labels.cluster;
      // The collector resolves ${env:VAR} itself: ask the real one, with the environment its pod gets.
      let stamped: string | undefined;
      if (collector) {
        const file = path.join(dir, `gateway-${c.name}.yaml`);
        fs.writeFileSync(file, gatewayConfig);
        const r = spawnSync(collector, ['print-config', '--mode=unredacted', `--config=${file}`], { encoding: 'utf8', env: { ...process.env, MY_POD_IP: '10.0.0.10', ...podEnv(gateway, configMap.application) }, timeout: HUNG_MS });
        expect([r.status, r.stderr]).toEqual([0, '']);
        const resolved = parse(r.stdout);
        stamped = resolved.processors.resource.attributes.find((a: any) => a.key === 'k8s.cluster.name').value;
        for (const pipeline of ['logs', 'traces']) expect(resolved.service.pipelines[pipeline].processors).toContain('resource');
      } else {
        // eslint-disable-next-line no-console
        console.warn('otelcol-gitplane is not installed: the collector\'s resolved config is not checked (run "bash tools/install.sh").');
        stamped = podEnv(gateway, configMap.application).K8S_CLUSTER_NAME;
      }
      return [c.name, configMap.application.data.cluster, stamped, generated];
    });
    expect(seen).toEqual(['edge-site-01', 'edge-site-02', 'edge-site-03'].map((name) => [name, name, name, name]));
  });

  test('a single cluster sets its cluster label in its values file and needs no parameter', () => {
    const app = findOne(manifests('prod'), 'Application', 'prod-observability-prometheus') as any;
    expect(app.spec.sources[0].helm.parameters).toBeUndefined();
    const values = parse(built('prod').output.files.get('values/observability-prometheus.yaml')!);
    expect(valueAt(values, CLUSTER_PATH)).toBe('prod-eu1');
    // Its collector and Tempo name the cluster in their configs: no ConfigMap to read it from.
    expect(values.extraManifests).toBeUndefined();
  });

  test('fails when the template names a parameter the cluster generator does not give: missingkey=error stops the render', () => {
    const appSet = structuredClone(findOne(manifests('pi-edge'), 'ApplicationSet', 'pi-edge-observability-prometheus')) as any;
    appSet.spec.template.spec.sources[0].helm.parameters[0].value = '{{.clusterName}}';
    const r = render(appSet, clusterParams('edge-site-02', 'https://edge-site-02.edge.example.com:6443', {}));
    expect(r.status).toBe(1);
    expect(r.error).toContain('map has no entry for key "clusterName"');
  });
});

describe('the manifests a fleet shares', () => {
  const configOf = (env: string, name: string) => (findOne(manifests(env), 'ConfigMap', name) as any).data;

  test('name no cluster, so no site claims another\'s: the collector and Tempo read it from their site\'s ConfigMap', () => {
    const files = [...built('pi-edge').output.files].filter(([file]) => file.startsWith('apps/'));
    expect(files.length).toBeGreaterThan(0);
    for (const c of ['edge-site-01', 'edge-site-02', 'edge-site-03']) expect(files.filter(([, text]) => text.includes(c)).map(([file]) => file)).toEqual([]);
    expect(parse(configOf('pi-edge', 'tempo')['tempo.yaml']).metrics_generator.registry.external_labels).toEqual({ source: 'tempo', cluster: '${TEMPO_CLUSTER_NAME}' });
    expect(parse(configOf('pi-edge', 'otel-gateway')['config.yaml']).processors.resource.attributes).toContainEqual({ key: 'k8s.cluster.name', value: '${env:K8S_CLUSTER_NAME}', action: 'upsert' });
  });

  test('of a single cluster, the collector and Tempo name it', () => {
    expect(parse(configOf('prod', 'tempo')['tempo.yaml']).metrics_generator.registry.external_labels).toEqual({ source: 'tempo', cluster: 'prod-eu1' });
    expect(parse(configOf('prod', 'otel-gateway')['config.yaml']).processors.resource.attributes).toContainEqual({ key: 'k8s.cluster.name', value: 'prod-eu1', action: 'upsert' });
  });
});
