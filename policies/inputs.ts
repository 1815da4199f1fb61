/** Builds what the engine judges from synthesized environments and from directories of manifests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifestDir } from '../stacks/manifest-dir';
import { fieldPosition } from '../stacks/environment';
import { RenderedObject } from '../stacks/objects';
import { BuiltEnvironment } from '../stacks/pipeline';
import { PolicyEnvironment, SourceLine } from './types';

/** A synthesized environment; `outDir` is where `gitplane synth` writes it (for file paths in reports). */
export function fromBuilt(b: BuiltEnvironment, outDir = 'dist'): PolicyEnvironment {
  const files = new Map([...b.output.files].filter(([f]) => !f.startsWith('apps/') && !f.startsWith('bootstrap/')));
  const fields = new Map(b.apps.map((a) => [a.name, a.configuredAt ?? ['apps', a.name]]));
  const locate = (object?: RenderedObject): SourceLine | undefined => {
    const field = !object ? [] : object.app === 'bootstrap' ? ['gitops'] : (fields.get(object.app) ?? ['apps', object.app]);
    const at = fieldPosition(b.spec, field);
    return at && { file: at.file, line: at.line };
  };
  return { name: b.spec.name, spec: b.spec, objects: b.output.objects, files, root: `${outDir}/${b.spec.name}`, locate };
}

/** Every manifest under `dir` plus its runbooks/ and values/ files. */
export function fromDir(dir: string): PolicyEnvironment {
  const objects = readManifestDir(dir).map((o) => ({ ...o, app: appFolder(o.file) }));
  const files = new Map<string, string>();
  for (const sub of ['runbooks', 'values']) {
    const base = path.join(dir, sub);
    if (!fs.existsSync(base)) continue;
    for (const f of fs.readdirSync(base).sort()) files.set(`${sub}/${f}`, fs.readFileSync(path.join(base, f), 'utf8'));
  }
  return { name: dir, objects, files, root: dir.replace(/\/$/, '') };
}

function appFolder(file: string): string {
  const m = /(?:^|\/)apps\/([^/]+)\//.exec(file);
  if (m) return m[1];
  return /(?:^|\/)bootstrap\//.test(file) ? 'bootstrap' : '';
}
