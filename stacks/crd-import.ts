/**
 * `gitplane schemas import FILE`: adds CustomResourceDefinitions, as `kubectl get crd -o yaml`
 * prints them (a `kind: List`) or as plain CRD documents, to the project's schema directory
 * (`schemas/crds/<name>.yaml`, one file per CRD, to commit). Only what validation reads is kept:
 * the cluster's status, managed fields and conversion webhook settings are left out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, Node, parseAllDocuments, stringify } from 'yaml';
import { describeValue } from './describe-value';
import { InputError } from './errors';
import { makeDirectories, writeWhole } from './write-whole';
import { isMap } from './objects';
import { documentValue } from './yaml-value';

/** `kubectl get crd -o yaml` of a cluster with many operators runs to tens of MiB. */
export const MAX_IMPORT = 64 * 1024 * 1024;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

export interface ImportResult {
  readonly added: string[];
  readonly replaced: string[];
}

export interface Crd {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: { group?: unknown; names?: { kind?: unknown; plural?: unknown }; scope?: unknown; versions?: unknown; conversion?: unknown };
}

/** Checks every CRD in `text` (read from `file`) and, only when all are sound, writes them under `crdDir`. */
export function importCrds(file: string, text: string, crdDir: string): ImportResult {
  const lines = new LineCounter();
  const problems: string[] = [];
  const crds: { name: string; crd: Crd }[] = [];
  const at = (node: unknown) => `${file}:${lines.linePos((node as Node | undefined)?.range?.[0] ?? 0).line}`;
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    if (doc.errors.length > 0) {
      problems.push(`${at({ range: [doc.errors[0].pos[0]] })}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}. Give the output of "kubectl get crd -o yaml".`);
      continue;
    }
    const read = documentValue(doc);
    if ('problem' in read) {
      problems.push(`${at(doc.contents)}: ${read.problem}.`);
      continue;
    }
    const value = read.value as (Crd & { items?: unknown }) | null;
    if (value === null) continue;
    const list = value.kind === 'List' || value.kind === 'CustomResourceDefinitionList';
    const items: [Crd, unknown][] = list && Array.isArray(value.items) ? value.items.map((item: Crd, i: number) => [item, doc.getIn(['items', i], true)]) : [[value, doc.contents]];
    for (const [crd, node] of items) {
      const problem = crdProblem(crd);
      if (problem) problems.push(`${at(node)}: ${problem.message}`);
      else crds.push({ name: crd.metadata!.name as string, crd });
    }
  }
  if (problems.length === 0 && crds.length === 0) problems.push(`${file}: holds no CustomResourceDefinition. Give the output of "kubectl get crd -o yaml".`);
  if (problems.length > 0) throw new InputError(problems);

  makeDirectories(crdDir);
  const result: ImportResult = { added: [], replaced: [] };
  for (const { name, crd } of crds) {
    const target = path.join(crdDir, `${name}.yaml`);
    (fs.existsSync(target) ? result.replaced : result.added).push(name);
    const spec = { ...crd.spec };
    delete spec.conversion;
    writeWhole(target, stringify({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name }, spec }, { lineWidth: 0 }), 0o644);
  }
  return result;
}

/**
 * What is wrong with one item, or undefined when it is a CRD validation can use: the first
 * problem, with the path of the field it is about (that of the object for `kind`). Also how the
 * CRD directories judge the CRDs they hold (validation/crd.ts).
 */
export function crdProblem(crd: Crd): { path: string[]; message: string } | undefined {
  const found = (v: unknown) => JSON.stringify(v ?? null);
  if (crd?.kind !== 'CustomResourceDefinition') return { path: ['kind'], message: `expected a CustomResourceDefinition (found kind ${found(crd?.kind)}). Give only CRDs, as "kubectl get crd -o yaml" prints them.` };
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1') return { path: ['apiVersion'], message: `apiVersion must be apiextensions.k8s.io/v1 (found ${found(crd.apiVersion)}). Export the CRD from a cluster that serves apiextensions.k8s.io/v1.` };
  const { group, names, scope, versions } = crd.spec ?? {};
  if (typeof group !== 'string' || !DNS_SUBDOMAIN.test(group)) return { path: ['spec', 'group'], message: `spec.group must be a DNS name with a dot (found ${found(group)}). Fix the CRD.` };
  if (typeof names?.kind !== 'string' || typeof names?.plural !== 'string') return { path: ['spec', 'names'], message: `spec.names.kind and spec.names.plural must be set (found ${found(names)}). Fix the CRD.` };
  if (crd.metadata?.name !== `${names.plural}.${group}`) return { path: ['metadata', 'name'], message: `metadata.name must be <spec.names.plural>.<spec.group>, ${names.plural}.${group} (found ${found(crd.metadata?.name)}). Fix the CRD.` };
  if (scope !== 'Namespaced' && scope !== 'Cluster') return { path: ['spec', 'scope'], message: `spec.scope must be Namespaced or Cluster (found ${found(scope)}). Fix the CRD.` };
  if (!Array.isArray(versions) || versions.length === 0 || versions.some((v: { name?: unknown }) => typeof v?.name !== 'string')) {
    return { path: ['spec', 'versions'], message: `spec.versions must list the served versions, each with a name (found ${found(versions)}). Fix the CRD.` };
  }
  for (const [i, { schema }] of (versions as { schema?: { openAPIV3Schema?: { properties?: unknown } } }[]).entries()) {
    if (schema === undefined) continue;
    const [field, value] = !isMap(schema) ? ['schema', schema] : !isMap(schema.openAPIV3Schema) ? ['schema.openAPIV3Schema', schema.openAPIV3Schema] : ['schema.openAPIV3Schema.properties', schema.openAPIV3Schema.properties];
    if (field.endsWith('properties') && (value === undefined || isMap(value))) continue;
    return { path: ['spec', 'versions', String(i), ...field.split('.')], message: `spec.versions[${i}].${field} must be a mapping (found ${describeValue(value)}). Fix the CRD.` };
  }
  return undefined;
}
