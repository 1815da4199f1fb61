import { docsUrl } from '../lib/docs-url';
import { WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule } from '../types';
import { ofKind, perEnvironment } from '../lib/lookup';

export const rule: ObjectRule = {
  id: 'network-policy-coverage',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every namespace that runs a workload has at least one NetworkPolicy, and no NetworkPolicy is empty of rules while selecting everything by accident.',
  rationale: 'Without a NetworkPolicy every pod accepts traffic from every other pod in the cluster; one compromised component reaches etcd backups, NATS and Prometheus alike.',
  remediation: 'Add a NetworkPolicy to the component that admits only the traffic it needs (default deny plus explicit ingress).',
  docsUrl: docsUrl('network-policy-coverage'),
  kinds: WORKLOAD_KINDS,
  charts: false,
  check(object, ctx) {
    const ns = object.manifest.metadata?.namespace;
    if (!ns) return 'not-applicable';
    const covered = perEnvironment(ctx, 'namespaces-with-network-policy', () => new Set(ofKind(ctx, 'NetworkPolicy').map((o) => o.manifest.metadata?.namespace)));
    if (covered.has(ns)) return [];
    return [{ message: `namespace ${ns} runs this workload but has no NetworkPolicy.`, value: ns }];
  },
};
