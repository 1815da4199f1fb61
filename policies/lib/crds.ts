/** Who installs the CRD of a custom resource and who serves it, from the output first and the application descriptors second. */
import { RenderedObject } from '../../stacks/objects';
import { CrdOwner, crdOwners, groupOf, isBuiltInGroup } from '../data/crd-owners';
import { PolicyContext } from '../types';
import { appOf, applications, Position, positionOf, waveOf } from './ordering';
import { WORKLOAD_KINDS } from './workloads';
import { ofApp, ofKind, perEnvironment } from './lookup';

export interface Installer {
  readonly group: string;
  /** `bootstrap` when Argo CD's own install provides it. */
  readonly app: string;
  /** Where in the order it is applied; undefined for bootstrap or when the app is missing. */
  readonly position?: Position;
  /** How the installer was found. */
  readonly source: 'CustomResourceDefinition in the output' | 'the crds of its application descriptor';
}

/** The group of a custom resource, or undefined for built-in kinds and CRDs themselves. */
export function customGroup(o: RenderedObject): string | undefined {
  const group = groupOf(o.manifest.apiVersion ?? '');
  return isBuiltInGroup(group) ? undefined : group;
}

/** Who installs the CRD of a group and kind; worked out once per environment, as every custom resource of the kind asks. */
export function crdInstaller(group: string, kind: string, ctx: PolicyContext): Installer | undefined {
  const byGroup = perEnvironment(ctx, 'crds:installers', () => new Map<string, Map<string, Installer | undefined>>());
  let byKind = byGroup.get(group);
  if (!byKind) byGroup.set(group, (byKind = new Map()));
  if (byKind.has(kind)) return byKind.get(kind);
  const installer = findInstaller(group, kind, ctx);
  byKind.set(kind, installer);
  return installer;
}

function findInstaller(group: string, kind: string, ctx: PolicyContext): Installer | undefined {
  const crd = definitions(ctx).get(`${group}/${kind}`);
  if (crd) return { group, app: appOf(crd), position: positionOf(crd, ctx), source: 'CustomResourceDefinition in the output' };
  const owner = owners(ctx).get(group);
  if (!owner) return undefined;
  return { group, app: owner.crdApp, position: appPosition(owner.crdApp, ctx, -Infinity), source: 'the crds of its application descriptor' };
}

/** The operator that serves a group's custom resources, once per environment and group. */
export function operatorOf(group: string, ctx: PolicyContext): Installer | undefined {
  const byGroup = perEnvironment(ctx, 'crds:operators', () => new Map<string, Installer | undefined>());
  if (byGroup.has(group)) return byGroup.get(group);
  const operator = findOperator(group, ctx);
  byGroup.set(group, operator);
  return operator;
}

function findOperator(group: string, ctx: PolicyContext): Installer | undefined {
  const owner = owners(ctx).get(group);
  if (!owner) return undefined;
  const workloads = ofApp(ctx, owner.operatorApp).filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.manifest.kind));
  // A chart-installed operator has no rendered workload; Helm objects without a wave sync in wave 0.
  const wave = workloads.length > 0 ? Math.max(...workloads.map((w) => waveOf(w.manifest))) : 0;
  return { group, app: owner.operatorApp, position: appPosition(owner.operatorApp, ctx, wave), source: 'the crds of its application descriptor' };
}

/** The CustomResourceDefinitions of the output by `group/kind` (the first of each). */
function definitions(ctx: PolicyContext): Map<string, RenderedObject> {
  return perEnvironment(ctx, 'crds:definitions', () => {
    const map = new Map<string, RenderedObject>();
    for (const o of ofKind(ctx, 'CustomResourceDefinition')) {
      const spec = o.manifest.spec as { group?: string; names?: { kind?: string } } | undefined;
      const key = `${spec?.group}/${spec?.names?.kind}`;
      if (typeof spec?.group === 'string' && typeof spec.names?.kind === 'string' && !map.has(key)) map.set(key, o);
    }
    return map;
  });
}

/** The descriptors' CRD owners by group (the first of each), read once per environment. */
function owners(ctx: PolicyContext): Map<string, CrdOwner> {
  return perEnvironment(ctx, 'crds:owners', () => {
    const map = new Map<string, CrdOwner>();
    for (const owner of crdOwners()) if (!map.has(owner.group)) map.set(owner.group, owner);
    return map;
  });
}

function appPosition(app: string, ctx: PolicyContext, wave: number): Position | undefined {
  if (app === 'bootstrap') return undefined;
  const application = applications(ctx).get(app);
  const hasObjects = ofApp(ctx, app).length > 0;
  if (!application && !hasObjects) return undefined;
  return { app, appWave: application ? waveOf(application.manifest) : 0, wave };
}
