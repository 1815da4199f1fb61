import { Manifest, objectRef, RenderedObject } from '../../stacks/objects';
import { docsUrl } from '../lib/docs-url';
import { isMap } from '../lib/shape';
import { EnvironmentRule, RuleFinding } from '../types';

export const rule: EnvironmentRule = {
  id: 'render-deterministic',
  scope: 'environment',
  severity: 'error',
  pack: 'core',
  description: 'Rendering the Helm applications twice with the same values gives the same objects, field for field.',
  rationale:
    'Argo CD renders each chart again on every refresh and compares the result with the cluster. A chart that generates a value (a random password, a fresh certificate, a timestamp) differs every time: the Application never settles at Synced, and with self-heal every refresh rewrites the object, rolling the pods that read it.',
  remediation: 'Give the chart the value it would generate: point it at an existing Secret (an ExternalSecret gitplane creates) or set the value explicitly in the application\'s helm function.',
  docsUrl: docsUrl('render-deterministic'),
  kinds: [],
  check(ctx) {
    const second = ctx.env.secondRender;
    if (second === undefined) return 'not-applicable';
    const first = ctx.objects.filter((o) => o.chart);
    const again = new Map(second.map((o) => [key(o), o]));
    const findings: RuleFinding[] = [];
    for (const o of first) {
      const twin = again.get(key(o));
      again.delete(key(o));
      const where = `${objectRef(o.manifest)} of application ${o.app} (${o.chart!.template})`;
      if (!twin) {
        findings.push({ object: o, message: `${where} is missing from a second render of chart ${o.chart!.name} ${o.chart!.version}.` });
        continue;
      }
      const fields = differences(o.manifest, twin.manifest, '');
      if (fields.length > 0) {
        // Only the field names: a generated value may be a credential.
        findings.push({ object: o, value: fields.join(', '), message: `${where} differs between two renders of chart ${o.chart!.name} ${o.chart!.version} in ${fields.join(', ')}.` });
      }
    }
    for (const o of again.values()) {
      findings.push({ object: o, message: `${objectRef(o.manifest)} of application ${o.app} (${o.chart!.template}) appears only in a second render of chart ${o.chart!.name} ${o.chart!.version}.` });
    }
    return findings;
  },
};

function key(o: RenderedObject): string {
  const m: Manifest = o.manifest;
  return [o.file, m.apiVersion, objectRef(m)].join('\0');
}

/** Dotted paths (`data.admin-password`, `spec.containers[0].args[1]`) where two values differ. */
function differences(a: unknown, b: unknown, at: string): string[] {
  if (a === b) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [at || '(the object)'];
    return a.flatMap((v, i) => differences(v, b[i], `${at}[${i}]`));
  }
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return [at || '(the object)'];
}
