/**
 * The engine sends each object only to the rules of its kind, and rules share indexes of the
 * environment. Both are shortcuts: this test holds them to the plain path, every rule asked about
 * every object it names and lookups that scan the whole environment, on the shipped environments
 * as synthesized and on a corpus of their objects spread over many namespaces, with credentials
 * added so that the secret rules find something too.
 */
import { corpus } from '../../bench/corpus';
import { benchEnvironment } from '../../bench/policy';
import { packsFor, runPolicies } from '../../policies/engine';
import { fromBuilt } from '../../policies/inputs';
import { inFolder, inNamespace, named, ofKind } from '../../policies/lib/lookup';
import { RULES } from '../../policies/registry';
import { CheckResult, PolicyContext, PolicyEnvironment, Rule } from '../../policies/types';
import { objectRef, RenderedObject } from '../../stacks/objects';
import { built, ENVIRONMENTS } from '../support/environments';
import { fake } from '../support/fake-secrets';
import { goodDeployment, obj, TODAY } from './support';

/** Findings as `rule  object  message  value`, sorted: what the engine reports, without its order. */
function engine(env: PolicyEnvironment): string[] {
  const report = runPolicies([env], { today: TODAY }).environments[0];
  return [...report.findings, ...report.waived].map((f) => [f.rule, f.ref, f.message, f.value ?? ''].join('\t')).sort();
}

/** The same, by asking every rule of the environment's packs about every object of its kinds, one rule after another. */
function plain(env: PolicyEnvironment): string[] {
  const ctx: PolicyContext = { env, objects: env.objects, files: env.files, spec: env.spec, peers: [], today: TODAY };
  const own = env.objects.filter((o) => !o.chart);
  const ownCtx = { ...ctx, objects: own };
  const lines: string[] = [];
  const record = (rule: Rule, object: RenderedObject | undefined, check: () => CheckResult) => {
    let result: CheckResult;
    try {
      result = check();
    } catch (e) {
      result = [{ message: `rule ${rule.id} failed while judging this object (${(e as Error).message}). A rule that fails never passes; this is a bug in the rule.` }];
    }
    if (result === 'not-applicable') return;
    for (const f of result) {
      const about = f.object ?? object;
      lines.push([rule.id, about ? objectRef(about.manifest) : `Environment/${env.name}`, f.message, f.value ?? ''].join('\t'));
    }
  };
  for (const rule of RULES.filter((r) => packsFor(env).includes(r.pack))) {
    if (rule.scope === 'environment') {
      record(rule, undefined, () => rule.check(rule.charts === false && own.length !== env.objects.length ? ownCtx : ctx));
      continue;
    }
    for (const object of rule.charts === false ? own : env.objects) {
      if (rule.kinds === '*' || rule.kinds.includes(object.manifest.kind)) record(rule, object, () => rule.check(object, ctx));
    }
  }
  return lines.sort();
}

const leaks = [
  obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak', namespace: 'demo' }, data: { repo: `https://${fake('ghp_', 36)}@github.com/example/gitops.git` } }),
  obj(goodDeployment((d) => (d.spec.template.spec.containers[0].env = [{ name: 'DB_PASSWORD', value: fake('', 24, undefined, 'dispatch-db') }]))),
  obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'demo' }, stringData: { token: fake('glpat-', 20) } }),
];

function spread(size: number): PolicyEnvironment {
  const real = ENVIRONMENTS.flatMap((name) => built(name).output.objects.map((o) => o.manifest));
  const env = benchEnvironment(corpus(size, real));
  return { ...env, objects: [...env.objects, ...leaks] };
}

describe('policy engine shortcuts', () => {
  test.each(ENVIRONMENTS)('the engine reports what every rule finds when asked about every object, on %s as synthesized', (name) => {
    const env = fromBuilt(built(name));
    expect(engine(env)).toEqual(plain(env));
  });

  test('the engine reports what every rule finds when asked about every object, on 3,000 objects over 500 namespaces with credentials', () => {
    const env = spread(3000);
    const found = engine(env);
    for (const id of ['no-plaintext-credentials', 'no-secret-data', 'namespace-before-objects', 'metric-exported']) expect(found.some((f) => f.startsWith(`${id}\t`))).toBe(true);
    expect(found).toEqual(plain(env));
  });

  test('indexes list what a scan of the environment finds', () => {
    for (const env of [...ENVIRONMENTS.map((name) => fromBuilt(built(name))), spread(3000)]) {
      const ctx: PolicyContext = { env, objects: env.objects, files: env.files, spec: env.spec, peers: [], today: TODAY };
      const kinds = [...new Set(env.objects.map((o) => o.manifest.kind))];
      for (const kind of kinds) {
        expect(ofKind(ctx, kind)).toEqual(env.objects.filter((o) => o.manifest.kind === kind));
        for (const ns of new Set(ofKind(ctx, kind).map((o) => o.manifest.metadata?.namespace ?? ''))) {
          expect(inNamespace(ctx, kind, ns)).toEqual(env.objects.filter((o) => o.manifest.kind === kind && (o.manifest.metadata?.namespace ?? '') === ns));
        }
        for (const name of new Set(ofKind(ctx, kind).map((o) => o.manifest.metadata?.name))) {
          expect(named(ctx, kind, name)).toBe(env.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata?.name === name));
        }
      }
      for (const folder of new Set(env.objects.map((o) => /^[^/]*\/[^/]*\//.exec(o.file)?.[0]).filter((f): f is string => f !== undefined))) {
        expect(inFolder(ctx, folder)).toEqual(env.objects.filter((o) => o.file.startsWith(folder)));
      }
      expect(inNamespace(ctx, 'Service', 'no-such-namespace')).toEqual([]);
    }
  });
});
