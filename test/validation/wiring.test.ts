import { RenderedObject } from '../../stacks/objects';
import { externalServicesFor } from '../../stacks/application';
import { platformContext } from '../../stacks/platform';
import { checkWiring } from '../../validation/wiring';
import { ENVIRONMENTS, built, variant } from '../support/environments';
import { loadEnvironment } from '../../stacks/environment';

const wiring = (env: string, objects: RenderedObject[] = built(env).output.objects, configs: ReadonlyMap<string, { content: string }> = built(env).output.configs) =>
  checkWiring(objects, configs, externalServicesFor(platformContext(loadEnvironment(env))), env);

/** The environment's objects with one ConfigMap's text rewritten. */
function rewrite(env: string, configMap: string, from: string, to: string): RenderedObject[] {
  return built(env).output.objects.map((o) => {
    if (o.manifest.kind !== 'ConfigMap' || o.manifest.metadata.name !== configMap) return o;
    const data = Object.fromEntries(Object.entries(o.manifest.data as Record<string, string>).map(([k, v]) => [k, v.split(from).join(to)]));
    return { ...o, manifest: { ...o.manifest, data } };
  });
}

describe.each(ENVIRONMENTS)('%s', (env) => {
  test('every exporter endpoint, remote-write URL and datasource URL points at a Service and port the environment has', () => {
    expect(wiring(env)).toEqual([]);
  });
});

test('the check sees the addresses the pipeline uses', () => {
  // Renaming the Prometheus Service the configs rely on must break three places: the gateway's
  // OTLP exporter, Tempo's remote write and the Grafana datasource.
  const problems = checkWiring(built('prod').output.objects, new Map(), [], 'prod');
  expect(problems.map((p) => p.object).sort()).toEqual(['ConfigMap/monitoring/grafana-datasources', 'ConfigMap/monitoring/otel-gateway', 'ConfigMap/monitoring/tempo']);
});

test('fails when an exporter points at a Service that does not exist', () => {
  const objects = rewrite('prod', 'otel-gateway', 'tempo.monitoring.svc:4317', 'traces.monitoring.svc:4317');
  expect(wiring('prod', objects, new Map())).toEqual([
    {
      file: 'prod/apps/observability-otel/configmap-otel-gateway.yaml',
      object: 'ConfigMap/monitoring/otel-gateway',
      message: expect.stringMatching(
        /^data\["config\.yaml"\] points at traces\.monitoring\.svc:4317, but the environment has no Service "traces" in namespace "monitoring" \(Services there: .*loki.*tempo.*\)\. Point it at one of them, or turn on the component that provides it\.$/,
      ),
    },
  ]);
});

test('fails when an exporter points at a port the Service does not serve', () => {
  const objects = rewrite('prod', 'otel-gateway', 'http://loki.monitoring.svc:3100/otlp', 'http://loki.monitoring.svc:3101/otlp');
  const [problem] = wiring('prod', objects, new Map());
  expect(problem.message).toBe(
    'data["config.yaml"] points at http://loki.monitoring.svc:3101, but Service monitoring/loki has no port 3101 (it serves 3100, 9095). Fix the port.',
  );
});

test('fails when a port on a known external Service is wrong', () => {
  const objects = rewrite('prod', 'tempo', 'prometheus-operated.monitoring.svc:9090', 'prometheus-operated.monitoring.svc:9091');
  const [problem] = wiring('prod', objects, new Map());
  expect(problem.message).toMatch(/Service monitoring\/prometheus-operated has no port 9091 \(it is created outside gitplane and known to serve 9090\)/);
});

test('fails when an address has neither a port nor a scheme that implies one', () => {
  const objects = rewrite('prod', 'otel-agent', 'otel-gateway.monitoring.svc:4317', 'otel-gateway.monitoring.svc');
  const [problem] = wiring('prod', objects, new Map());
  expect(problem.message).toMatch(/points at otel-gateway\.monitoring\.svc, but the address has no port .* Add the port\.$/);
});

test('fails when an address has no port and its scheme is a name every JavaScript object has: it implies none', () => {
  const objects = rewrite('prod', 'otel-gateway', 'http://loki.monitoring.svc:3100/otlp', 'constructor://loki.monitoring.svc/otlp');
  const [problem] = wiring('prod', objects, new Map());
  expect(problem.message).toBe(
    'data["config.yaml"] points at constructor://loki.monitoring.svc, but the address has no port and no scheme that implies one (Service monitoring/loki serves 3100, 9095). Add the port.',
  );
});

test('a scheme implies its default port, and cluster.local names count', () => {
  const objects = rewrite('prod', 'grafana-datasources', 'http://loki.monitoring.svc:3100', 'http://loki.monitoring.svc.cluster.local');
  const [problem] = wiring('prod', objects, new Map());
  expect(problem.message).toMatch(/points at http:\/\/loki\.monitoring\.svc\.cluster\.local, but Service monitoring\/loki has no port 80/);
});

test('rendered configs that no ConfigMap carries are checked too', () => {
  const configs = new Map([['alertmanager', { content: 'url: http://missing.monitoring.svc:9093/\n' }]]);
  const [problem] = wiring('prod', built('prod').output.objects, configs);
  expect(problem).toMatchObject({ file: 'gitplane config alertmanager --env prod', object: 'config/alertmanager' });
});

test('without observability the kube-prometheus-stack Services are not known', () => {
  expect(externalServicesFor(platformContext(variant('prod', (s) => void (s.components.observability.enabled = false))))).toEqual([]);
  expect(externalServicesFor(platformContext(loadEnvironment('prod'))).map((s) => `${s.name}:${s.port}`)).toEqual(['prometheus-operated:9090', 'alertmanager-operated:9093']);
});
