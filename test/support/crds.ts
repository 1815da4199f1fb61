/** CRDs from the configured schema directories, in the shapes users hand gitplane. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadSettings } from '../../stacks/settings';

/** Every CRD document under the configured CRD directories (the offline mirror in this repository). */
export function configuredCrds(): Record<string, unknown>[] {
  const crds: Record<string, unknown>[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name)) for (const doc of parseAllDocuments(fs.readFileSync(full, 'utf8'))) if ((doc.toJS() as { kind?: string })?.kind === 'CustomResourceDefinition') crds.push(doc.toJS());
    }
  };
  loadSettings().crdDirs.forEach(walk);
  return crds;
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
