import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { NodePreflight } from '../../constructs/node/preflight';
import { parseEnvironment } from '../../stacks/environment';
import { findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { gitplane } from '../support/cli';
import { built, manifests, variant } from '../support/environments';
import { testApp } from '../support/cdk8s';

const SCRIPT = path.resolve(__dirname, '../../constructs/node/preflight/preflight.sh');

describe.each([
  ['prod', ['amd64', 'arm64']],
  ['pi-edge', ['arm64']],
  // staging names no architectures: its nodes' (all amd64), not a fixed arm64 that no node has.
  ['staging', ['amd64']],
])('%s node preflight', (env, archs) => {
  const ds = () => findOne(manifests(env), 'DaemonSet', 'node-preflight') as any;

  test('the DaemonSet and its Application are in the earliest wave', () => {
    expect(ds().metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Preflight));
    const app = findOne(manifests(env), env === 'pi-edge' ? 'ApplicationSet' : 'Application', `${env}-node-preflight`);
    expect(app.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toBe('-30');
    expect(Wave.Preflight).toBe(Math.min(...Object.values(Wave)));
  });

  test('runs on the architectures the spec selects, reading the host read-only and writing textfile metrics', () => {
    const spec = ds().spec.template.spec;
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: archs },
    ]);
    expect(spec.hostNetwork).toBe(true);
    const c = spec.containers[0];
    for (const p of ['/host/proc', '/host/sys', '/host/boot']) expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: p, readOnly: true }));
    expect(spec.volumes).toContainEqual({ name: 'textfile', hostPath: { path: '/var/lib/node-exporter/textfile', type: 'DirectoryOrCreate' } });
    expect(c.command[2]).toContain('--textfile /textfile');
    expect(c.command[2]).not.toContain('--fix');
    expect(c.readinessProbe.exec.command).toEqual(['/bin/sh', '/opt/gitplane/preflight.sh', '--root', '/host']);
    // Liveness: the loop rewrote the textfile within three intervals (300 s each, so 16 minutes).
    expect(c.livenessProbe.exec.command[2]).toBe('test -n "$(find /textfile/gitplane_preflight.prom -mmin -16 2>/dev/null)"');
    // Only containerd's directory of /etc, read-only; the reason for root is stated.
    expect(spec.volumes).toContainEqual({ name: 'host-containerd', hostPath: { path: '/etc/containerd', type: 'DirectoryOrCreate' } });
    expect(spec.volumes.map((v: any) => v.hostPath?.path)).not.toContain('/etc');
    expect(c.volumeMounts).toContainEqual({ name: 'host-containerd', mountPath: '/host/etc/containerd', readOnly: true });
    expect(ds().spec.template.metadata.annotations['gitplane.dev/privileged-reason']).toMatch(/uid 0/);
  });

  test('keeps the fields cdk8s-plus does not model, and selects pods by gitplane\'s labels only', () => {
    const spec = ds().spec.template.spec;
    expect(ds().spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } });
    expect([spec.priorityClassName, spec.enableServiceLinks, spec.dnsPolicy, spec.tolerations]).toEqual(['system-node-critical', false, 'ClusterFirstWithHostNet', [{ operator: 'Exists' }]]);
    expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(Object.keys(ds().spec.selector.matchLabels).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    expect(Object.keys(ds().spec.template.metadata.labels).filter((k) => k.startsWith('cdk8s.io/'))).toEqual([]);
  });

  test('creates its own privileged namespace in its own wave; the namespaces application does not', () => {
    const ns = findOne(manifests(env), 'Namespace', 'node-preflight') as any;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Preflight));
    const owner = built(env).output.objects.find((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata?.name === 'node-preflight');
    expect(owner?.app).toBe('node-preflight');
  });

  test('the ConfigMap carries preflight.sh byte for byte', () => {
    expect((findOne(manifests(env), 'ConfigMap', 'node-preflight') as any).data['preflight.sh']).toBe(fs.readFileSync(SCRIPT, 'utf8'));
  });
});

test('fix and RWX in the spec turn on --fix with writable /boot and /run, and the NFS check', () => {
  const spec = variant('pi-edge', (s) => {
    s.components.preflight.fix = true;
    s.components.longhorn.rwx = true;
  });
  const ds = findOne(synthEnvironment(spec).objects.map((o) => o.manifest), 'DaemonSet', 'node-preflight') as any;
  const c = ds.spec.template.spec.containers[0];
  expect(c.command[2]).toContain('--root /host --fix --textfile /textfile');
  expect(c.volumeMounts).toContainEqual({ name: 'host-boot', mountPath: '/host/boot', readOnly: false });
  expect(c.volumeMounts).toContainEqual({ name: 'host-run', mountPath: '/host/run', readOnly: false });
  expect(c.env).toContainEqual({ name: 'PREFLIGHT_REQUIRE_NFS', value: '1' });
});

describe('components.preflight.architectures', () => {
  const file = (preflight: string) => parse(`
name: edge
tier: edge
cluster:
  name: edge
  distribution: kubeadm
  kubernetesVersion: 1.34.2
  nodes:
    - { name: edge-w-1, arch: arm64, roles: [worker, storage] }
    - { name: edge-cp-1, arch: amd64, roles: [control-plane] }
    - { name: edge-w-2, arch: arm64, roles: [worker, storage] }
gitops:
  repoURL: https://git.example.com/platform/gitops.git
  runbookBaseUrl: https://git.example.com/platform/gitops/src/branch/main/edge/runbooks
${preflight}`);
  const parse = (text: string) => parseEnvironment(text, 'environments/edge.yaml').components.preflight.architectures;

  test('defaults to the architectures of cluster.nodes, each once, in code-point order', () => {
    expect(file('')).toEqual(['amd64', 'arm64']);
  });
  test('keeps the architectures the file names', () => {
    expect(file('components:\n  preflight:\n    architectures: [arm64]\n')).toEqual(['arm64']);
  });
});

test('fails when no architecture is selected', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new NodePreflight(chart, 'p', { app: { name: 'p', instance: 'p', component: 'c' }, script: '', image: 'i', architectures: [] })).toThrow(
    'NodePreflight: architectures is empty, so no node would be checked.',
  );
});

describe('gitplane preflight', () => {
  test('--emit-script prints the same script the DaemonSet runs', () => {
    const r = gitplane(['preflight', '--emit-script']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(SCRIPT, 'utf8'));
  });

  test('fails with exit 2 without --emit-script or with an unknown flag', () => {
    expect(gitplane(['preflight']).status).toBe(2);
    expect(gitplane(['preflight', '--bogus']).status).toBe(2);
  });

  test('--help explains the command', () => {
    const r = gitplane(['preflight', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gitplane preflight --emit-script > preflight.sh');
  });
});
