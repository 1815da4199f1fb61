import { objectRef } from '../../stacks/objects';
import { alertingRules } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { EnvironmentRule, PolicyEnvironment, RuleFinding } from '../types';

/** Kinds whose presence is a policy decision: disruption budgets, network policies, alerts, backups. */
export const FLEET_KINDS = ['PodDisruptionBudget', 'NetworkPolicy', 'PrometheusRule', 'CronJob'] as const;

export const rule: EnvironmentRule = {
  id: 'fleet-parity',
  scope: 'environment',
  severity: 'error',
  pack: 'fleet',
  description: `Environments of the same tier carry the same policy-relevant objects (${FLEET_KINDS.join(', ')}) and the same alerts.`,
  rationale: 'A PodDisruptionBudget, NetworkPolicy, alert or backup that exists in one production cluster but not its sibling is a gap nobody sees until the sibling fails.',
  remediation: 'Enable the same components in every environment of the tier, or move the environment to another tier.',
  docsUrl: docsUrl('fleet-parity'),
  kinds: FLEET_KINDS,
  check(ctx) {
    if (ctx.peers.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    const mine = inventory(ctx.env);
    for (const peer of ctx.peers) {
      for (const [key, object] of inventory(peer)) {
        if (!mine.has(key)) {
          findings.push({ message: `${key} exists in ${peer.name} (same tier) but not in ${ctx.env.name}.`, value: key, object: { ...object, file: `(missing; see ${peer.root}/${object.file})`, constructPath: undefined } });
        }
      }
    }
    return findings;
  },
};

/** Policy-relevant objects and alerts by a stable key. */
function inventory(env: PolicyEnvironment) {
  const items = new Map<string, PolicyEnvironment['objects'][number]>();
  for (const o of env.objects) {
    if (!(FLEET_KINDS as readonly string[]).includes(o.manifest.kind)) continue;
    items.set(objectRef(o.manifest), o);
    for (const a of alertingRules(o)) items.set(`alert ${a.alert}`, o);
  }
  return items;
}
