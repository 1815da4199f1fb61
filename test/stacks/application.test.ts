/**
 * Adding a component is one folder plus one line: the widgets fixture (test/fixtures/apps/widgets)
 * is registered by appending it to the platform's applications, and everything the platform keeps
 * per application follows from its descriptor, with every other output file unchanged.
 */
import { parse } from 'yaml';
import { AppDescriptor } from '../../stacks/application';
import { findOne, Manifest } from '../../stacks/objects';
import { BUILT_IN_APPS } from '../../stacks/apps/catalog';
import { PLATFORM_APPS } from '../../stacks/platform';
import { synthEnvironment } from '../../stacks/synth';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { crdOwners } from '../../policies/data/crd-owners';
import { WIDGETS_APP } from '../fixtures/apps/widgets';
import { variant } from '../support/environments';

const spec = variant('staging', () => undefined);
const before = synthEnvironment(spec);
const after = synthEnvironment(spec, [...PLATFORM_APPS, WIDGETS_APP]);
const objects = after.objects.map((o) => o.manifest);
const file = (path: string) => parse(after.files.get(path)!) as Manifest;

test('the fixture gets its namespace, with its Pod Security level, in the namespaces application', () => {
  const ns = file('apps/namespaces/namespace-widgets.yaml');
  expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'app.kubernetes.io/component': 'widgets' });
  expect(ns.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Foundation));
});

test('the fixture gets an Application in its wave, in the project, reading its folder', () => {
  const app = findOne<any>(objects, 'Application', 'staging-widgets');
  expect(app.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Services));
  expect(app.spec.project).toBe('staging');
  expect(app.spec.source.path).toBe('staging/apps/widgets');
  expect(app.spec.destination.namespace).toBe('widgets');
});

test('the AppProject admits the fixture: its namespace and its cluster-scoped custom kind', () => {
  const project = findOne<any>(objects, 'AppProject', 'staging');
  expect(project.spec.destinations).toContainEqual({ server: spec.cluster.server, namespace: 'widgets' });
  expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: 'widgets.example.com', kind: 'WidgetClass' });
  const old = findOne<any>(before.objects.map((o) => o.manifest), 'AppProject', 'staging');
  expect(old.spec.clusterResourceWhitelist).not.toContainEqual({ group: 'widgets.example.com', kind: 'WidgetClass' });
});

test('the fixture is scraped, alerted on with a runbook, and on a dashboard', () => {
  const monitor = file('apps/widgets/servicemonitor-widgets.yaml') as any;
  expect(monitor.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.CustomResources));
  expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'widgets', 'app.kubernetes.io/instance': 'widgets-staging' });
  const rule = file('apps/observability-prometheus/prometheusrule-gitplane-widgets.yaml') as any;
  expect(rule.spec.groups[0].rules[0].annotations.runbook_url).toMatch(/\/runbooks\/widgets-down\.md$/);
  expect(after.files.get('runbooks/widgets-down.md')).toContain('A widgets pod stopped answering');
  expect(after.files.has('apps/observability-grafana/configmap-grafana-dashboard-gitplane-widgets.yaml')).toBe(true);
});

test('the CRD owners name the fixture for its group', () => {
  expect(crdOwners([...PLATFORM_APPS, WIDGETS_APP])).toContainEqual({ group: 'widgets.example.com', crdApp: 'widgets', operatorApp: 'widgets' });
});

test('nothing else in the output changes', () => {
  const changed = [...new Set([...before.files.keys(), ...after.files.keys()])].filter((f) => before.files.get(f) !== after.files.get(f)).sort();
  expect(changed).toEqual([
    'apps/namespaces/namespace-widgets.yaml',
    'apps/observability-grafana/configmap-grafana-dashboard-gitplane-widgets.yaml',
    'apps/observability-prometheus/prometheusrule-gitplane-widgets.yaml',
    'apps/widgets/customresourcedefinition-widgetclasses.widgets.example.com.yaml',
    'apps/widgets/service-widgets.yaml',
    'apps/widgets/servicemonitor-widgets.yaml',
    'apps/widgets/widgetclass-standard.yaml',
    'bootstrap/application-staging-widgets.yaml',
    'bootstrap/appproject-staging.yaml',
    'runbooks/widgets-down.md',
  ]);
});

test('without Prometheus in the environment the fixture gets no ServiceMonitor', () => {
  const quiet = synthEnvironment(variant('staging', (s) => void (s.components.observability.enabled = false)), [...PLATFORM_APPS, WIDGETS_APP]);
  expect(quiet.files.has('apps/widgets/service-widgets.yaml')).toBe(true);
  expect(quiet.files.has('apps/widgets/servicemonitor-widgets.yaml')).toBe(false);
});

test('fails when an application installs a Helm chart without listing the cluster-scoped kinds it renders', () => {
  const unreviewed: AppDescriptor = { ...WIDGETS_APP, helm: () => ({ chart: 'nack', releaseName: 'nack', values: {} }) };
  expect(() => synthEnvironment(spec, [...PLATFORM_APPS, unreviewed])).toThrow(
    'application widgets installs a Helm chart but its descriptor has no clusterKinds; list the cluster-scoped kinds the chart renders at its pinned version ([] for none).',
  );
});

test('each built-in descriptor carries its data from the catalog, in platform order', () => {
  expect(PLATFORM_APPS.map((a) => a.name)).toEqual(BUILT_IN_APPS.map((a) => a.name));
  PLATFORM_APPS.forEach((app, i) => expect(app).toMatchObject(BUILT_IN_APPS[i]));
});
