/**
 * The Pod Security Standards as Kubernetes 1.34's PodSecurity admission applies them to a pod
 * spec: the `baseline` checks, and for `restricted` those plus its own. Each violation names the
 * field, as the admission's "violates PodSecurity" warning does.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export type Level = 'privileged' | 'baseline' | 'restricted';

/** Capabilities baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Every container of the pod with its field path. */
function containersOf(pod: any): { c: any; path: string }[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((field) => ((pod[field] ?? []) as any[]).map((c, i) => ({ c, path: `${field}[${i}]` })));
}

function baseline(pod: any, annotations: Record<string, string>): string[] {
  const v: string[] = [];
  const all = containersOf(pod);
  if (pod.securityContext?.windowsOptions?.hostProcess === true) v.push('securityContext.windowsOptions.hostProcess: true');
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[ns] === true) v.push(`${ns}: true`);
  for (const volume of (pod.volumes ?? []) as any[]) if (volume.hostPath) v.push(`volumes[${volume.name}].hostPath`);
  const contexts = [{ sc: pod.securityContext, path: 'securityContext' }, ...all.map(({ c, path }) => ({ sc: c.securityContext, path: `${path}.securityContext` }))];
  for (const { sc, path } of contexts) {
    if (sc?.seccompProfile?.type === 'Unconfined') v.push(`${path}.seccompProfile.type: Unconfined`);
    if (sc?.appArmorProfile?.type === 'Unconfined') v.push(`${path}.appArmorProfile.type: Unconfined`);
    if (sc?.seLinuxOptions && (!SELINUX_TYPES.has(sc.seLinuxOptions.type ?? '') || sc.seLinuxOptions.user || sc.seLinuxOptions.role)) v.push(`${path}.seLinuxOptions`);
  }
  for (const { c, path } of all) {
    if (c.securityContext?.windowsOptions?.hostProcess === true) v.push(`${path}.securityContext.windowsOptions.hostProcess: true`);
    if (c.securityContext?.privileged === true) v.push(`${path}.securityContext.privileged: true`);
    for (const cap of (c.securityContext?.capabilities?.add ?? []) as string[]) if (!BASELINE_CAPABILITIES.has(cap)) v.push(`${path}.securityContext.capabilities.add: ${cap}`);
    for (const port of (c.ports ?? []) as any[]) if (port.hostPort) v.push(`${path}.ports[${port.containerPort}].hostPort: ${port.hostPort}`);
    if (c.securityContext?.procMount && c.securityContext.procMount !== 'Default') v.push(`${path}.securityContext.procMount: ${c.securityContext.procMount}`);
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) v.push(`annotation ${key}: ${value}`);
  }
  for (const s of (pod.securityContext?.sysctls ?? []) as any[]) if (!SAFE_SYSCTLS.has(s.name)) v.push(`securityContext.sysctls: ${s.name}`);
  return v;
}

function restricted(pod: any): string[] {
  const v: string[] = [];
  const all = containersOf(pod);
  for (const volume of (pod.volumes ?? []) as any[]) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type) && type !== 'hostPath') v.push(`volumes[${volume.name}].${type}`);
  }
  const podNonRoot = pod.securityContext?.runAsNonRoot === true;
  const podSeccomp = pod.securityContext?.seccompProfile?.type;
  if (pod.securityContext?.runAsUser === 0) v.push('securityContext.runAsUser: 0');
  if (pod.securityContext?.runAsNonRoot === false) v.push('securityContext.runAsNonRoot: false');
  for (const { c, path } of all) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) v.push(`${path}.securityContext.allowPrivilegeEscalation must be false`);
    if (sc.runAsNonRoot === false || (!podNonRoot && sc.runAsNonRoot !== true)) v.push(`${path}.securityContext.runAsNonRoot must be true`);
    if (sc.runAsUser === 0) v.push(`${path}.securityContext.runAsUser: 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${path}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost`);
    if (!((sc.capabilities?.drop ?? []) as string[]).includes('ALL')) v.push(`${path}.securityContext.capabilities.drop must include ALL`);
    for (const cap of (sc.capabilities?.add ?? []) as string[]) if (cap !== 'NET_BIND_SERVICE') v.push(`${path}.securityContext.capabilities.add: ${cap}`);
  }
  return v;
}

/** What the level forbids in a pod spec (with its template's annotations); none for `privileged`. */
export function podSecurityViolations(level: Level, pod: any, annotations: Record<string, string> = {}): string[] {
  if (level === 'privileged') return [];
  return level === 'baseline' ? baseline(pod, annotations) : [...baseline(pod, annotations), ...restricted(pod)];
}
