import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { Manifest } from '../../../stacks/objects';
import { gitplane, tempDir } from '../../support/cli';
import { built } from '../../support/environments';
import { check, env, goodDeployment, messages, networkPolicy, obj } from '../support';

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

  test('fails when a ServiceMonitor a Prometheus picks selects with an unknown operator: gitplane policy reports it on the ServiceMonitor, and no rule fails judging it', () => {
    const dir = tempDir();
    const prometheus = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s', namespace: 'monitoring' }, spec: { serviceMonitorSelector: {} } };
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'monitoring' },
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, endpoints: [{ port: 'http' }] },
    };
    fs.writeFileSync(path.join(dir, 'monitoring.yaml'), [prometheus, monitor].map((m) => stringify(m)).join('---\n'));
    const r = gitplane(['policy', '--dir', dir, '--format', 'json', '--quiet']);
    expect(r.status).toBe(1);
    const findings = (JSON.parse(r.stdout) as { environments: { findings: { rule: string; ref: string; message: string; fix: string }[] }[] }).environments[0].findings;
    expect(findings.filter((f) => f.rule === RULE).map((f) => [f.ref, f.message, f.fix])).toEqual([
      [
        'ServiceMonitor/monitoring/web',
        'spec.selector.matchExpressions[0].operator is "Equals" (key "app"), which label selectors do not have; the API server refuses the object.',
        'Set spec.selector.matchExpressions[0].operator to one of In, NotIn, Exists, DoesNotExist.',
      ],
    ]);
    expect(findings.filter((f) => f.message.includes('a bug in the rule'))).toEqual([]);
  });
});
