/**
 * Objects of an environment by kind and by application, indexed once per environment. Rules look
 * things up for every object they judge; scanning the whole environment each time made a run
 * quadratic in its size.
 */
import { RenderedObject } from '../../stacks/objects';
import { PolicyContext } from '../types';
import { LabelSelector, Labels, selectorMatches } from './network-policy';
import { appOf } from './ordering';

interface Index {
  readonly byKind: Map<string, RenderedObject[]>;
  readonly byApp: Map<string, RenderedObject[]>;
  /** Kind, then namespace ('' for none); filled per kind as asked. */
  readonly byNamespace: Map<string, Map<string, RenderedObject[]>>;
  /** The first two segments of the file (`apps/<app>/`), for files under a folder of folders; filled when first asked. */
  byFolder?: Map<string, RenderedObject[]>;
  /** Kind, then name (the first object of that name); filled per kind as asked. */
  readonly byName: Map<string, Map<string, RenderedObject>>;
}

const indexes = new WeakMap<readonly RenderedObject[], Index>();

function indexFor(ctx: PolicyContext): Index {
  let index = indexes.get(ctx.objects);
  if (!index) {
    index = { byKind: new Map(), byApp: new Map(), byNamespace: new Map(), byName: new Map() };
    for (const o of ctx.objects) {
      push(index.byKind, o.manifest.kind, o);
      push(index.byApp, appOf(o), o);
    }
    indexes.set(ctx.objects, index);
  }
  return index;
}

/** Appends `value` to the list of `key` (one list per key: indexes stay linear to build). */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every object of a kind, in output order. */
export function ofKind(ctx: PolicyContext, kind: string): readonly RenderedObject[] {
  return indexFor(ctx).byKind.get(kind) ?? [];
}

/** Every object of an application folder, in output order. */
export function ofApp(ctx: PolicyContext, app: string): readonly RenderedObject[] {
  return indexFor(ctx).byApp.get(app) ?? [];
}

/** Every object of a kind in a namespace (`''`: cluster-scoped or unset), in output order. */
export function inNamespace(ctx: PolicyContext, kind: string, namespace: string): readonly RenderedObject[] {
  const index = indexFor(ctx);
  let byNamespace = index.byNamespace.get(kind);
  if (!byNamespace) {
    byNamespace = new Map();
    for (const o of ofKind(ctx, kind)) push(byNamespace, o.manifest.metadata?.namespace ?? '', o);
    index.byNamespace.set(kind, byNamespace);
  }
  return byNamespace.get(namespace) ?? [];
}

/** Every object whose file lies under `folder`, two segments ending in '/' (`apps/nats/`), in output order. */
export function inFolder(ctx: PolicyContext, folder: string): readonly RenderedObject[] {
  const index = indexFor(ctx);
  if (!index.byFolder) {
    index.byFolder = new Map();
    for (const o of ctx.objects) {
      const f = folderOf(o.file);
      if (f) push(index.byFolder, f, o);
    }
  }
  return index.byFolder.get(folder) ?? [];
}

/** `a/b/` of `a/b/c...`; undefined for a file less than two folders deep. */
function folderOf(file: string): string | undefined {
  const first = file.indexOf('/');
  const second = first < 0 ? -1 : file.indexOf('/', first + 1);
  return second < 0 ? undefined : file.slice(0, second + 1);
}

const computed = new WeakMap<readonly RenderedObject[], Map<string, unknown>>();

/** A value derived from the whole environment, computed once per environment however many objects ask. */
export function perEnvironment<T>(ctx: PolicyContext, key: string, compute: () => T): T {
  let values = computed.get(ctx.objects);
  if (!values) {
    values = new Map();
    computed.set(ctx.objects, values);
  }
  let value = values.get(key) as T | undefined;
  if (value === undefined && !values.has(key)) {
    value = compute();
    values.set(key, value);
  }
  return value as T;
}

/** The object of a kind with a name (the first, for cluster-scoped kinds such as Namespace). */
export function named(ctx: PolicyContext, kind: string, name: string): RenderedObject | undefined {
  const index = indexFor(ctx);
  let byName = index.byName.get(kind);
  if (!byName) {
    byName = new Map();
    for (const o of ofKind(ctx, kind)) if (!byName.has(o.manifest.metadata?.name)) byName.set(o.manifest.metadata?.name, o);
    index.byName.set(kind, byName);
  }
  return byName.get(name);
}

/**
 * Objects by label, indexed on the label names selectors ask for: a selector matches only objects
 * that carry its first `matchLabels` pair, so it is tested against those alone rather than every
 * object.
 */
export class ByLabel {
  readonly objects: RenderedObject[] = [];
  private readonly byName = new Map<string, Map<string, RenderedObject[]>>();

  constructor(private readonly labelsOf: (o: RenderedObject) => Labels | undefined) {}

  /** The objects a selector selects: those with its first `matchLabels` pair, or all of them for a selector without one, tested against the whole selector. */
  selected(selector: LabelSelector): RenderedObject[] {
    return this.candidates(selector.matchLabels ?? {}).filter((o) => selectorMatches(selector, this.labelsOf(o) ?? {}));
  }

  /** Whether a selector selects any of the objects (as `selected`, stopping at the first). */
  selectsAny(selector: LabelSelector): boolean {
    return this.candidates(selector.matchLabels ?? {}).some((o) => selectorMatches(selector, this.labelsOf(o) ?? {}));
  }

  private candidates(matchLabels: Labels): readonly RenderedObject[] {
    for (const name in matchLabels) {
      let byValue = this.byName.get(name);
      if (!byValue) {
        byValue = new Map();
        for (const o of this.objects) {
          const value = this.labelsOf(o)?.[name];
          if (value !== undefined) push(byValue, value, o);
        }
        this.byName.set(name, byValue);
      }
      return byValue.get(matchLabels[name]) ?? [];
    }
    return this.objects;
  }
}
