import { REMOVED_APIS, RemovedApi } from '../data/removed-apis';
import { docsUrl } from '../lib/docs-url';
import { push } from '../lib/lookup';
import { ObjectRule } from '../types';

/** The removals by API version, in table order: every object is looked up. */
const BY_VERSION = new Map<string, RemovedApi[]>();
for (const r of REMOVED_APIS) push(BY_VERSION, r.apiVersion, r);

export const rule: ObjectRule = {
  id: 'api-version-removed',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'No object uses an API version that the environment\'s Kubernetes version (cluster.kubernetesVersion) no longer serves; a directory of manifests is judged against every removal known.',
  rationale: 'An object with a removed apiVersion fails to apply after a cluster upgrade, in the middle of a sync.',
  remediation: 'Move the object to the replacement API version.',
  docsUrl: docsUrl('api-version-removed'),
  kinds: '*',
  check(object, ctx) {
    const minor = ctx.spec ? Number(ctx.spec.cluster.kubernetesVersion.split('.')[1]) : Infinity;
    const m = object.manifest;
    const removed = BY_VERSION.get(m.apiVersion)?.find((r) => (r.kinds === '*' || r.kinds.includes(m.kind)) && r.removedIn <= minor);
    if (!removed) return [];
    return [{ message: `${m.apiVersion} ${m.kind} was removed in Kubernetes 1.${removed.removedIn}${ctx.spec ? ` and the cluster runs ${ctx.spec.cluster.kubernetesVersion}` : ''}.`, value: m.apiVersion, fix: `Use ${removed.replacement}.` }];
  },
};
