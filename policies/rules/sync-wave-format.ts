import { SYNC_WAVE_ANNOTATION } from '../../stacks/waves';
import { docsUrl } from '../lib/docs-url';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'sync-wave-format',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: `The ${SYNC_WAVE_ANNOTATION} annotation, where present, is an integer written as a string ("-10", "0", "20").`,
  rationale: 'Argo CD parses the wave as an integer; anything else fails the sync, and a number instead of a string is rejected by the API server.',
  remediation: 'Use syncWave(Wave.X) from stacks/waves.ts, which writes the value as an integer string.',
  docsUrl: docsUrl('sync-wave-format'),
  kinds: '*',
  check(object) {
    const annotations = object.manifest.metadata?.annotations;
    if (!annotations || !(SYNC_WAVE_ANNOTATION in annotations)) return 'not-applicable';
    const value = annotations[SYNC_WAVE_ANNOTATION] as unknown;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return [];
    return [{ message: `metadata.annotations["${SYNC_WAVE_ANNOTATION}"] is ${JSON.stringify(value)}, not an integer string.`, value: JSON.stringify(value) }];
  },
};
