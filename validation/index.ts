/**
 * Validates rendered objects before anything is written: every object against the Kubernetes
 * schema or its CRD's schema, unknown fields rejected, kinds without a schema rejected, and no
 * two objects with the same apiVersion, kind, namespace and name.
 */
import * as path from 'node:path';
import { describeValue } from '../stacks/describe-value';
import { isClusterScoped, isMap, Manifest, objectRef } from '../stacks/objects';
import { cacheDir, type Settings } from '../stacks/settings';
import { unknownFields, validateBuiltIn, isBuiltIn } from './core';
import { CrdRegistry, validateCustom } from './crd';
import { FieldProblem } from './field-problem';
import { keptOutcomes, Outcome } from './kept-outcomes';
import { metadataProblems } from './object-meta';
import { SCHEMA_FIX } from './unchecked';

export { CrdRegistry } from './crd';
export { chartDefaultsFile, checkHelmValues, HelmValuesInput } from './helm-values';
export { SCHEMA_FIX, uncheckedSummary } from './unchecked';

export interface ValidationProblem {
  /** File the object is (or will be) written to. */
  file: string;
  /** `Kind/namespace/name`. */
  object: string;
  /** What is wrong, with the field path first. */
  message: string;
  /** Where in `file` the field the problem is about is (or its object, when the field is not there), for files gitplane did not write. */
  line?: number;
  col?: number;
  /**
   * Set when the object could not be checked because no schema is available (a custom resource
   * whose CRD, or a chart whose default values, gitplane has not got): what went unchecked, e.g.
   * `argoproj.io/v1alpha1 Application`. synth reports these and goes on; validate, publish and
   * policy in CI refuse them.
   */
  unchecked?: string;
  /** With `unchecked`, when something other than a schema is missing (Helm, a chart archive): how to get it. @default SCHEMA_FIX */
  fix?: string;
}

export interface Located {
  manifest: Manifest;
  file: string;
  /** The line the object begins at in its file, when read from a directory of manifests. */
  line?: number;
  /** Where a field of the object (keys and list indexes from its root) is in its file, when read from one; undefined when the field is not there. */
  position?: (path: readonly string[]) => { line: number; col: number } | undefined;
}

export class Validator {
  /** Outcomes of objects judged before, for objects shared between renders (see validate). */
  private readonly judged = new WeakMap<Manifest, Outcome>();
  private readonly kept?: ReturnType<typeof keptOutcomes>;

  /** `keepIn`: a directory keeping the outcomes between runs (validation/kept-outcomes.ts). */
  constructor(
    private readonly crds: CrdRegistry,
    keepIn?: string,
  ) {
    this.kept = keepIn === undefined ? undefined : keptOutcomes(keepIn);
  }

