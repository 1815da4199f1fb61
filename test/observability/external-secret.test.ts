import { Chart, Testing } from 'cdk8s';
import { ExternalSecret } from '../../constructs/secrets';
import { testApp } from '../support/cdk8s';

const labels = { name: 'loki', instance: 'loki-x', component: 'observability' };

test('reads each key from the ClusterSecretStore into a Secret of the same name', () => {
  const chart = new Chart(testApp(), 'test');
  new ExternalSecret(chart, 'es', { name: 'creds', labels, store: 'aws', data: [{ secretKey: 'token', remoteKey: 'x/token' }] });
  const [es] = Testing.synth(chart);
  expect(es.spec).toEqual({
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
    target: { name: 'creds', creationPolicy: 'Owner' },
    data: [{ secretKey: 'token', remoteRef: { key: 'x/token' } }],
  });
});

test('fails when no key is given', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new ExternalSecret(chart, 'es', { name: 'creds', labels, store: 'aws', data: [] })).toThrow('ExternalSecret creds needs at least one key (got none).');
});

test('lands in the chart\'s namespace unless given one', () => {
  const chart = new Chart(testApp(), 'test', { namespace: 'loki' });
  new ExternalSecret(chart, 'default', { name: 'creds', labels, store: 'aws', data: [{ secretKey: 'token', remoteKey: 'x/token' }] });
  new ExternalSecret(chart, 'given', { name: 'receivers', namespace: 'monitoring', labels, store: 'aws', data: [{ secretKey: 'token', remoteKey: 'x/token' }] });
  expect(Testing.synth(chart).map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
    ['creds', 'loki'],
    ['receivers', 'monitoring'],
  ]);
});
