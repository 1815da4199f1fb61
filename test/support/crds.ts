/** CRDs from the configured schema directories, in the shapes users hand gitplane. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadSettings } from '../../stacks/settings';
import { sharedInRun } from './run-cache';

/**
 * Every CRD document under the configured CRD directories (the offline mirror in this repository),
 * parsed once per run (test/support/run-cache.ts, keyed by the files' names and contents): a parse
 * costs 2 s of CPU, and four test files read them.
 */
export function configuredCrds(): Record<string, unknown>[] {
  const files: [string, string][] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name)) files.push([full, fs.readFileSync(full, 'utf8')]);
    }
  };
  loadSettings().crdDirs.forEach(walk);
  return sharedInRun(['configured CRDs', files], () =>
    files.flatMap(([, text]) => parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>)).filter((doc) => doc?.kind === 'CustomResourceDefinition'),
  );
}

/**
 * `crds` as `kubectl get crd -o yaml` prints them: a `kind: List` with items at the left margin,
 * each carrying the metadata and status a cluster adds.
 */
export function kubectlList(crds: Record<string, unknown>[]): string {
  const items = crds.map((crd) => ({
    ...crd,
    metadata: { ...(crd.metadata as object), creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, resourceVersion: '4711', uid: '00000000-0000-0000-0000-000000000000', managedFields: [{ apiVersion: 'apiextensions.k8s.io/v1', fieldsType: 'FieldsV1', manager: 'kubectl' }] },
    status: { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: ['v1'] },
  }));
  return stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, { indentSeq: false, lineWidth: 0 });
}
