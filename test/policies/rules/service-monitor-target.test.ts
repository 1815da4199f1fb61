import { application, check, env, messages, obj } from '../support';

const labels = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' };
const service = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'demo', labels }, spec: { selector: labels, ports: [{ name: 'metrics', port: 9090 }] } });
const monitor = (matchLabels: Record<string, string>) => obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'demo', namespace: 'demo' }, spec: { selector: { matchLabels }, endpoints: [{ port: 'metrics' }] } });

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
  test('fails when no Service matches', () => {
    expect(messages(check('service-monitor-target', env([service, monitor({ 'app.kubernetes.io/name': 'other' })])))).toEqual(['service-monitor-target: no Service in demo has the labels {"app.kubernetes.io/name":"other"}.']);
  });
});
