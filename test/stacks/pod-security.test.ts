/** Every pod gitplane runs meets the Pod Security level its namespace enforces. */
import { fromBuilt } from '../../policies/inputs';
import { namespaceOf } from '../../policies/lib/argocd';
import { podTemplate } from '../../policies/lib/workloads';
import { PolicyContext } from '../../policies/types';
import { findOne, Manifest, RenderedObject } from '../../stacks/objects';
import { HOST_AGENTS_NAMESPACE, MONITORING_NAMESPACE } from '../../stacks/apps/catalog';
import { ENVIRONMENTS, built, manifests } from '../support/environments';
import { Level, podSecurityViolations } from '../support/pod-security';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/** `Kind namespace/name: violation` for every pod template of the environment that its namespace's enforced level refuses. */
function violations(name: string, objects = fromBuilt(built(name)).objects): string[] {
  const e = { ...fromBuilt(built(name)), objects };
  const ctx = { env: e, objects, files: e.files, spec: e.spec, peers: [], today: '2026-11-29' } as PolicyContext;
  const levels = new Map(objects.filter((o) => o.manifest.kind === 'Namespace').map((o) => [o.manifest.metadata.name, o.manifest.metadata.labels?.[ENFORCE] as Level | undefined]));
  return objects.flatMap((o) => {
    const t = podTemplate(o.manifest);
    if (!t || !appliedByArgoCd(o.manifest)) return [];
    const namespace = namespaceOf(o, ctx);
    const where = `${o.manifest.kind} ${namespace}/${o.manifest.metadata.name}`;
    if (!levels.has(namespace)) return [`${where}: namespace ${namespace} is not in the output`];
    const level = levels.get(namespace);
    if (!level) return [`${where}: namespace ${namespace} enforces no Pod Security level`];
    return podSecurityViolations(level, t.spec, t.metadata.annotations ?? {}).map((v) => `${where} (${level}): ${v}`);
  });
}

/**
 * Whether Argo CD creates the object: a Helm hook it maps to a sync phase (install and upgrade
 * hooks) or no hook at all; it never runs Helm's test, delete and rollback hooks (gitops-engine's
 * hook/helm types).
 */
function appliedByArgoCd(m: Manifest): boolean {
  const hook = m.metadata.annotations?.['helm.sh/hook'];
  return hook === undefined || hook.split(',').some((h) => ['crd-install', 'pre-install', 'pre-upgrade', 'post-install', 'post-upgrade'].includes(h.trim()));
}

describe.each(ENVIRONMENTS)('%s', (name) => {
  test('every pod meets the Pod Security level its namespace enforces', () => {
    expect(violations(name)).toEqual([]);
  });

  test('monitoring enforces restricted; only the host collectors\' namespace is privileged', () => {
    const level = (ns: string) => findOne(manifests(name), 'Namespace', ns).metadata.labels?.[ENFORCE];
    expect(level(MONITORING_NAMESPACE)).toBe('restricted');
    expect(level(HOST_AGENTS_NAMESPACE)).toBe('privileged');
    expect(findOne(manifests(name), 'DaemonSet', 'otel-agent').metadata.namespace).toBe(HOST_AGENTS_NAMESPACE);
    const kps = built(name).output.releases.get('observability-prometheus')!.values as { 'prometheus-node-exporter': { namespaceOverride?: string } };
    expect(kps['prometheus-node-exporter'].namespaceOverride).toBe(HOST_AGENTS_NAMESPACE);
  });
});

test('fails when the OTel agent runs in monitoring, which enforces restricted', () => {
  const objects = fromBuilt(built('prod')).objects.map((o) => (o.manifest.kind === 'DaemonSet' && o.manifest.metadata.name === 'otel-agent' ? { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, namespace: MONITORING_NAMESPACE } } } : o));
  expect(violations('prod', objects)).toEqual([
    'DaemonSet monitoring/otel-agent (restricted): volumes[varlogpods].hostPath',
    'DaemonSet monitoring/otel-agent (restricted): volumes[hostfs].hostPath',
    'DaemonSet monitoring/otel-agent (restricted): containers[0].securityContext.runAsNonRoot must be true',
    'DaemonSet monitoring/otel-agent (restricted): containers[0].securityContext.runAsUser: 0',
  ]);
});

test("passes a chart's Helm test Pod, which Argo CD never creates (must-not-fire)", () => {
  const testPod: RenderedObject = {
    manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kps-grafana-test', namespace: MONITORING_NAMESPACE, annotations: { 'helm.sh/hook': 'test' } }, spec: { containers: [{ name: 'test', image: 'docker.io/bats/bats:v1.4.1' }] } },
    app: 'observability-prometheus',
    file: 'charts/observability-prometheus/pod-kps-grafana-test.yaml',
  };
  expect(violations('prod', [...fromBuilt(built('prod')).objects, testPod])).toEqual([]);
  const installHook = { ...testPod, manifest: { ...testPod.manifest, metadata: { ...testPod.manifest.metadata, annotations: { 'helm.sh/hook': 'test,post-install' } } } };
  expect(violations('prod', [...fromBuilt(built('prod')).objects, installHook])).toHaveLength(4);
});

describe('the Pod Security Standards check', () => {
  const good = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
  const mutated = (change: (pod: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = structuredClone(good);
    change(pod);
    return pod;
  };

  test('passes a restricted pod, and anything under privileged (must-not-fire)', () => {
    expect(podSecurityViolations('restricted', good)).toEqual([]);
    expect(podSecurityViolations('privileged', mutated((p) => (p.hostPID = true)))).toEqual([]);
  });

  test('fails when baseline meets a host namespace, a privileged container, an added capability outside its list, a host port or an unsafe sysctl', () => {
    const pod = mutated((p) => {
      p.hostNetwork = true;
      p.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }];
      p.containers[0].securityContext = { privileged: true, capabilities: { add: ['SYS_ADMIN', 'CHOWN'] } };
      p.containers[0].ports = [{ containerPort: 80, hostPort: 80 }];
    });
    expect(podSecurityViolations('baseline', pod)).toEqual([
      'hostNetwork: true',
      'containers[0].securityContext.privileged: true',
      'containers[0].securityContext.capabilities.add: SYS_ADMIN',
      'containers[0].ports[80].hostPort: 80',
      'securityContext.sysctls: kernel.msgmax',
    ]);
  });

  test('fails when restricted meets privilege escalation, root, no seccomp profile, capabilities kept, or a volume type outside its list', () => {
    const pod = mutated((p) => {
      p.securityContext = {};
      p.initContainers = [{ name: 'init', securityContext: { runAsUser: 0, capabilities: { add: ['NET_BIND_SERVICE'] } } }];
      p.volumes = [{ name: 'nfs', nfs: { server: 'nfs.example.com', path: '/' } }];
    });
    expect(podSecurityViolations('restricted', pod)).toEqual([
      'volumes[nfs].nfs',
      'initContainers[0].securityContext.allowPrivilegeEscalation must be false',
      'initContainers[0].securityContext.runAsNonRoot must be true',
      'initContainers[0].securityContext.runAsUser: 0',
      'initContainers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost',
      'initContainers[0].securityContext.capabilities.drop must include ALL',
      'containers[0].securityContext.runAsNonRoot must be true',
      'containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost',
    ]);
  });
});
