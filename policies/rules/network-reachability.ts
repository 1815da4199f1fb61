import { Manifest } from '../../stacks/objects';
import { docsUrl } from '../lib/docs-url';
import { perEnvironment, ofKind } from '../lib/lookup';
import { connect } from '../lib/network-policy';
import { Hop, telemetryTraffic } from '../lib/traffic';
import { WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule, PolicyContext, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'network-reachability',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description:
    'Every connection the telemetry needs is allowed by the NetworkPolicies in force, Helm charts\' included: Prometheus to each target of the ServiceMonitors and PodMonitors it selects and to its Alertmanagers, and every pod to the in-cluster addresses of the configurations it reads (collector agent to gateway, gateway to Loki, Tempo and Prometheus, Grafana to its datasources).',
  rationale:
    'A NetworkPolicy fails closed and silently: a blocked scrape leaves its alerts and dashboards without data, a blocked exporter drops logs and traces, and nothing reports it where NetworkPolicy is enforced (k3s does it by default). Policies from different owners (a chart\'s, gitplane\'s) add up only where one of them admits the traffic.',
  remediation:
    'Add a NetworkPolicy that selects the receiving pods and admits the sender\'s namespace (and pods) on the port, or an egress rule for the sender; policies add up, so a chart\'s own policy can stay.',
  docsUrl: docsUrl('network-reachability'),
  kinds: ['ServiceMonitor', 'PodMonitor', 'Prometheus', 'ConfigMap', ...WORKLOAD_KINDS],
  check(object, ctx) {
    const hops = hopsByObject(ctx).get(object.manifest);
    if (!hops) return 'not-applicable';
    const policies = ofKind(ctx, 'NetworkPolicy').map((o) => o.manifest);
    const { namespaces } = traffic(ctx);
    return hops.flatMap((hop): RuleFinding[] => {
      const verdict = connect(policies, namespaces, { from: hop.from, to: hop.to, port: hop.port, protocol: hop.protocol });
      if (verdict.allowed) return [];
      const ingress = verdict.direction === 'Ingress';
      const names = verdict.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      const port = `${hop.port}${hop.portName ? ` (${hop.portName})` : ''}${hop.protocol === 'TCP' ? '' : `/${hop.protocol}`}`;
      return [
        {
          message: `${hop.from.name} ${hop.purpose}, but cannot reach ${hop.to.name} on port ${port}${hop.via ? ` through ${hop.via}` : ''}: NetworkPolicy ${names.join(', ')} ${names.length === 1 ? 'selects' : 'select'} the ${ingress ? 'receiving' : 'sending'} pods for ${verdict.direction} and ${names.length === 1 ? 'admits' : 'admit'} none of this traffic.`,
          value: `${hop.from.name} -> ${hop.to.name}:${hop.port}/${hop.protocol}`,
          fix: ingress
            ? `Add a NetworkPolicy in namespace ${hop.to.namespace} that selects the pods of ${hop.to.name} (${labelText(hop.to.labels)}) and admits ingress from namespace ${hop.from.namespace}${podsOf(hop.from.labels)} on port ${hop.port}.`
            : `Add an egress rule to a NetworkPolicy in namespace ${hop.from.namespace} that selects the pods of ${hop.from.name}, admitting namespace ${hop.to.namespace}${podsOf(hop.to.labels)} on port ${hop.port}.`,
        },
      ];
    });
  },
};

function traffic(ctx: PolicyContext) {
  return perEnvironment(ctx, 'telemetry-traffic', () => telemetryTraffic(ctx.objects));
}

/** The hops each object asks for. */
function hopsByObject(ctx: PolicyContext): Map<Manifest, Hop[]> {
  return perEnvironment(ctx, 'telemetry-hops-by-object', () => {
    const map = new Map<Manifest, Hop[]>();
    for (const hop of traffic(ctx).hops) map.set(hop.object.manifest, [...(map.get(hop.object.manifest) ?? []), hop]);
    return map;
  });
}

/** The label that names an application's pods, as `key=value`, when they carry one. */
function nameLabel(labels: Readonly<Record<string, string>>): string | undefined {
  const key = ['app.kubernetes.io/name', 'app'].find((k) => labels[k] !== undefined);
  return key && `${key}=${labels[key]}`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return nameLabel(labels) ?? (Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ') || 'no labels');
}

function podsOf(labels: Readonly<Record<string, string>>): string {
  const name = nameLabel(labels);
  return name ? ` (pods ${name})` : '';
}
