/**
 * Where an object lands in Argo CD's order: the wave of its Application in the root app-of-apps,
 * then its own wave inside the Application. Across Applications only Application waves order
 * things; inside one Application, object waves do.
 */
import { Manifest, RenderedObject } from '../../stacks/objects';
import { SYNC_WAVE_ANNOTATION } from '../../stacks/waves';
import { PolicyContext } from '../types';
import { perEnvironment } from './lookup';
import { listOf, mapsOf } from './shape';

export interface Position {
  readonly app: string;
  readonly appWave: number;
  readonly wave: number;
}

/** The object's own wave; 0 when it has none or it is not an integer (sync-wave-format reports that). */
export function waveOf(m: Manifest): number {
  const raw = m.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
  return typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : 0;
}

/** The app folder of an object: `RenderedObject.app`, or `apps/<app>/` in its file path. */
export function appOf(o: RenderedObject): string {
  if (o.app) return o.app;
  const m = /(?:^|\/)apps\/([^/]+)\//.exec(o.file);
  return m ? m[1] : '';
}

/**
 * The Applications of the context by the app folder they sync (last segment of spec.source.path),
 * including ApplicationSets, whose generated Applications carry the set's wave.
 */
export function applications(ctx: PolicyContext): Map<string, RenderedObject> {
  let apps = byObjects.get(ctx.objects);
  if (!apps) {
    apps = new Map<string, RenderedObject>();
    for (const o of ctx.objects) {
      const folder = o.manifest.kind === 'Application' || o.manifest.kind === 'ApplicationSet' ? syncedFolder(o.manifest) : undefined;
      if (folder) apps.set(folder, o);
    }
    byObjects.set(ctx.objects, apps);
  }
  return apps;
}

/** Applications by folder, per object list: every object of an environment asks for the same map. */
const byObjects = new WeakMap<readonly RenderedObject[], Map<string, RenderedObject>>();

interface SourceSpec {
  source?: { path?: string };
  sources?: { path?: string }[];
}

/** The app folder an Application (or an ApplicationSet's template) syncs (`.../apps/<folder>`), if any. */
export function syncedFolder(application: Manifest): string | undefined {
  const raw = application.spec as (SourceSpec & { template?: { spec?: SourceSpec } }) | undefined;
  const spec = application.kind === 'ApplicationSet' ? raw?.template?.spec : raw;
  const paths = [spec?.source?.path, ...mapsOf(spec?.sources).map((s) => s.path)].filter((p): p is string => typeof p === 'string');
  for (const p of paths) {
    const m = /(?:^|\/)apps\/([^/]+)\/?$/.exec(p);
    if (m) return m[1];
  }
  return undefined;
}

export function positionOf(o: RenderedObject, ctx: PolicyContext): Position {
  const app = appOf(o);
  const application = applications(ctx).get(app);
  return { app, appWave: application ? waveOf(application.manifest) : 0, wave: waveOf(o.manifest) };
}

/** True when `a` is applied, and healthy, strictly before `b` starts. */
export function before(a: Position, b: Position): boolean {
  if (a.app === b.app) return a.wave < b.wave;
  return a.appWave < b.appWave;
}

export function describe(p: Position): string {
  return p.app ? `wave ${p.wave} of application ${p.app} (application wave ${p.appWave})` : `wave ${p.wave}`;
}

/** Sync options of an object (annotation) and of its Application. */
export function syncOptions(o: RenderedObject, ctx: PolicyContext): readonly string[] {
  const own = o.manifest.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '';
  const appOptions = applicationSyncOptions(appOf(o), ctx);
  // Most objects have none of their own: their Application's, read once per application.
  if (own === '') return appOptions;
  return [...own.split(',').map((s) => s.trim()).filter(Boolean), ...appOptions];
}

/** The sync options of the Application that syncs a folder, per environment. */
function applicationSyncOptions(app: string, ctx: PolicyContext): readonly string[] {
  const byApp = perEnvironment(ctx, 'application-sync-options', () => new Map<string, readonly string[]>());
  let options = byApp.get(app);
  if (!options) {
    const application = applications(ctx).get(app);
    options = listOf((application?.manifest.spec as { syncPolicy?: { syncOptions?: unknown } })?.syncPolicy?.syncOptions).map(String).filter(Boolean);
    byApp.set(app, options);
  }
  return options;
}
