import { crdInstaller, customGroup } from '../lib/crds';
import { docsUrl } from '../lib/docs-url';
import { positionOf, syncOptions } from '../lib/ordering';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'skip-dry-run-cross-app',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: 'A custom resource whose CRD is installed by another Application carries SkipDryRunOnMissingResource=true (on the object or its Application).',
  rationale: 'Argo CD dry-runs every object before the first wave; on a fresh cluster the CRD from the other Application does not exist yet, so the dry run fails and nothing syncs at all.',
  remediation: 'Add the annotation argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true to the custom resource.',
  docsUrl: docsUrl('skip-dry-run-cross-app'),
  kinds: '*',
  check(object, ctx) {
    const group = customGroup(object);
    if (!group) return 'not-applicable';
    const installer = crdInstaller(group, object.manifest.kind, ctx);
    if (!installer || installer.app === 'bootstrap' || installer.app === positionOf(object, ctx).app) return 'not-applicable';
    if (syncOptions(object, ctx).includes('SkipDryRunOnMissingResource=true')) return [];
    return [{ message: `${object.manifest.kind} (group ${group}) has its CRD installed by application ${installer.app} but does not set SkipDryRunOnMissingResource=true.`, value: syncOptions(object, ctx).join(',') || '(no sync options)' }];
  },
};
