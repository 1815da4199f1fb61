import { Manifest, objectRef } from '../../stacks/objects';

describe('objectRef', () => {
  const object = (metadata: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata }) as Manifest;

  test('spells Kind/namespace/name, or Kind/name without a namespace', () => {
    expect(objectRef(object({ name: 'grafana', namespace: 'monitoring' }))).toBe('ConfigMap/monitoring/grafana');
    expect(objectRef({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } })).toBe('Namespace/monitoring');
    expect(objectRef(object({ name: 'grafana', namespace: '' }))).toBe('ConfigMap/grafana');
  });

  test('spells what an unchecked object holds as a template string would (a base tree gitplane diff reads)', () => {
    expect(objectRef(object({ namespace: 'monitoring' }))).toBe('ConfigMap/monitoring/undefined');
    expect(objectRef(object({ name: null }))).toBe('ConfigMap/null');
    expect(objectRef(object({ name: 7, namespace: 3 }))).toBe('ConfigMap/3/7');
  });
});
