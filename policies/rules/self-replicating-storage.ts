import { REPLICATION_FACTOR } from '../../constructs/core/labels';
import { docsUrl } from '../lib/docs-url';
import { named, ofKind } from '../lib/lookup';
import { ObjectRule, RuleFinding } from '../types';

const LONGHORN = 'driver.longhorn.io';

/** The StorageClass a claim gets: the one it names, or the one marked default. */
function storageClass(ctx: Parameters<ObjectRule['check']>[1], name: string | undefined) {
  if (name !== undefined) return named(ctx, 'StorageClass', name);
  return ofKind(ctx, 'StorageClass').find((o) => o.manifest.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
}

export const rule: ObjectRule = {
  id: 'self-replicating-storage',
  scope: 'object',
  severity: 'warning',
  pack: 'hygiene',
  description: `A StatefulSet whose software keeps its own copies of its data (annotation ${REPLICATION_FACTOR} above 1) puts its volumes on a Longhorn StorageClass with one replica.`,
  rationale:
    'A JetStream stream with 3 replicas, or an etcd of 3 members, already survives the loss of a node; on a StorageClass with 3 Longhorn replicas every write is stored 9 times and crosses the network twice, which costs disk and latency (and SD-card life on Raspberry Pis) without tolerating one more failure.',
  remediation: 'Use the longhorn-quorum StorageClass (one strict-local replica) for the volume claim templates, or a class of your own with numberOfReplicas "1".',
  docsUrl: docsUrl('self-replicating-storage'),
  kinds: ['StatefulSet'],
  check(object, ctx) {
    const factor = Number(object.manifest.metadata?.annotations?.[REPLICATION_FACTOR] ?? 1);
    if (!(factor > 1)) return 'not-applicable';
    const claims = ((object.manifest.spec as { volumeClaimTemplates?: { metadata?: { name?: string }; spec?: { storageClassName?: string } }[] })?.volumeClaimTemplates ?? []);
    const findings: RuleFinding[] = [];
    for (const claim of claims) {
      const sc = storageClass(ctx, claim.spec?.storageClassName);
      const params = sc?.manifest as { provisioner?: string; parameters?: Record<string, string> } | undefined;
      const replicas = Number(params?.parameters?.numberOfReplicas ?? 0);
      if (!sc || params?.provisioner !== LONGHORN || !(replicas > 1)) continue;
      findings.push({
        message: `Volume claim template ${claim.metadata?.name} is on StorageClass ${sc.manifest.metadata.name} with ${replicas} Longhorn replicas while the software keeps ${factor} copies itself: every write is stored ${factor * replicas} times.`,
        value: `${REPLICATION_FACTOR}: "${factor}", numberOfReplicas: "${replicas}"`,
      });
    }
    return findings;
  },
};
