/** Small corpora for rule tests: objects as synth would render them, and one-rule runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { byCodePoint } from '../../constructs/core/order';
import { EnvironmentSpec } from '../../environments/schema';
import { Manifest, RenderedObject } from '../../stacks/objects';
import { runPolicies } from '../../policies/engine';
import { RULES } from '../../policies/registry';
import { Finding, PolicyEnvironment } from '../../policies/types';
import { gitplane, tempDir } from '../support/cli';
import { variant } from '../support/environments';

export const TODAY = '2026-11-23';

/** A rendered object in application `app`. */
export function obj(manifest: Manifest, app = 'demo'): RenderedObject {
  return { manifest, app, file: `apps/${app}/${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`, constructPath: `${app}/${manifest.metadata.name}/Resource` };
}

/** A prod-like spec (every pack) unless `change` says otherwise. */
export function spec(change: (s: EnvironmentSpec) => void = () => undefined): EnvironmentSpec {
  return variant('prod', change);
}

export function env(objects: RenderedObject[], options: { spec?: EnvironmentSpec | null; files?: Record<string, string>; name?: string } = {}): PolicyEnvironment {
  const s = options.spec === null ? undefined : (options.spec ?? spec());
  return { name: options.name ?? s?.name ?? 'corpus', spec: s, objects, files: new Map(Object.entries(options.files ?? {})), root: `dist/${options.name ?? s?.name ?? 'corpus'}` };
}

/** Findings of one rule over a corpus. */
export function check(ruleId: string, e: PolicyEnvironment, peers: PolicyEnvironment[] = []): Finding[] {
  const rule = RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return [...runPolicies([e], { rules: [rule], today: TODAY, peers }).environments[0].findings];
}

export function messages(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule}: ${f.message}`);
}

const labels = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' };

/** A container that every hygiene rule accepts. */
export function goodContainer(): Record<string, unknown> {
  return {
    name: 'demo',
    image: 'registry.example.com/demo:1.2.3',
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 20 },
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

/** A Deployment in namespace `demo` that every hygiene rule accepts. */
export function goodDeployment(change: (d: any) => void = () => undefined): Manifest { // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', namespace: 'demo', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...labels } },
      template: { metadata: { labels: { ...labels } }, spec: { serviceAccountName: 'demo', containers: [goodContainer()] } },
    },
  };
  change(d);
  return d as Manifest;
}

export function namespace(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': '-20' } } };
}

export function networkPolicy(ns: string): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
}

/** An Argo CD Application syncing apps/<app> in `wave`. */
export function application(app: string, wave: number, extra: Record<string, unknown> = {}): RenderedObject {
  return {
    manifest: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `prod-${app}`, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
      spec: { project: 'prod', source: { repoURL: 'https://git.example.com/platform/gitops.git', targetRevision: 'main', path: `prod/apps/${app}` }, destination: { server: 'https://kubernetes.default.svc', namespace: app }, ...extra },
    },
    app: 'bootstrap',
    file: `bootstrap/application-prod-${app}.yaml`,
  };
}

export const RUNBOOK = ['# DemoDown', '', '## TL;DR', 'Demo is down.', '', '## Mitigation', 'Restart it.', '', '## Impact', 'Nobody sees demos.', '', '## Diagnosis', 'up{job="demo"}', '', '## Escalation', 'Platform on-call.', ''].join('\n');
export const RUNBOOK_URL = 'https://git.example.com/platform/gitops/src/branch/main/prod/runbooks/demo-down.md';

/** A PrometheusRule with one alert that every runbooks rule accepts. */
export function goodPrometheusRule(change: (rule: any) => void = () => undefined): Manifest { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rule = {
    alert: 'DemoDown',
    expr: 'up{job="demo"} == 0',
    for: '5m',
    labels: { severity: 'critical' },
    annotations: { summary: 'Demo is down.', description: 'No demo target has been up for 5 minutes.', runbook_url: RUNBOOK_URL },
  };
  change(rule);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'demo', namespace: 'monitoring', annotations: { 'argocd.argoproj.io/sync-wave': '10', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } },
    spec: { groups: [{ name: 'demo', rules: [rule] }] },
  };
}

/** A finding as `gitplane policy --format json` reports it. */
export interface ReportedFinding {
  rule: string;
  file: string;
  ref: string;
  message: string;
  value: string;
  fix: string;
}

/**
 * Writes `objects` to `file` in a new directory and runs `gitplane policy --dir` on it, as a user
 * would; expects exit 1 and no rule failing to judge them, and gives the directory, the findings
 * of `rule` (also as rows [file, object, message, fix] ordered by object and message) and those of
 * every rule.
 */
export function policyDirFindings(rule: string, objects: readonly object[], file = 'web.yaml'): { dir: string; findings: ReportedFinding[]; rows: string[][]; all: ReportedFinding[] } {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, file), objects.map((m) => stringify(m)).join('---\n'));
  const r = gitplane(['policy', '--dir', dir, '--format', 'json', '--quiet']);
  expect(r.status).toBe(1);
  const findings = (JSON.parse(r.stdout) as { environments: { findings: ReportedFinding[] }[] }).environments[0].findings;
  expect(findings.filter((f) => f.message.includes('a bug in the rule'))).toEqual([]);
  const own = findings.filter((f) => f.rule === rule);
  // Each finding as [file, object, message, fix], ordered by object and message.
  const rows = own.map((f) => [f.file, f.ref, f.message, f.fix]).sort((a, b) => byCodePoint(`${a[1]} ${a[2]}`, `${b[1]} ${b[2]}`));
  return { dir, findings: own, rows, all: findings };
}
