/**
 * The shapes every policy rule, finding and report shares.
 *
 * A rule is data (id, severity, pack, texts, the kinds it applies to) plus a pure check. Object
 * rules judge one object at a time but see the whole environment through the context, so rules
 * across objects are natural; environment rules judge the environment as a whole (fleet parity,
 * exemptions).
 */
import { EnvironmentSpec } from '../environments/schema';
import { Manifest, RenderedObject } from '../stacks/objects';

export type Severity = 'error' | 'warning';
export type Level = 'mandatory' | 'advisory';

/** Groups of rules an environment switches on in `policy.packs`; `core` and `secrets` always run. */
export const PACKS = ['runbooks', 'sync-waves', 'secrets', 'hygiene', 'fleet', 'observability', 'core'] as const;
export type Pack = (typeof PACKS)[number];

/**
 * Packs every environment runs whatever `policy.packs` says. The output of any tier is committed
 * to Git, so a credential in it leaks from a development environment as surely as from production.
 */
export const ALWAYS_ON: readonly Pack[] = ['core', 'secrets'];

/** The pack whose findings no exemption waives: a committed credential is leaked whatever the reason. */
export const NEVER_EXEMPT: Pack = 'secrets';

/** One environment as the rules see it. */
export interface PolicyEnvironment {
  /** Environment name, or the directory for `--dir`. */
  readonly name: string;
  /** The environment file, when the objects came from synth. */
  readonly spec?: EnvironmentSpec;
  readonly objects: readonly RenderedObject[];
  /** Non-Kubernetes output files (runbooks/, values/), path relative to the environment's directory -> content. */
  readonly files: ReadonlyMap<string, string>;
  /** Prefix that makes `file` a path in the repository, e.g. `dist/prod` or the `--dir` argument. */
  readonly root: string;
  /** Where the environment file configures an object (or, without one, the environment itself), when it came from synth. */
  readonly locate?: (object?: RenderedObject) => SourceLine | undefined;
  /**
   * The environment as it was at the base of the change (`gitplane policy --base REF`), for the
   * rules that judge a change rather than a state; without it they do not apply.
   */
  readonly base?: { readonly ref: string; readonly objects: readonly Manifest[] };
}

/** A line of a file in the repository. */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface PolicyContext {
  readonly env: PolicyEnvironment;
  readonly objects: readonly RenderedObject[];
  readonly files: ReadonlyMap<string, string>;
  readonly spec?: EnvironmentSpec;
  /** Other environments of the same tier (fleet rules compare against them). */
  readonly peers: readonly PolicyEnvironment[];
  /** The date exemptions are judged against. */
  readonly today: string;
}

/** What a check reports; the engine adds the rule, environment, object and level. */
export interface RuleFinding {
  /** What is wrong, as a full sentence. */
  readonly message: string;
  /** The offending value, as found. */
  readonly value?: string;
  /** A fix specific to this finding; defaults to the rule's remediation. */
  readonly fix?: string;
  /** The object the finding is about, when not the object being checked (cross-object rules). */
  readonly object?: RenderedObject;
}

export type CheckResult = readonly RuleFinding[] | 'not-applicable';

interface RuleBase {
  /** kebab-case, equal to the file name under policies/rules/, never reused. */
  readonly id: string;
  readonly severity: Severity;
  readonly pack: Pack;
  /** The compliant condition, one sentence. */
  readonly description: string;
  /** Why it matters here. */
  readonly rationale: string;
  /** What to do, imperative, ending with a period. */
  readonly remediation: string;
  readonly docsUrl: string;
  /** Kinds the rule judges ('*' for every kind). */
  readonly kinds: readonly string[] | '*';
}

export interface ObjectRule extends RuleBase {
  readonly scope: 'object';
  check(object: RenderedObject, context: PolicyContext): CheckResult;
}

export interface EnvironmentRule extends RuleBase {
  readonly scope: 'environment';
  check(context: PolicyContext): CheckResult;
}

export type Rule = ObjectRule | EnvironmentRule;

export interface ObjectId {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Finding {
  readonly rule: string;
  readonly pack: Pack;
  readonly severity: Severity;
  readonly level: Level;
  readonly environment: string;
  readonly object: ObjectId;
  /** `Kind/namespace/name`. */
  readonly ref: string;
  /** Path in the repository (root + file). */
  readonly file: string;
  /**
   * The line of the environment file that configures the object, for synthesized environments:
   * where a pull request changes it (code scanning and annotations point there, as `file` is
   * output that is usually not committed).
   */
  readonly source?: SourceLine;
  readonly constructPath?: string;
  readonly value?: string;
  readonly message: string;
  readonly fix: string;
}

export interface ExemptionUse {
  readonly environment: string;
  readonly rule: string;
  readonly object: string;
  readonly reason: string;
  readonly expires?: string;
  /** Findings the exemption waived in this run. */
  readonly waived: number;
}

export interface EnvironmentReport {
  readonly name: string;
  readonly tier?: string;
  readonly packs: readonly Pack[];
  /** Ids of the rules that ran, sorted. */
  readonly rules: readonly string[];
  readonly findings: readonly Finding[];
  /** Findings waived by an exemption, kept for SARIF suppressions. */
  readonly waived: readonly Finding[];
  readonly exemptions: readonly ExemptionUse[];
}

export interface PolicyReport {
  readonly environments: readonly EnvironmentReport[];
  readonly rules: readonly Rule[];
}
