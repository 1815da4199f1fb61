import { objectRef } from '../../stacks/objects';
import { HOST_NAMESPACE_ALLOWLIST, hostPathAllowlist } from '../data/host-paths';
import { docsUrl } from '../lib/docs-url';
import { containers, podTemplate, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';
import { mapsOf } from '../lib/shape';

export const rule: ObjectRule = {
  id: 'host-path-allowed',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'hostPath volumes only mount paths in the allow-list of policies/data/host-paths.ts (each with its reason), read-only where the list says so; no host network, PID or IPC namespace unless that list names the workload and the namespace.',
  rationale: 'A hostPath mount of the wrong directory (/, /var/run/containerd.sock, /etc) is root on the node. The few mounts the platform needs are listed with their reasons so a new one is a reviewed change.',
  remediation: 'Mount only an allow-listed path (read-only where listed), or add the path (or the workload\'s host namespace) with its reason to policies/data/host-paths.ts.',
  docsUrl: docsUrl('host-path-allowed'),
  kinds: WORKLOAD_KINDS,
  charts: false,
  check(object, ctx) {
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    const allow = hostPathAllowlist(ctx.spec?.components.longhorn.enabled ? ctx.spec.components.longhorn.dataPath : undefined);
    const findings: RuleFinding[] = [];
    const allowedNamespaces = HOST_NAMESPACE_ALLOWLIST.find((e) => e.object === objectRef(object.manifest))?.namespaces ?? [];
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (t.spec[ns] === true && !allowedNamespaces.includes(ns)) findings.push({ message: `the pod uses the host's namespace (${t.path}.${ns}: true).`, value: `${ns}: true` });
    }
    for (const v of mapsOf(t.spec.volumes) as { name: string; hostPath?: { path?: unknown } }[]) {
      if (!v.hostPath) continue;
      const p = String(v.hostPath.path ?? '').replace(/\/$/, '') || '/';
      const entry = allow.find((a) => p === a.path || p.startsWith(`${a.path}/`));
      if (!entry) {
        findings.push({ message: `volume ${v.name} mounts host path ${p}, which is not in the allow-list.`, value: p });
        continue;
      }
      if (!entry.readOnly) continue;
      const writable = containers(t).flatMap(({ container }) => mapsOf(container.volumeMounts) as { name: string; readOnly?: boolean }[]).filter((mnt) => mnt.name === v.name && mnt.readOnly !== true);
      if (writable.length > 0) findings.push({ message: `volume ${v.name} mounts host path ${p} writable; the allow-list permits it read-only (${entry.reason}).`, value: p, fix: `Set readOnly: true on every mount of volume ${v.name}.` });
    }
    return findings;
  },
};
