import { docsUrl } from '../lib/docs-url';
import { appOf, before, describe, positionOf, syncOptions } from '../lib/ordering';
import { ObjectRule } from '../types';
import { named } from '../lib/lookup';

/** Namespaces that exist before gitplane syncs anything (the cluster's own, and Argo CD's, which the bootstrap creates). */
const PREEXISTING = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'argocd'];

export const rule: ObjectRule = {
  id: 'namespace-before-objects',
  scope: 'object',
  severity: 'error',
  pack: 'sync-waves',
  description: 'Every namespaced object\'s namespace is created in an earlier wave (or by its own Application, which Argo CD orders first), or the Application sets CreateNamespace=true.',
  rationale: 'An object whose namespace does not exist yet fails to apply; across Applications Argo CD does not order namespaces first.',
  remediation: 'Give the application that owns the namespace a podSecurity level in its descriptor, so gitplane creates the namespace in Wave.Foundation.',
  docsUrl: docsUrl('namespace-before-objects'),
  kinds: '*',
  check(object, ctx) {
    const ns = object.manifest.metadata?.namespace;
    if (!ns || object.manifest.kind === 'Namespace' || PREEXISTING.includes(ns)) return 'not-applicable';
    if (syncOptions(object, ctx).includes('CreateNamespace=true')) return [];
    const namespace = named(ctx, 'Namespace', ns);
    if (!namespace) {
      return [{ message: `namespace ${ns} is not created anywhere in this environment.`, value: ns }];
    }
    const here = positionOf(object, ctx);
    const there = positionOf(namespace, ctx);
    if (appOf(namespace) === here.app || before(there, here)) return [];
    return [{ message: `the object is in ${describe(here)}, not after its namespace ${ns} in ${describe(there)}.`, value: ns }];
  },
};
