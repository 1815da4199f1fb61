import { customGroup, operatorOf } from '../lib/crds';
import { docsUrl } from '../lib/docs-url';
import { before, describe, positionOf } from '../lib/ordering';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'custom-resource-after-operator',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: 'Every custom resource served by an operator or admission webhook syncs in a later wave than that operator.',
  rationale: 'A custom resource applied before its operator runs is accepted but not acted on, or rejected when the operator\'s admission webhook is not up yet; the sync then fails or reports healthy objects that do nothing.',
  remediation: 'Give the custom resource Wave.CustomResources and keep the operator in Wave.Operators (or its Application in an earlier wave).',
  docsUrl: docsUrl('custom-resource-after-operator'),
  kinds: '*',
  charts: false,
  check(object, ctx) {
    const group = customGroup(object);
    if (!group) return 'not-applicable';
    const operator = operatorOf(group, ctx);
    if (!operator?.position) return 'not-applicable';
    const here = positionOf(object, ctx);
    if (before(operator.position, here)) return [];
    return [{
      message: `${object.manifest.kind} is in ${describe(here)}, not after its operator (group ${group}) in ${describe(operator.position)}.`,
      value: `application wave ${here.appWave}, wave ${here.wave}`,
    }];
  },
};
