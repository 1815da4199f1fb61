import { RenderedObject } from '../../stacks/objects';
import { crdInstaller, customGroup, operatorOf } from '../lib/crds';
import { docsUrl } from '../lib/docs-url';
import { appOf, applications } from '../lib/ordering';
import { EnvironmentRule, PolicyContext } from '../types';
import { ofKind } from '../lib/lookup';

export const rule: EnvironmentRule = {
  id: 'sync-order-acyclic',
  scope: 'environment',
  severity: 'error',
  pack: 'sync-waves',
  description: 'The applications\' needs (CRDs, operators, namespaces from another application) form no cycle.',
  rationale: 'When application A needs something from B and B needs something from A, no choice of waves syncs both on a fresh cluster; the wave rules then report symptoms, this rule names the cause.',
  remediation: 'Move the shared piece (a namespace, a CRD) into an application both can depend on, such as namespaces.',
  docsUrl: docsUrl('sync-order-acyclic'),
  kinds: ['Application'],
  check(ctx) {
    const edges = needs(ctx);
    const cycles: string[][] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (app: string) => {
      state.set(app, 'open');
      stack.push(app);
      for (const next of [...(edges.get(app) ?? [])].sort()) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(app, 'done');
    };
    for (const app of [...edges.keys()].sort()) if (!state.has(app)) visit(app);
    const apps = applications(ctx);
    return cycles.map((c) => ({ message: `applications need each other in a cycle: ${c.join(' needs ')}.`, value: c.join(' -> '), object: apps.get(c[0]) }));
  },
};

/** app -> apps it needs to sync first. */
function needs(ctx: PolicyContext): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string | undefined) => {
    if (!from || !to || from === to || to === 'bootstrap') return;
    edges.set(from, (edges.get(from) ?? new Set()).add(to));
  };
  const namespaces = new Map(ofKind(ctx, 'Namespace').map((o): [string, RenderedObject] => [o.manifest.metadata.name, o]));
  for (const o of ctx.objects) {
    const app = appOf(o);
    const group = customGroup(o);
    if (group) {
      add(app, crdInstaller(group, o.manifest.kind, ctx)?.app);
      add(app, operatorOf(group, ctx)?.app);
    }
    const ns = o.manifest.metadata?.namespace;
    const owner = ns ? namespaces.get(ns) : undefined;
    if (owner) add(app, appOf(owner));
  }
  return edges;
}
