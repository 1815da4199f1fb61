import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { Manifest } from '../../../stacks/objects';
import { gitplane, tempDir } from '../../support/cli';
import { built } from '../../support/environments';
import { runPolicies } from '../../../policies/engine';
import { RULES } from '../../../policies/registry';
import { check, env, goodDeployment, messages, networkPolicy, obj, policyDirFindings, TODAY } from '../support';

const RULE = 'label-selector-operator';

/** A NetworkPolicy admitting ingress from the namespaces `namespaceSelector` picks. */
function admitting(namespaceSelector: Record<string, unknown>): Manifest {
  const p = networkPolicy('demo');
  (p.spec as Record<string, unknown>).ingress = [{ from: [{ namespaceSelector }] }];
  return p;
}

describe(RULE, () => {
  test('passes the synthesized dev environment (must-not-fire)', () => {
    expect(check(RULE, env([...built('dev').output.objects]))).toEqual([]);
  });

  test('passes every label selector operator, and Gt in node affinity, whose node selectors have it (must-not-fire)', () => {
    const expressions = [
      { key: 'tier', operator: 'In', values: ['a'] },
      { key: 'tier', operator: 'NotIn', values: ['b'] },
      { key: 'zone', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ];
    const d = goodDeployment((x) => {
      x.spec.template.spec.affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] }] } },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchExpressions: expressions } }] },
      };
    });
    expect(check(RULE, env([obj(d), obj(admitting({ matchExpressions: expressions }))]))).toEqual([]);
  });

  test('fails when a NetworkPolicy peer selects namespaces with an operator label selectors do not have', () => {
    const findings = check(RULE, env([obj(admitting({ matchExpressions: [{ key: 'team', operator: 'Equals', values: ['shop'] }] }))]));
    expect(messages(findings)).toEqual([
      `${RULE}: spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator is "Equals" (key "team"), which label selectors do not have; the API server refuses the object.`,
    ]);
    expect(findings.map((f) => [f.ref, f.value, f.fix])).toEqual([
      ['NetworkPolicy/demo/default-deny', '"Equals"', 'Set spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator to one of In, NotIn, Exists, DoesNotExist.'],
    ]);
  });

  test('fails when a pod anti-affinity label selector uses Gt, which only node selectors have', () => {
    const d = goodDeployment((x) => {
      x.spec.template.spec.affinity = {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] } }] },
      };
    });
    expect(messages(check(RULE, env([obj(d)])))).toEqual([
      `${RULE}: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator is "Gt" (key "cores"), which label selectors do not have; the API server refuses the object.`,
    ]);
  });

  test('fails when a pod affinity, anti-affinity or topology spread selector is a string, a list or a number, in a workload template or an operator resource', () => {
    const d = goodDeployment((x) => {
      x.spec.template.spec.affinity = {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: {}, namespaceSelector: ['team', 'ops'] } }] },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: 'app.kubernetes.io/name=demo' }] },
      };
      x.spec.template.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: 7 }];
    });
    const prometheus = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s', namespace: 'demo' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: 'app=prometheus' }] } };
    const findings = check(RULE, env([obj(d), obj(prometheus)]));
    expect(findings.map((f) => [f.ref, f.message, f.fix])).toEqual([
      [
        'Deployment/demo/demo',
        'spec.template.spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.namespaceSelector is ["team","ops"], but a label selector is a map of matchLabels and matchExpressions.',
        'Write spec.template.spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.namespaceSelector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.',
      ],
      [
        'Deployment/demo/demo',
        'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector is "app.kubernetes.io/name=demo", but a label selector is a map of matchLabels and matchExpressions.',
        'Write spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.',
      ],
      [
        'Deployment/demo/demo',
        'spec.template.spec.topologySpreadConstraints[0].labelSelector is 7, but a label selector is a map of matchLabels and matchExpressions.',
        'Write spec.template.spec.topologySpreadConstraints[0].labelSelector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.',
      ],
      [
        'Prometheus/demo/k8s',
        'spec.topologySpreadConstraints[0].labelSelector is "app=prometheus", but a label selector is a map of matchLabels and matchExpressions.',
        'Write spec.topologySpreadConstraints[0].labelSelector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.',
      ],
    ]);
  });

  test('fails when a pod anti-affinity selector is judged whole and also holds a bad expression: one finding for it, not two', () => {
    const d = goodDeployment((x) => {
      x.spec.template.spec.affinity = {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { tier: 'web', matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] } }] },
      };
    });
    expect(messages(check(RULE, env([obj(d)])))).toEqual([
      `${RULE}: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator is "Equals" (key "app"), which label selectors do not have; the API server refuses the object.`,
      `${RULE}: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.tier is not a field of a label selector, which has only matchLabels and matchExpressions.`,
    ]);
  });

  test('fails when a NetworkPolicy ingress, egress, from or to is not a list (read as absent, it would admit nothing or every peer); a null one is absent', () => {
    const policy = (name: string, spec: Record<string, unknown>) => ({ ...networkPolicy('demo'), metadata: { name, namespace: 'demo' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ...spec } });
    const findings = check(
      RULE,
      env([
        obj(policy('rules-as-map', { ingress: { from: [{ podSelector: {} }] }, egress: 'all' })),
        obj(policy('peers-as-map', { ingress: [{ from: { namespaceSelector: { matchLabels: { team: 'ops' } } } }], egress: [{ to: 7 }, { to: [{ podSelector: {} }] }] })),
        obj(policy('null-lists', { ingress: [{ from: null }], egress: null })),
      ]),
    );
    expect(findings.map((f) => [f.ref, f.message, f.value, f.fix])).toEqual([
      ['NetworkPolicy/demo/peers-as-map', 'spec.egress[0].to is 7, but it must be a list; the API server refuses the object.', '7', 'Make spec.egress[0].to a list: write "- " before each of its entries.'],
      ['NetworkPolicy/demo/peers-as-map', 'spec.ingress[0].from is {"namespaceSelector":{"matchLabels":{"team":"ops"}}}, but it must be a list; the API server refuses the object.', '{"namespaceSelector":{"matchLabels":{"team":"ops"}}}', 'Make spec.ingress[0].from a list: write "- " before each of its entries.'],
      ['NetworkPolicy/demo/rules-as-map', 'spec.egress is "all", but it must be a list; the API server refuses the object.', '"all"', 'Make spec.egress a list: write "- " before each of its entries.'],
      ['NetworkPolicy/demo/rules-as-map', 'spec.ingress is {"from":[{"podSelector":{}}]}, but it must be a list; the API server refuses the object.', '{"from":[{"podSelector":{}}]}', 'Make spec.ingress a list: write "- " before each of its entries.'],
    ]);
  });

  test('fails when an entry of a NetworkPolicy ingress, egress, from or to is not a map (read as a peer or rule that admits nothing); so with a pod affinity term', () => {
    const policy = { ...networkPolicy('demo'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: ['10.0.0.0/8', { podSelector: {} }] }, 'allow-all'], egress: [{ to: [null] }] } };
    const d = goodDeployment((x) => {
      x.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [7] } };
    });
    const findings = check(RULE, env([obj(policy), obj(d)]));
    expect(findings.map((f) => [f.ref, f.message, f.value, f.fix])).toEqual([
      [
        'Deployment/demo/demo',
        'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] is 7, but each entry of this list must be a map; the API server refuses the object.',
        '7',
        'Write spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] as a map of its fields (name: value), or remove it.',
      ],
      ['NetworkPolicy/demo/default-deny', 'spec.egress[0].to[0] is null, but each entry of this list must be a map; the API server refuses the object.', 'null', 'Write spec.egress[0].to[0] as a map of its fields (name: value), or remove it.'],
      ['NetworkPolicy/demo/default-deny', 'spec.ingress[0].from[0] is "10.0.0.0/8", but each entry of this list must be a map; the API server refuses the object.', '"10.0.0.0/8"', 'Write spec.ingress[0].from[0] as a map of its fields (name: value), or remove it.'],
      ['NetworkPolicy/demo/default-deny', 'spec.ingress[1] is "allow-all", but each entry of this list must be a map; the API server refuses the object.', '"allow-all"', 'Write spec.ingress[1] as a map of its fields (name: value), or remove it.'],
    ]);
  });

  test('fails when an entry of a NetworkPolicy from or to is not a map: gitplane policy --dir names the file, object and field, and no rule fails judging it', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'web' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: ['app=prometheus'] }], egress: [{ to: [{ podSelector: {} }, 53] }] },
    };
    const { dir, rows } = policyDirFindings(RULE, [policy]);
    expect(rows).toEqual([
      [`${dir}/web.yaml`, 'NetworkPolicy/web/web', 'spec.egress[0].to[1] is 53, but each entry of this list must be a map; the API server refuses the object.', 'Write spec.egress[0].to[1] as a map of its fields (name: value), or remove it.'],
      [`${dir}/web.yaml`, 'NetworkPolicy/web/web', 'spec.ingress[0].from[0] is "app=prometheus", but each entry of this list must be a map; the API server refuses the object.', 'Write spec.ingress[0].from[0] as a map of its fields (name: value), or remove it.'],
    ]);
  });

  test('a selector is judged once, for this rule and for the rules that match it (selector-matches-template)', () => {
    let judged = 0;
    const d = goodDeployment((x) => {
      x.spec.selector = new Proxy(x.spec.selector, {
        ownKeys(target) {
          judged += 1;
          return Reflect.ownKeys(target);
        },
      });
    });
    const rules = RULES.filter((r) => r.id === RULE || r.id === 'selector-matches-template');
    expect(rules).toHaveLength(2);
    expect(runPolicies([env([obj(d)])], { rules, today: TODAY }).environments[0].findings).toEqual([]);
    expect(judged).toBe(1);
  });

  test('fails when a ServiceMonitor a Prometheus picks selects with an unknown operator: gitplane policy reports it on the ServiceMonitor, and no rule fails judging it', () => {
    const prometheus = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s', namespace: 'monitoring' }, spec: { serviceMonitorSelector: {} } };
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'monitoring' },
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, endpoints: [{ port: 'http' }] },
    };
    const { findings } = policyDirFindings(RULE, [prometheus, monitor], 'monitoring.yaml');
    expect(findings.map((f) => [f.ref, f.message, f.fix])).toEqual([
      [
        'ServiceMonitor/monitoring/web',
        'spec.selector.matchExpressions[0].operator is "Equals" (key "app"), which label selectors do not have; the API server refuses the object.',
        'Set spec.selector.matchExpressions[0].operator to one of In, NotIn, Exists, DoesNotExist.',
      ],
    ]);
    expect(findings.filter((f) => f.message.includes('a bug in the rule'))).toEqual([]);
  });

  test('fails when label selectors are malformed: gitplane policy --dir names the file, object and field of each, and no rule fails judging them', () => {
    const labels = { 'app.kubernetes.io/name': 'web' };
    const template = { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.example.com/web:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] } };
    const objects: Record<string, unknown>[] = [
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s', namespace: 'web' }, spec: { serviceMonitorSelector: {}, podMonitorSelector: 'app=web' } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web', namespace: 'web' }, spec: { selector: { matchExpressions: { key: 'app', operator: 'In', values: ['web'] } }, endpoints: [{ port: 'http' }] } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'web', namespace: 'web' }, spec: { selector: 'app=web', podMetricsEndpoints: [{ port: 'http' }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { replicas: 2, selector: { matchLabels: ['app.kubernetes.io/name', 'web'] }, template } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'web' }, spec: { replicas: 1, selector: { 'app.kubernetes.io/name': 'web' }, template } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'web' }, spec: { maxUnavailable: 1, selector: { matchExpressions: [{ operator: 'In', values: 'web' }, { key: 'tier', operator: 'Exists', values: [1] }] } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'web' }, spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 7 } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team' }] } }] }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web', labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    ];
    const { dir, rows, all } = policyDirFindings(RULE, objects);
    expect(rows).toEqual([
      [`${dir}/web.yaml`, 'Deployment/web/web', 'spec.selector.matchLabels is ["app.kubernetes.io/name","web"], but it must be a map of label names to values.', 'Write spec.selector.matchLabels as a map, e.g. {app.kubernetes.io/name: web}.'],
      [`${dir}/web.yaml`, 'NetworkPolicy/web/web', 'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator is missing (key "team"); every expression needs one.', 'Set spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator to one of In, NotIn, Exists, DoesNotExist.'],
      [`${dir}/web.yaml`, 'NetworkPolicy/web/web', 'spec.podSelector.matchLabels.app.kubernetes.io/name is 7, but a label value must be a string.', 'Quote the value of spec.podSelector.matchLabels.app.kubernetes.io/name.'],
      [`${dir}/web.yaml`, 'PodDisruptionBudget/web/web', 'spec.selector.matchExpressions[0].key is missing; every expression names the label it tests.', 'Set spec.selector.matchExpressions[0].key to the label name the expression tests.'],
      [`${dir}/web.yaml`, 'PodDisruptionBudget/web/web', 'spec.selector.matchExpressions[0].values is "web", but it must be a list of strings.', 'Make spec.selector.matchExpressions[0].values a list of label values, e.g. [web] (quote numbers and booleans).'],
      [`${dir}/web.yaml`, 'PodDisruptionBudget/web/web', 'spec.selector.matchExpressions[1].values is [1], but it must be a list of strings.', 'Make spec.selector.matchExpressions[1].values a list of label values, e.g. [web] (quote numbers and booleans).'],
      [`${dir}/web.yaml`, 'PodMonitor/web/web', 'spec.selector is "app=web", but a label selector is a map of matchLabels and matchExpressions.', 'Write spec.selector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.'],
      [`${dir}/web.yaml`, 'Prometheus/web/k8s', 'spec.podMonitorSelector is "app=web", but a label selector is a map of matchLabels and matchExpressions.', 'Write spec.podMonitorSelector as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.'],
      [`${dir}/web.yaml`, 'ServiceMonitor/web/web', 'spec.selector.matchExpressions is {"key":"app","operator":"In","values":["web"]}, but it must be a list of expressions.', 'Make spec.selector.matchExpressions a list, e.g. [{key: app.kubernetes.io/name, operator: In, values: [web]}].'],
      [`${dir}/web.yaml`, 'StatefulSet/web/db', 'spec.selector.app.kubernetes.io/name is not a field of a label selector, which has only matchLabels and matchExpressions.', 'Move spec.selector.app.kubernetes.io/name under matchLabels (app.kubernetes.io/name: ...), or remove it.'],
    ]);
    // The rules that follow selectors take a malformed one to select nothing, without a finding of their own on it.
    expect(all.filter((f) => ['selector-matches-template', 'service-monitor-target'].includes(f.rule))).toEqual([]);
  });

  test('fails when a value is set for Exists, or none for In', () => {
    const d = goodDeployment((x) => {
      x.spec.selector.matchExpressions = [{ key: 'tier', operator: 'Exists', values: ['a'] }, { key: 'zone', operator: 'In' }];
    });
    expect(messages(check(RULE, env([obj(d)])))).toEqual([
      `${RULE}: spec.selector.matchExpressions[0].values is ["a"], but operator Exists takes no values; the API server refuses the object.`,
      `${RULE}: spec.selector.matchExpressions[1].values is missing, but operator In needs at least one value; the API server refuses the object.`,
    ]);
  });

  test('fails when policy --dir is given a document that is not an object with a name: exit 2, naming the file, the line and column of the field at fault, and the document', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.yaml'), ['app=web\n', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { tier: 1 } } })].join('---\n'));
    // A kind: List whose second item, at line 8, has a number for a name (line 10, column 17).
    const list = ['apiVersion: v1', 'kind: List', 'items:', '  - apiVersion: v1', '    kind: ConfigMap', '    metadata: { name: fine }', '', '  - apiVersion: v1', '    kind: ConfigMap', '    metadata: { name: 7 }', ''];
    fs.writeFileSync(path.join(dir, 'b.yaml'), list.join('\n'));
    const r = gitplane(['policy', '--dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${dir}/a.yaml:1:1: document 1 is "app=web", not a Kubernetes object. Write each document as a map with apiVersion, kind and metadata, or remove it.`);
    expect(r.stderr).toContain(`${dir}/a.yaml:8:5: document 2 (ConfigMap) x has metadata.labels.tier 1, but label values must be strings. Quote the value.`);
    expect(r.stderr).toContain(`${dir}/b.yaml:10:17: document 2 (ConfigMap) has metadata.name 7, but every object needs a name, a non-empty string. Set metadata.name.`);
  });
});
