import { Detection, scanValue } from '../lib/detectors';
import { docsUrl } from '../lib/docs-url';
import { syncedFolder } from '../lib/ordering';
import { Manifest, RenderedObject } from '../../stacks/objects';
import { ObjectRule, PolicyContext, RuleFinding } from '../types';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const rule: ObjectRule = {
  id: 'no-plaintext-credentials',
  scope: 'object',
  severity: 'error',
  pack: 'secrets',
  description: 'No credential appears anywhere in an object other than a Secret: ConfigMap values, container env values, args and commands, annotations and labels (plain or base64), Helm values of Applications, Alertmanager configuration, custom resources.',
  rationale: 'The output is committed to Git. Detectors find provider tokens (secretlint\'s rule preset: GitHub, Stripe, npm, Slack, AWS, GitLab, Grafana and more), private keys, JWTs, docker auths, credentials in URLs, query strings and connection strings (Azure storage keys), secrets in command-line flags, Teams/Discord webhooks, PagerDuty and Opsgenie keys, and high-entropy values under secret-like names; base64 is decoded and scanned again. Templates ($(VAR), ${VAR}, {{ }}, $__file{}), placeholders (<your-token-here>), *_file paths, AWS\'s documented example keys and SealedSecret encryptedData are not credentials. This pack always runs and cannot be exempted.',
  remediation: 'Move the value into the secret store (secrets.refs) and read it from a mounted file (*_file) or an env var filled by secretKeyRef.',
  docsUrl: docsUrl('no-plaintext-credentials'),
  kinds: '*',
  check(object, ctx) {
    if (object.manifest.kind === 'Secret') return 'not-applicable';
    // An Application's findings depend on its environment's values file too.
    if (!object.chart || object.manifest.kind === 'Application') return findings(object, ctx);
    let found = chartFindings.get(object.manifest);
    if (found === undefined) {
      found = findings(object, ctx);
      chartFindings.set(object.manifest, found);
    }
    return found;
  },
};

/**
 * Findings of chart objects by object: the renders of several environments share a chart's
 * document as one object, never changed (stacks/helm-render.ts), and what is found in it depends
 * on it alone, so each is scanned once per process (a chart's CRDs are megabytes, in every
 * environment).
 */
const chartFindings = new WeakMap<Manifest, RuleFinding[]>();

function findings(object: RenderedObject, ctx: PolicyContext): RuleFinding[] {
  const m = object.manifest as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const detections: Detection[] = [];
  // Charts render an empty `annotations:` as null.
  const { annotations, labels } = m.metadata ?? {};
  const { [LAST_APPLIED]: lastApplied, ...otherAnnotations } = (annotations ?? {}) as Record<string, unknown>;
  detections.push(...scanValue({ annotations: otherAnnotations, labels }, 'metadata'));
  if (typeof lastApplied === 'string') {
    detections.push(...scanValue(lastApplied, `metadata.annotations.${LAST_APPLIED}`));
    if (/"kind"\s*:\s*"Secret"/.test(lastApplied) && /"(?:data|stringData)"\s*:\s*\{\s*"/.test(lastApplied)) {
      detections.push({ detector: 'Secret data embedded in last-applied-configuration', path: `metadata.annotations.${LAST_APPLIED}`, value: '(Secret data)' });
    }
  }
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = m;
  if (m.kind === 'SealedSecret') {
    const { encryptedData: _sealed, ...rest } = m.spec ?? {};
    detections.push(...scanValue(rest, 'spec'));
  } else {
    detections.push(...scanValue(body, ''));
  }
  if (m.kind === 'Application') {
    const folder = syncedFolder(object.manifest);
    const values = folder ? ctx.files.get(`values/${folder}.yaml`) : undefined;
    if (values) detections.push(...scanValue(values, `values file of ${m.metadata?.name}`));
  }
  return dedupe(detections).map((d) => ({ message: `${d.detector} at ${d.path || '(top level)'}.`, value: d.value }));
}

function dedupe(ds: Detection[]): Detection[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.detector}|${d.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
