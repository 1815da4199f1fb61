import { Chart } from 'cdk8s';
import { HttpService, HttpServiceProps } from '../../constructs/workloads';
import { findOne, Manifest } from '../../stacks/objects';
import { testApp } from '../support/cdk8s';

const app = { name: 'orders-api', instance: 'orders-api-test', component: 'api' };
const synth = (props: Partial<HttpServiceProps> = {}): Manifest[] => {
  const chart = new Chart(testApp(), 'test', { namespace: 'orders' });
  new HttpService(chart, 'service', { app, image: 'registry.example.com/orders-api:1.4.2', port: 8080, ...props });
  return chart.toJson() as Manifest[];
};

test('defaults: one non-root, read-only replica with requests, a memory limit and probes on the http port', () => {
  const objects = synth();
  const pod = findOne<any>(objects, 'Deployment', 'orders-api').spec.template.spec;
  expect(findOne<any>(objects, 'Deployment', 'orders-api').spec.replicas).toBe(1);
  expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroupChangePolicy: 'Always' });
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.serviceAccountName).toBe('orders-api');
  const [c] = pod.containers;
  expect(c.securityContext).toEqual({
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(c.imagePullPolicy).toBe('IfNotPresent');
  expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
  expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
  expect(c.env).toBeUndefined();
  expect(findOne<any>(objects, 'Service', 'orders-api').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
  // Pods are selected by gitplane's labels, never by the construct-path label cdk8s-plus adds.
  const selector = { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders-api-test' };
  expect(findOne<any>(objects, 'Service', 'orders-api').spec.selector).toEqual(selector);
  expect(findOne<any>(objects, 'Deployment', 'orders-api').spec.selector).toEqual({ matchLabels: selector });
  expect(Object.keys(findOne<any>(objects, 'Deployment', 'orders-api').spec.template.metadata.labels).filter((k) => k.startsWith('cdk8s.io/'))).toEqual([]);
  expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
});

test('two or more replicas get a PodDisruptionBudget that allows one eviction and spread over nodes', () => {
  const objects = synth({ replicas: 3 });
  expect(findOne<any>(objects, 'PodDisruptionBudget', 'orders-api').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders-api-test' } } });
  expect(findOne<any>(objects, 'Deployment', 'orders-api').spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
});

test('plain and secret environment variables', () => {
  const [c] = findOne<any>(synth({ env: { LOG_LEVEL: 'info' }, secretEnv: { secretName: 'orders-api-token', keys: { API_TOKEN: 'token' } } }), 'Deployment', 'orders-api').spec.template.spec.containers;
  expect(c.env).toEqual([
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'orders-api-token', key: 'token' } } },
  ]);
});

test('fails when replicas is not a whole number of at least 1', () => {
  expect(() => synth({ replicas: 0 })).toThrow('HttpService orders-api: replicas must be a whole number of at least 1 (got 0).');
});
