/**
 * Mutation test over the real output: take prod as synthesized, inject one violation of each class,
 * and show the intended rule catches it, while the unmutated output passes.
 *
 * Where prod does not (yet) render an alert or a workload, a minimal valid one is added to the
 * corpus first, so every mutation has something to act on.
 */
import { runPolicies } from '../../policies/engine';
import { fromBuilt } from '../../policies/inputs';
import { PolicyEnvironment } from '../../policies/types';
import { RenderedObject } from '../../stacks/objects';
import { Wave } from '../../stacks/waves';
import { built } from '../support/environments';
import { fake, UPPER_DIGITS } from '../support/fake-secrets';
import { application, goodDeployment, goodPrometheusRule, networkPolicy, obj, RUNBOOK, TODAY } from './support';
import { crdOwners } from '../../policies/data/crd-owners';
import { applications, appOf } from '../../policies/lib/ordering';
import { podTemplate, PRIVILEGED_REASON, WORKLOAD_KINDS } from '../../policies/lib/workloads';

type Mutable = { objects: RenderedObject[]; files: Map<string, string> };

function corpus(): PolicyEnvironment {
  const base = fromBuilt(built('prod'));
  const objects = structuredClone([...base.objects]);
  const files = new Map(base.files);
  if (!objects.some((o) => o.manifest.kind === 'PrometheusRule')) {
    const operatorApp = crdOwners().find((c) => c.group === 'monitoring.coreos.com')!.operatorApp;
    if (!objects.some((o) => o.manifest.kind === 'Application' && o.manifest.metadata.name === `prod-${operatorApp}`)) objects.push(application(operatorApp, Wave.Operators));
    objects.push(obj(goodPrometheusRule(), operatorApp));
    files.set('runbooks/demo-down.md', RUNBOOK);
  }
  if (!objects.some((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.manifest.kind))) {
    objects.push(obj(goodDeployment((d) => (d.metadata.namespace = 'nats'))), obj(networkPolicy('nats')));
  }
  return { ...base, objects, files };
}

function mutate(change: (m: Mutable) => void): PolicyEnvironment {
  const c = corpus();
  const m: Mutable = { objects: structuredClone([...c.objects]), files: new Map(c.files) };
  change(m);
  return { ...c, objects: m.objects, files: m.files };
}

function mandatoryRules(e: PolicyEnvironment): string[] {
  return [...new Set(runPolicies([e], { today: TODAY }).environments[0].findings.filter((f) => f.level === 'mandatory').map((f) => f.rule))].sort();
}

const first = (m: Mutable, kind: string) => m.objects.find((o) => o.manifest.kind === kind)!;
const workload = (m: Mutable) => m.objects.find((o) => { const t = podTemplate(o.manifest); return t && !t.metadata.annotations?.[PRIVILEGED_REASON] && !o.manifest.metadata.annotations?.[PRIVILEGED_REASON]; })!;
const add = (m: Mutable, o: RenderedObject) => m.objects.push(o);

describe('mutations of prod', () => {
  test('the unmutated output has zero mandatory findings', () => {
    expect(runPolicies([corpus()], { today: TODAY }).environments[0].findings.filter((f) => f.level === 'mandatory')).toEqual([]);
  });

  const cases: [string, string, (m: Mutable) => void][] = [
    ['a removed runbook_url', 'alert-runbook-url', (m) => {
      const rule = first(m, 'PrometheusRule').manifest as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      delete rule.spec.groups[0].rules.find((r: { alert?: string }) => r.alert).annotations.runbook_url;
    }],
    ['a Secret with stringData', 'no-secret-data', (m) => add(m, obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'monitoring' }, stringData: { password: 'fixture-not-a-secret' } }, 'namespaces'))],
    // AKIAIOSFODNN7EXAMPLE is AWS's documented example key id: a fake.
    ['an AWS key in a ConfigMap', 'no-plaintext-credentials', (m) => add(m, obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws', namespace: 'monitoring' }, data: { credentials: `[default]\naws_access_key_id = ${fake('AKIA', 16, UPPER_DIGITS)}\n` } }, 'namespaces'))],
    ['a Slack webhook in Alertmanager configuration', 'no-plaintext-credentials', (m) => add(m, obj({ apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', metadata: { name: 'slack', namespace: 'monitoring', annotations: { 'argocd.argoproj.io/sync-wave': '10' } }, spec: { receivers: [{ name: 'slack', slackConfigs: [{ apiURL: 'https://hooks.slack.com/services/T00000000/B00000000/FIXTUREFIXTUREFIXTURE' }] }] } }, appOf(first(m, 'PrometheusRule'))))],
    ['a PrometheusRule moved to an earlier wave than its operator', 'custom-resource-after-operator', (m) => {
      const rule = first(m, 'PrometheusRule');
      rule.manifest.metadata.annotations = { ...rule.manifest.metadata.annotations, 'argocd.argoproj.io/sync-wave': String(Wave.Foundation) };
      const app = applications({ objects: m.objects } as never).get(appOf(rule));
      if (app) app.manifest.metadata.annotations = { ...app.manifest.metadata.annotations, 'argocd.argoproj.io/sync-wave': String(Wave.Foundation) };
    }],
    ['level-2 recording rules moved into a group without a level', 'recording-rule-layering', (m) => {
      const level2 = m.objects.find((o) => o.manifest.kind === 'PrometheusRule' && o.manifest.metadata.name === 'gitplane-records-level2')!.manifest as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      level2.spec.groups[0].name = 'gitplane-records';
    }],
    ['an image with :latest', 'image-pinned', (m) => {
      const c = podTemplate(workload(m).manifest)!.spec.containers[0];
      c.image = `${String(c.image).replace(/[:@].*$/, '')}:latest`;
    }],
    ['a privileged container without an exemption', 'container-security-context', (m) => {
      podTemplate(workload(m).manifest)!.spec.containers[0].securityContext.privileged = true;
    }],
    ['the collector gateway\'s NetworkPolicy admitting nothing', 'network-reachability', (m) => {
      delete (m.objects.find((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.name === 'otel-gateway')!.manifest.spec as { ingress?: unknown }).ingress;
    }],
    ['a StatefulSet pinned to an architecture no node has', 'workload-schedulable', (m) => {
      podTemplate(first(m, 'StatefulSet').manifest)!.spec.nodeSelector = { 'kubernetes.io/arch': 's390x' };
    }],
  ];

  test.each(cases)('catches %s with %s', (_what, rule, change) => {
    expect(mandatoryRules(mutate(change))).toContain(rule);
  });
});
