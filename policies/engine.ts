/**
 * Runs the rule registry over environments: chooses packs and levels, applies exemptions, turns a
 * rule that throws into a finding, and returns one report per environment.
 *
 * Levels: a finding is mandatory when its rule's severity is `error`, when the environment sets
 * `policy.mandatory`, or when the environment is in the production tier; otherwise advisory.
 * Packs: an environment runs the packs in `policy.packs` (production runs every pack); `core`
 * and `secrets` always run; a directory of manifests runs every pack. Findings of the `secrets`
 * pack cannot be exempted.
 */
import { byCodePoint } from '../constructs/core/order';
import { environmentFile } from '../stacks/field-position';
import { InputError } from '../stacks/errors';
import { objectRef, RenderedObject } from '../stacks/objects';
import { RULES } from './registry';
import {
  ALWAYS_ON,
  CheckResult,
  EnvironmentReport,
  ExemptionUse,
  Finding,
  Level,
  NEVER_EXEMPT,
  ObjectId,
  ObjectRule,
  Pack,
  PACKS,
  PolicyContext,
  PolicyEnvironment,
  PolicyReport,
  Rule,
  RuleFinding,
  SourceLine,
} from './types';

export interface RunOptions {
  /** YYYY-MM-DD that exemption expiry is judged against; default today (UTC). */
  readonly today?: string;
  /** Rules to run; default the registry. */
  readonly rules?: readonly Rule[];
  /** Environments the fleet rules compare against besides those being judged. */
  readonly peers?: readonly PolicyEnvironment[];
}

export function runPolicies(environments: readonly PolicyEnvironment[], options: RunOptions = {}): PolicyReport {
  const rules = options.rules ?? RULES;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const everyone = [...environments, ...(options.peers ?? []).filter((p) => !environments.some((e) => e.name === p.name))];
  const reports = environments.map((env) => {
    const tier = env.spec?.tier;
    const peers = tier ? everyone.filter((p) => p !== env && p.spec?.tier === tier) : [];
    return runEnvironment(env, rules, { env, objects: env.objects, files: env.files, spec: env.spec, peers, today });
  });
  return { environments: reports, rules };
}

