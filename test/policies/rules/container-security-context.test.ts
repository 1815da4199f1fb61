import { check, env, goodDeployment, obj } from '../support';

const run = (change: (d: any) => void) => check('container-security-context', env([obj(goodDeployment(change))])).map((f) => f.message); // eslint-disable-line @typescript-eslint/no-explicit-any
const sc = (d: any) => d.spec.template.spec.containers[0].securityContext; // eslint-disable-line @typescript-eslint/no-explicit-any
const suffix = 'the workload states no gitplane.dev/privileged-reason.';

describe('container-security-context', () => {
  test('passes the restricted profile (must-not-fire)', () => {
    expect(run(() => undefined)).toEqual([]);
  });
  test('passes a privileged container whose pod template states why (must-not-fire)', () => {
    expect(run((d) => {
      d.spec.template.spec.containers[0].securityContext = { privileged: true, runAsUser: 0 };
      d.spec.template.metadata.annotations = { 'gitplane.dev/privileged-reason': 'reads /boot/firmware/cmdline.txt on the host' };
    })).toEqual([]);
  });
  test('fails when a container is privileged without a stated reason', () => {
    expect(run((d) => (sc(d).privileged = true))).toEqual([`container demo (spec.template.spec.containers[0].securityContext): privileged: true; ${suffix}`]);
  });
  test('fails when the container may run as root', () => {
    expect(run((d) => delete sc(d).runAsNonRoot)).toEqual([`container demo (spec.template.spec.containers[0].securityContext): not runAsNonRoot; ${suffix}`]);
  });
  test('fails when the root filesystem is writable', () => {
    expect(run((d) => (sc(d).readOnlyRootFilesystem = false))).toEqual([`container demo (spec.template.spec.containers[0].securityContext): root filesystem writable; ${suffix}`]);
  });
  test('fails when privilege escalation is allowed', () => {
    expect(run((d) => delete sc(d).allowPrivilegeEscalation)).toEqual([`container demo (spec.template.spec.containers[0].securityContext): allowPrivilegeEscalation not false; ${suffix}`]);
  });
  test('fails when capabilities are not dropped or are added', () => {
    expect(run((d) => (sc(d).capabilities = { add: ['NET_ADMIN'] }))).toEqual([`container demo (spec.template.spec.containers[0].securityContext): capabilities not dropped (drop: [ALL]); capabilities added (NET_ADMIN); ${suffix}`]);
  });
  test('fails when no seccomp profile is set', () => {
    expect(run((d) => delete sc(d).seccompProfile)).toEqual([`container demo (spec.template.spec.containers[0].securityContext): seccomp profile unset; ${suffix}`]);
  });
});