  /**
   * With `shared`, the objects are never changed once made (Helm's renders, whose documents
   * renders of other environments repeat as the same objects): each one's schema is checked once
   * per process however many environments render it. Parsed from JSON or YAML, they have no
   * undefined field.
   */
  validate(objects: readonly Located[], shared = false): ValidationProblem[] {
    // Each object's problems in turn; those of its schema once every object's schema is judged, at once.
    const problems: ValidationProblem[][] = [];
    const pending: { manifest: Manifest; report: (outcome: Outcome) => void }[] = [];
    const seen = new Map<string, string>();
    for (const { manifest, file, line, position } of objects) {
      const own: ValidationProblem[] = [];
      problems.push(own);
      // Where in its file, for an object read from one: the field's line and column, else the object's.
      const at = (path: readonly string[]) => position?.(path) ?? position?.([]) ?? (line === undefined ? {} : { line });
      // A document of a directory may be anything (validate --dir).
      if (!isMap(manifest)) {
        const text = JSON.stringify(manifest) ?? String(manifest);
        own.push({ file, ...at([]), object: 'a document', message: `is ${text.length > 60 ? `${text.slice(0, 57)}...` : text}, not a Kubernetes object. Write each document as a map with apiVersion, kind and metadata, or remove it.` });
        continue;
      }
      // A document of a directory may have no name: say so rather than show "undefined".
      const ref = typeof manifest.metadata?.name === 'string' ? objectRef(manifest) : `${manifest.kind} without a name`;
      const add = ({ path, message }: FieldProblem) => own.push({ file, ...at(path), object: ref, message });
      if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
        const path = typeof manifest.apiVersion !== 'string' ? ['apiVersion'] : ['kind'];
        const message = `apiVersion and kind must both be strings; every Kubernetes object needs them (got apiVersion ${describeValue(manifest.apiVersion)}, kind ${describeValue(manifest.kind)}). Set them, e.g. apiVersion: v1 and kind: ConfigMap.`;
        own.push({ file, ...at(path), object: typeof manifest.kind === 'string' ? ref : 'a document', message });
        continue;
      }
      const identity = `${manifest.apiVersion}|${ref}`;
      const first = seen.get(identity);
      if (typeof manifest.metadata?.name !== 'string' || manifest.metadata.name === '') {
        // Objects without a name are not the same object: each is reported for its name alone.
        add({ path: ['metadata', 'name'], message: 'metadata.name: required; every object needs a name. Add metadata.name.' });
      } else if (first !== undefined) {
        add({ path: [], message: `duplicate object: ${manifest.apiVersion} ${ref} is also defined in ${first}. Rename or remove one of them.` });
      } else {
        seen.set(identity, line === undefined ? file : `${file}:${line}`);
      }
      pending.push({
        manifest,
        report: (outcome) => {
          if ('unchecked' in outcome) own.push({ file, ...at([]), object: ref, unchecked: outcome.unchecked, message: outcome.message });
          else outcome.problems.forEach(add);
        },
      });
    }
    const outcomes = this.outcomes(pending.map((p) => p.manifest), shared);
    pending.forEach((p, i) => p.report(outcomes[i]));
    return problems.flat();
  }

  /** What checking each object against its schema finds, kept between runs when the validator keeps outcomes. */
  private outcomes(manifests: readonly Manifest[], shared: boolean): Outcome[] {
    const judge = (manifest: Manifest): Outcome => {
      let outcome = shared ? this.judged.get(manifest) : undefined;
      if (outcome === undefined) {
        outcome = this.outcome(manifest, shared);
        if (shared) this.judged.set(manifest, outcome);
      }
      return outcome;
    };
    if (!this.kept) return manifests.map(judge);
    return this.kept(manifests.map((manifest) => ({ manifest, schemaKey: this.crds.schemaKey(groupOf(manifest.apiVersion), manifest.kind) })), judge);
  }

  private outcome(manifest: Manifest, parsed: boolean): Outcome {
    const group = groupOf(manifest.apiVersion);
    // A CRD's group always has a dot; an API group no available CRD belongs to cannot be judged.
    if (group.includes('.') && !isBuiltIn(manifest.apiVersion, manifest.kind) && !this.crds.hasGroup(group)) {
      const unchecked = `${manifest.apiVersion} ${manifest.kind}`;
      return { unchecked, message: `${unchecked} was not schema-checked: no available CRD belongs to the API group ${group}. ${SCHEMA_FIX}` };
    }
    return { problems: this.schemaProblems(manifest, parsed) };
  }

  private schemaProblems(manifest: Manifest, parsed: boolean): FieldProblem[] {
    if (isBuiltIn(manifest.apiVersion, manifest.kind)) {
      return [...validateBuiltIn(manifest, parsed), ...namespaceProblems(manifest, isClusterScoped(manifest.apiVersion, manifest.kind)), ...metadataProblems(manifest, true)];
    }
    const custom = this.crds.lookup(manifest.apiVersion, manifest.kind);
    if (!custom) {
      const where = this.crds.dirs.length > 0 ? this.crds.dirs.join(', ') : 'no CRD directory';
      return [
        { path: [], message: `apiVersion ${manifest.apiVersion} kind ${manifest.kind} has no registered schema: it is not a built-in kind and no CRD in ${where} serves it. Fix the apiVersion or kind, or add its CRD ("gitplane schemas import FILE").` },
      ];
    }
    const problems = [...validateCustom(manifest, custom), ...namespaceProblems(manifest, custom.scope === 'Cluster'), ...metadataProblems(manifest, false)];
    unknownFields(manifest.metadata, 'V1ObjectMeta', ['metadata'], problems);
    for (const map of ['labels', 'annotations'] as const) {
      for (const [k, v] of Object.entries(manifest.metadata?.[map] ?? {})) {
        if (typeof v !== 'string') problems.push({ path: ['metadata', map, k], message: `metadata.${map}.${k}: must be a string (got ${describeValue(v)}). Quote the value.` });
      }
    }
    return problems;
  }
}

/** The API group of an apiVersion: `apps` of apps/v1, empty for the core group's v1. */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** A namespace on a cluster-scoped kind: the API server rejects it, and Argo CD shows the object out of sync forever. */
function namespaceProblems(manifest: Manifest, clusterScoped: boolean): FieldProblem[] {
  const namespace = manifest.metadata?.namespace;
  if (!clusterScoped || namespace === undefined) return [];
  return [{ path: ['metadata', 'namespace'], message: `metadata.namespace: ${manifest.kind} is cluster-scoped and takes no namespace (got ${JSON.stringify(namespace)}). Remove metadata.namespace.` }];
}

let validators = new Map<string, Validator>();

/**
 * One validator per set of CRD directories, so CRD schemas are compiled once per process; it keeps
 * outcomes between runs in the user's cache (`$XDG_CACHE_HOME/gitplane/validated`).
 */
export function validatorFor(settings: Pick<Settings, 'crdDirs'>): Validator {
  const key = settings.crdDirs.join('\0');
  let validator = validators.get(key);
  if (!validator) {
    validator = new Validator(new CrdRegistry(settings.crdDirs), path.join(cacheDir(), 'validated'));
    validators = new Map([[key, validator]]);
  }
  return validator;
}

/** One line per problem: `file: Kind/ns/name: message`, the file followed by `:line` or `:line:col` where known. */
export function formatProblems(problems: readonly ValidationProblem[]): string[] {
  return problems.map((p) => `${p.file}${p.line === undefined ? '' : `:${p.line}${p.col === undefined ? '' : `:${p.col}`}`}: ${p.object}: ${p.message}`);
}
