import { check, env, goodDeployment, messages, obj } from '../support';

const mount = (path: string, readOnly: boolean) =>
  obj(goodDeployment((d) => {
    d.spec.template.spec.volumes = [{ name: 'host', hostPath: { path } }];
    d.spec.template.spec.containers[0].volumeMounts = [{ name: 'host', mountPath: '/host', readOnly }];
  }));

describe('host-path-allowed', () => {
  test('passes an allow-listed path mounted read-only and Longhorn\'s data path (must-not-fire)', () => {
    expect(check('host-path-allowed', env([mount('/proc', true)]))).toEqual([]);
    expect(check('host-path-allowed', env([mount('/var/lib/longhorn/replicas', false)]))).toEqual([]);
  });
  test('fails when the path is not in the allow-list', () => {
    expect(messages(check('host-path-allowed', env([mount('/var/run/containerd/containerd.sock', true)])))).toEqual(['host-path-allowed: volume host mounts host path /var/run/containerd/containerd.sock, which is not in the allow-list.']);
  });
  test('fails when a read-only path is mounted writable', () => {
    expect(check('host-path-allowed', env([mount('/sys', false)]))[0].message).toBe('volume host mounts host path /sys writable; the allow-list permits it read-only (node preflight reads cgroup controllers and block devices).');
  });
  test('passes "/" itself read-only, which allows no path below it (must-not-fire)', () => {
    expect(check('host-path-allowed', env([mount('/', true)]))).toEqual([]);
    expect(messages(check('host-path-allowed', env([mount('/root', true)])))).toEqual(['host-path-allowed: volume host mounts host path /root, which is not in the allow-list.']);
  });
  test('passes a host namespace the allow-list names for that workload (must-not-fire)', () => {
    const preflight = obj(goodDeployment((d) => {
      d.kind = 'DaemonSet';
      d.metadata = { ...d.metadata, name: 'node-preflight', namespace: 'node-preflight' };
      d.spec.template.spec.hostNetwork = true;
    }));
    expect(check('host-path-allowed', env([preflight]))).toEqual([]);
  });
  test('fails when an allow-listed workload uses a host namespace its entry does not name', () => {
    const preflight = obj(goodDeployment((d) => {
      d.kind = 'DaemonSet';
      d.metadata = { ...d.metadata, name: 'node-preflight', namespace: 'node-preflight' };
      d.spec.template.spec.hostPID = true;
    }));
    expect(messages(check('host-path-allowed', env([preflight])))).toEqual(["host-path-allowed: the pod uses the host's namespace (spec.template.spec.hostPID: true)."]);
  });
  test('fails when the pod uses the host network', () => {
    expect(messages(check('host-path-allowed', env([obj(goodDeployment((d) => (d.spec.template.spec.hostNetwork = true)))])))).toEqual(["host-path-allowed: the pod uses the host's namespace (spec.template.spec.hostNetwork: true)."]);
  });
});
