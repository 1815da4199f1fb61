import { docsUrl } from '../lib/docs-url';
import { ObjectRule } from '../types';

const HOOKS = [
  { hook: 'argocd.argoproj.io/hook', policy: 'argocd.argoproj.io/hook-delete-policy' },
  { hook: 'helm.sh/hook', policy: 'helm.sh/hook-delete-policy' },
];

export const rule: ObjectRule = {
  id: 'hook-delete-policy',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: 'Every Argo CD or Helm hook carries a hook delete policy.',
  rationale: 'A hook without a delete policy stays behind after it ran; the next sync cannot create it again (the name is taken) and the sync fails or silently skips the hook.',
  remediation: 'Add argocd.argoproj.io/hook-delete-policy (e.g. BeforeHookCreation,HookSucceeded) beside the hook annotation.',
  docsUrl: docsUrl('hook-delete-policy'),
  kinds: '*',
  check(object) {
    const a = object.manifest.metadata?.annotations ?? {};
    const hooks = HOOKS.filter((h) => h.hook in a);
    if (hooks.length === 0) return 'not-applicable';
    if (hooks.some((h) => typeof a[h.policy] === 'string' && a[h.policy].trim() !== '')) return [];
    return [{ message: `the object is a hook (${hooks.map((h) => `${h.hook}: ${a[h.hook]}`).join(', ')}) without a delete policy.`, value: hooks.map((h) => a[h.hook]).join(', ') }];
  },
};
