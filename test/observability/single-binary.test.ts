import { Chart, Testing } from 'cdk8s';
import { SingleBinaryStatefulSet, SingleBinaryProps } from '../../constructs/observability/single-binary';
import { findOne } from '../../stacks/objects';
import { testApp } from '../support/cdk8s';

const props = (change: Partial<SingleBinaryProps> = {}): SingleBinaryProps => ({
  name: 'demo',
  labels: { name: 'demo', instance: 'demo-test', component: 'demo' },
  image: 'registry.example.com/demo:1.2.3',
  configFile: 'demo.yaml',
  config: 'x: 1\n',
  args: ['-config.file={config}'],
  ports: [{ name: 'http', port: 3100 }],
  readyPort: 'http',
  storageSize: '1Gi',
  runAsUser: 10001,
  ...change,
});
const render = (p: SingleBinaryProps) => {
  const chart = new Chart(testApp(), 'test');
  new SingleBinaryStatefulSet(chart, 'demo', p);
  return Testing.synth(chart) as any[];
};

test('leaves out the args, env and annotations it has none of, rather than writing empty ones the API server drops', () => {
  const objs = render(props({ args: [], secretEnv: { secretName: 'demo-s3', keys: {} }, annotations: {} }));
  const container = (findOne(objs, 'StatefulSet', 'demo') as any).spec.template.spec.containers[0];
  expect(container).not.toHaveProperty('args');
  expect(container).not.toHaveProperty('env');
  for (const o of objs) expect(o.metadata).not.toHaveProperty('annotations');
});

test('passes args and secret environment variables through', () => {
  const container = (findOne(render(props({ secretEnv: { secretName: 'demo-s3', keys: { AWS_ACCESS_KEY_ID: 'access-key-id' } } })), 'StatefulSet', 'demo') as any).spec.template.spec.containers[0];
  expect(container.args).toEqual(['-config.file=/etc/demo/demo.yaml']);
  expect(container.env).toEqual([{ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'demo-s3', key: 'access-key-id' } } }]);
});

test('fails when readyPort is not one of the ports', () => {
  expect(() => render(props({ ports: [] }))).toThrow(
    'SingleBinaryStatefulSet demo: readyPort "http" is not one of its ports (none). Name the port whose /ready the readiness probe calls.',
  );
  expect(() => render(props({ readyPort: 'grpc' }))).toThrow('readyPort "grpc" is not one of its ports (http).');
});
