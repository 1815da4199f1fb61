import { application, check, env, messages, obj, policyDirFindings } from '../support';

const labels = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' };
const service = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'demo', labels }, spec: { selector: labels, ports: [{ name: 'metrics', port: 9090 }] } });
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
const monitorManifest = (selector: Selector) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'demo', namespace: 'demo' }, spec: { selector, endpoints: [{ port: 'metrics' }] } });
const monitor = (matchLabels: Record<string, string>) => obj(monitorManifest({ matchLabels }));
const inTiers = (...values: string[]) => [{ key: 'app.kubernetes.io/name', operator: 'In', values }];

describe('service-monitor-target', () => {
  test('passes a ServiceMonitor selecting a Service in the output (must-not-fire)', () => {
    expect(check('service-monitor-target', env([service, monitor(labels)]))).toEqual([]);
  });
  test('passes a ServiceMonitor into a namespace a Helm chart fills (must-not-fire)', () => {
    expect(check('service-monitor-target', env([application('demo', 0, {}), monitor({ app: 'chart' })], { files: { 'values/demo.yaml': 'replicas: 1\n' } }))).toEqual([]);
  });
  test('passes a ServiceMonitor into the argocd namespace, which the bootstrap fills from the argo-cd chart (must-not-fire)', () => {
    const argocd = obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'argocd-application-controller', namespace: 'argocd' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-metrics' } }, endpoints: [{ port: 'http-metrics' }] } });
    expect(check('service-monitor-target', env([argocd]))).toEqual([]);
  });
  test('passes a ServiceMonitor selecting its Service with matchExpressions only (must-not-fire)', () => {
    expect(check('service-monitor-target', env([service, obj(monitorManifest({ matchExpressions: inTiers('demo', 'other') }))]))).toEqual([]);
  });
  test('passes a ServiceMonitor whose matchLabels and matchExpressions both hold for the Service (must-not-fire)', () => {
    const both = { matchLabels: { 'app.kubernetes.io/instance': 'demo-prod' }, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Exists' }] };
    expect(check('service-monitor-target', env([service, obj(monitorManifest(both))]))).toEqual([]);
  });
  test('fails when no Service matches', () => {
    expect(messages(check('service-monitor-target', env([service, monitor({ 'app.kubernetes.io/name': 'other' })])))).toEqual(['service-monitor-target: no Service in demo matches spec.selector app.kubernetes.io/name=other.']);
  });
  test('fails when the Service of the namespace carries the first label the selector names but not the second, and passes a monitor of every namespace that selects one elsewhere', () => {
    const partial = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'partial', namespace: 'demo', labels: { 'app.kubernetes.io/name': 'demo' } } });
    const elsewhere = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'other', labels } });
    const anywhere = obj({ ...monitorManifest({ matchLabels: labels }), metadata: { name: 'anywhere', namespace: 'demo' }, spec: { selector: { matchLabels: labels }, namespaceSelector: { any: true } } });
    expect(messages(check('service-monitor-target', env([partial, elsewhere, monitor(labels), anywhere])))).toEqual([
      'service-monitor-target: no Service in demo matches spec.selector app.kubernetes.io/name=demo,app.kubernetes.io/instance=demo-prod.',
    ]);
  });
  test('fails when the matchExpressions alone select no Service', () => {
    const f = check('service-monitor-target', env([service, obj(monitorManifest({ matchExpressions: inTiers('other') }))]));
    expect(f.map((x) => [x.message, x.value])).toEqual([['no Service in demo matches spec.selector app.kubernetes.io/name in (other).', '{"matchExpressions":[{"key":"app.kubernetes.io/name","operator":"In","values":["other"]}]}']]);
  });
  test('fails when the matchExpressions exclude every Service the matchLabels select', () => {
    const excluding = { matchLabels: { 'app.kubernetes.io/instance': 'demo-prod' }, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['demo'] }] };
    expect(messages(check('service-monitor-target', env([service, obj(monitorManifest(excluding))])))).toEqual([
      'service-monitor-target: no Service in demo matches spec.selector app.kubernetes.io/instance=demo-prod,app.kubernetes.io/name notin (demo): its matchLabels select demo/demo, and its matchExpressions app.kubernetes.io/name notin (demo) exclude them.',
    ]);
  });
  test('fails when gitplane policy --dir reads a ServiceMonitor whose expressions exclude its Service, and passes the one whose expressions select it', () => {
    const selecting = { ...monitorManifest({ matchExpressions: inTiers('demo') }), metadata: { name: 'selecting', namespace: 'demo' } };
    const excluding = { ...monitorManifest({ matchLabels: labels, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'DoesNotExist' }] }), metadata: { name: 'excluding', namespace: 'demo' } };
    const { findings } = policyDirFindings('service-monitor-target', [service.manifest, selecting, excluding], 'demo.yaml');
    expect(findings.map((f) => [f.ref, f.message])).toEqual([
      [
        'ServiceMonitor/demo/excluding',
        'no Service in demo matches spec.selector app.kubernetes.io/name=demo,app.kubernetes.io/instance=demo-prod,!app.kubernetes.io/name: its matchLabels select demo/demo, and its matchExpressions !app.kubernetes.io/name exclude them.',
      ],
    ]);
  });
});
