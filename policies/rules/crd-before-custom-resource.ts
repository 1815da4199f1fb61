import { crdInstaller, customGroup } from '../lib/crds';
import { docsUrl } from '../lib/docs-url';
import { before, describe, positionOf } from '../lib/ordering';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'crd-before-custom-resource',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: 'Every custom resource syncs after the Application or object that installs its CRD; across Applications the CR\'s Application is in a later wave.',
  rationale: 'Argo CD orders CRDs first only inside one Application. Across Applications only waves order the sync; a custom resource that arrives before its CRD fails with "no matches for kind" and the wave stalls.',
  remediation: 'Put the custom resource in Wave.CustomResources, in an Application whose wave is later than the one installing the CRD (the crds of the application descriptors, see stacks/application.ts).',
  docsUrl: docsUrl('crd-before-custom-resource'),
  kinds: '*',
  check(object, ctx) {
    const group = customGroup(object);
    if (!group) return 'not-applicable';
    const installer = crdInstaller(group, object.manifest.kind, ctx);
    if (!installer || installer.app === 'bootstrap') return 'not-applicable';
    const here = positionOf(object, ctx);
    if (!installer.position) {
      return [{ message: `${object.manifest.kind} needs the CRDs of ${group}, which application ${installer.app} installs (${installer.source}), but this environment has no such application.`, value: group, fix: `Enable the component that installs ${group}, or correct ${installer.source}.` }];
    }
    if (installer.position.app === here.app || before(installer.position, here)) return [];
    return [{
      message: `${object.manifest.kind} is in ${describe(here)}, not after its CRD (group ${group}) in ${describe(installer.position)}.`,
      value: `application wave ${here.appWave}, wave ${here.wave}`,
    }];
  },
};
