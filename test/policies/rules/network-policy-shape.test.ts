import { Manifest } from '../../../stacks/objects';
import { built } from '../../support/environments';
import { check, env, networkPolicy, obj, policyDirFindings } from '../support';

const RULE = 'network-policy-shape';

/** The default-deny NetworkPolicy of namespace demo, with these fields of its spec. */
function policy(spec: Record<string, unknown>): Manifest {
  const p = networkPolicy('demo');
  return { ...p, spec: { ...(p.spec as Record<string, unknown>), ...spec } };
}

/** The findings on one policy, as [message, value, fix]. */
function judged(spec: Record<string, unknown>): string[][] {
  return check(RULE, env([obj(policy(spec))])).map((f) => [f.message, f.value ?? '', f.fix ?? '']);
}

describe(RULE, () => {
  test('passes the synthesized dev environment (must-not-fire)', () => {
    expect(check(RULE, env([...built('dev').output.objects]))).toEqual([]);
  });

  test('passes policy types as a list, ports as a list of maps, and either absent or null (must-not-fire)', () => {
    expect(judged({ policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 8080 }, { port: 'http', protocol: 'TCP' }] }, {}], egress: [{ ports: null }] })).toEqual([]);
    expect(judged({ policyTypes: null })).toEqual([]);
    expect(judged({ policyTypes: undefined })).toEqual([]);
  });

  test('fails when policyTypes is a string (read as absent, it would isolate Ingress only)', () => {
    expect(judged({ policyTypes: 'Egress' })).toEqual([['spec.policyTypes is "Egress", but it must be a list of Ingress, Egress or both; the API server refuses the object.', '"Egress"', 'Make spec.policyTypes a list, e.g. [Ingress, Egress].']]);
  });

  test('fails when policyTypes is a number or a map', () => {
    expect(judged({ policyTypes: 2 })).toEqual([['spec.policyTypes is 2, but it must be a list of Ingress, Egress or both; the API server refuses the object.', '2', 'Make spec.policyTypes a list, e.g. [Ingress, Egress].']]);
    expect(judged({ policyTypes: { Ingress: true } })[0][0]).toBe('spec.policyTypes is {"Ingress":true}, but it must be a list of Ingress, Egress or both; the API server refuses the object.');
  });

  test('fails when a policy type is not Ingress or Egress (read as written, it would isolate nothing)', () => {
    expect(judged({ policyTypes: ['ingress', 'Egress', 7] })).toEqual([
      ['spec.policyTypes[0] is "ingress", but a policy type is Ingress or Egress, as written; the API server refuses the object.', '"ingress"', 'Set spec.policyTypes[0] to Ingress or Egress.'],
      ['spec.policyTypes[2] is 7, but a policy type is Ingress or Egress, as written; the API server refuses the object.', '7', 'Set spec.policyTypes[2] to Ingress or Egress.'],
    ]);
  });

  test('fails when the ports of an ingress rule are a number or a string (read as absent, they would admit every port)', () => {
    expect(judged({ ingress: [{ ports: 8080 }, { ports: 'http' }] })).toEqual([
      ['spec.ingress[0].ports is 8080, but it must be a list of ports; the API server refuses the object.', '8080', 'Make spec.ingress[0].ports a list, e.g. [{port: 8080, protocol: TCP}].'],
      ['spec.ingress[1].ports is "http", but it must be a list of ports; the API server refuses the object.', '"http"', 'Make spec.ingress[1].ports a list, e.g. [{port: 8080, protocol: TCP}].'],
    ]);
  });

  test('fails when the ports of an egress rule are a map (read as absent, they would admit every port)', () => {
    expect(judged({ policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: { port: 53, protocol: 'UDP' } }] })).toEqual([
      ['spec.egress[0].ports is {"port":53,"protocol":"UDP"}, but it must be a list of ports; the API server refuses the object.', '{"port":53,"protocol":"UDP"}', 'Make spec.egress[0].ports a list, e.g. [{port: 8080, protocol: TCP}].'],
    ]);
  });

  test('fails when a port is not a map (read as no port, it would admit every port)', () => {
    expect(judged({ ingress: [{ ports: [8080, { port: 9090 }, null] }] })).toEqual([
      ['spec.ingress[0].ports[0] is 8080, but each port must be a map of port, protocol and endPort; the API server refuses the object.', '8080', 'Write spec.ingress[0].ports[0] as a map, e.g. {port: 8080, protocol: TCP}.'],
      ['spec.ingress[0].ports[2] is null, but each port must be a map of port, protocol and endPort; the API server refuses the object.', 'null', 'Write spec.ingress[0].ports[2] as a map, e.g. {port: 8080, protocol: TCP}.'],
    ]);
  });

  test('fails when NetworkPolicies have policyTypes or ports that are not lists: gitplane policy --dir names the file, object and field of each, and no rule fails judging them', () => {
    const spec = (s: Record<string, unknown>) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, ...s });
    const objects = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'types', namespace: 'web' }, spec: spec({ policyTypes: 'Ingress', ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }] }) },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'ports', namespace: 'web' }, spec: spec({ policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: { port: 8080 } }], egress: [{ ports: ['53'] }] }) },
    ];
    const { dir, rows } = policyDirFindings(RULE, objects);
    expect(rows).toEqual([
      [`${dir}/web.yaml`, 'NetworkPolicy/web/ports', 'spec.egress[0].ports[0] is "53", but each port must be a map of port, protocol and endPort; the API server refuses the object.', 'Write spec.egress[0].ports[0] as a map, e.g. {port: 8080, protocol: TCP}.'],
      [`${dir}/web.yaml`, 'NetworkPolicy/web/ports', 'spec.ingress[0].ports is {"port":8080}, but it must be a list of ports; the API server refuses the object.', 'Make spec.ingress[0].ports a list, e.g. [{port: 8080, protocol: TCP}].'],
      [`${dir}/web.yaml`, 'NetworkPolicy/web/types', 'spec.policyTypes is "Ingress", but it must be a list of Ingress, Egress or both; the API server refuses the object.', 'Make spec.policyTypes a list, e.g. [Ingress, Egress].'],
    ]);
  });
});