export function packsFor(env: PolicyEnvironment): Pack[] {
  const spec = env.spec;
  if (!spec || spec.tier === 'production') return [...PACKS].sort();
  const unknown = spec.policy.packs.filter((p) => !(PACKS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new InputError([
      `${environmentFile(spec)}: policy.packs has unknown pack(s) ${unknown.map((u) => `"${u}"`).join(', ')}. Use some of ${PACKS.filter((p) => p !== 'core').join(', ')}.`,
    ]);
  }
  return [...new Set<Pack>([...(spec.policy.packs as Pack[]), ...ALWAYS_ON])].sort();
}

function levelFor(env: PolicyEnvironment, rule: Rule): Level {
  if (rule.severity === 'error' || env.spec?.tier === 'production' || env.spec?.policy.mandatory) return 'mandatory';
  return 'advisory';
}

function runEnvironment(env: PolicyEnvironment, registry: readonly Rule[], ctx: PolicyContext): EnvironmentReport {
  const packs = packsFor(env);
  const rules = registry.filter((r) => packs.includes(r.pack));
  // Findings per rule, joined in rule order: the report is the same whichever order the checks run in.
  const byRule: Finding[][] = rules.map(() => []);
  // A rule that does not judge rendered charts still sees them around the object it judges (the
  // Service a ServiceMonitor selects may be a chart's); an environment rule sees only gitplane's.
  const own = env.objects.filter((o) => !o.chart);
  const ownCtx = own.length === env.objects.length ? ctx : { ...ctx, objects: own };
  const where = placesIn(env);
  rules.forEach((rule, i) => {
    if (rule.scope === 'environment') judge(byRule[i], rule, env, where, undefined, rule.charts === false ? ownCtx : ctx);
  });
  // Each object goes only to the object rules of its kind, looked up once per kind.
  const byKind = new Map<string, { rule: ObjectRule; findings: Finding[] }[]>();
  for (const object of env.objects) {
    const kind = object.manifest.kind;
    let judges = byKind.get(kind);
    if (!judges) {
      judges = rules.flatMap((rule, i) => (rule.scope === 'object' && (rule.kinds === '*' || rule.kinds.includes(kind)) ? [{ rule, findings: byRule[i] }] : []));
      byKind.set(kind, judges);
    }
    for (const { rule, findings } of judges) {
      if (rule.charts === false && object.chart) continue;
      judge(findings, rule, env, where, object, ctx);
    }
  }
  const findings = byRule.flat();
  const exemptions = env.spec?.policy.exemptions ?? [];
  const unknown = exemptions.filter((e) => !RULES.some((r) => r.id === e.rule));
  if (unknown.length > 0) {
    throw new InputError(unknown.map((e) => `${env.spec ? environmentFile(env.spec) : env.root}: policy.exemptions names rule "${e.rule}" (for ${e.object}), which does not exist. Use a rule id from docs/policies.md.`));
  }
  const binding = exemptions.filter((e) => RULES.find((r) => r.id === e.rule)?.pack === NEVER_EXEMPT);
  if (binding.length > 0) {
    throw new InputError(
      binding.map(
        (e) =>
          `environments/${env.name}.yaml: policy.exemptions names rule "${e.rule}" (for ${e.object}), whose findings cannot be exempted: the output is committed to Git, where a credential is leaked whatever the reason. Remove the exemption and move the value into the secret store (secrets.refs, pulumi config set --secret).`,
      ),
    );
  }
  const uses: ExemptionUse[] = exemptions.map((e) => ({ environment: env.name, rule: e.rule, object: e.object, reason: e.reason, expires: e.expires, waived: 0 }));
  const kept: Finding[] = [];
  const waived: Finding[] = [];
  for (const f of findings) {
    const i = exemptions.findIndex((e) => e.rule === f.rule && e.object === f.ref && !(e.expires && e.expires < ctx.today));
    if (i >= 0 && f.rule !== 'exemption-expired') {
      uses[i] = { ...uses[i], waived: uses[i].waived + 1 };
      waived.push(f);
    } else {
      kept.push(f);
    }
  }
  const inForce = uses.filter((u) => !(u.expires && u.expires < ctx.today));
  return { name: env.name, tier: env.spec?.tier, packs, rules: rules.map((r) => r.id).sort(), findings: kept.sort(order), waived, exemptions: inForce };
}

/** Where a finding about an object (or, without one, the environment) points. */
interface Place {
  readonly object: ObjectId;
  readonly ref: string;
  readonly file: string;
  readonly source?: SourceLine;
}

/** Places of an environment's objects, each worked out once however many findings it has. */
function placesIn(env: PolicyEnvironment): (object: RenderedObject | undefined) => Place {
  const root = env.root.replace(/\/$/, '');
  const places = new Map<RenderedObject | undefined, Place>();
  return (object) => {
    let place = places.get(object);
    if (!place) {
      const m = object?.manifest;
      place = {
        object: m ? { kind: m.kind, namespace: m.metadata?.namespace, name: m.metadata?.name } : { kind: 'Environment', name: env.name },
        ref: m ? objectRef(m) : `Environment/${env.name}`,
        // Joined rather than concatenated: the report's sort compares every finding's file, and a
        // flat string compares faster than the two halves of a concatenation.
        file: object ? (env.root ? [root, object.file].join('/') : object.file) : env.spec ? environmentFile(env.spec) : env.root,
        source: env.locate?.(object),
      };
      places.set(object, place);
    }
    return place;
  };
}

/** Appends what a rule finds in an object (or, without one, in the environment) to `into`. */
function judge(into: Finding[], rule: Rule, env: PolicyEnvironment, where: (object: RenderedObject | undefined) => Place, object: RenderedObject | undefined, ctx: PolicyContext): void {
  let result: CheckResult;
  try {
    result = rule.scope === 'object' ? rule.check(object!, ctx) : rule.check(ctx);
  } catch (e) {
    const crash: RuleFinding = {
      message: `rule ${rule.id} failed while judging this object (${(e as Error).message}). A rule that fails never passes; this is a bug in the rule.`,
      fix: 'Report the failure with the object attached; exempt the object only after reading it yourself.',
    };
    into.push(toFinding(rule, env, where(object), object, crash, 'mandatory'));
    return;
  }
  if (result === 'not-applicable' || result.length === 0) return;
  const level = levelFor(env, rule);
  for (const f of result) into.push(toFinding(rule, env, where(f.object ?? object), f.object ?? object, f, level));
}

function toFinding(rule: Rule, env: PolicyEnvironment, place: Place, object: RenderedObject | undefined, f: RuleFinding, level: Level): Finding {
  return {
    rule: rule.id,
    pack: rule.pack,
    severity: rule.severity,
    level,
    environment: env.name,
    object: place.object,
    ref: place.ref,
    file: place.file,
    source: place.source,
    constructPath: object?.constructPath,
    value: f.value,
    message: f.message,
    fix: f.fix ?? rule.remediation,
  };
}

function order(a: Finding, b: Finding): number {
  return byCodePoint(a.file, b.file) || byCodePoint(a.rule, b.rule) || byCodePoint(a.message, b.message);
}

/** True when any finding of the report is mandatory. */
export function hasMandatory(report: PolicyReport): boolean {
  return report.environments.some((e) => e.findings.some((f) => f.level === 'mandatory'));
}
