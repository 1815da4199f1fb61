/** Reads a directory of manifests gitplane did not make, for `validate --dir` and `policy --dir`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { byCodePoint } from '../constructs/core/order';
import { Located } from '../validation';
import { InputError } from './errors';
import { documentValue } from './yaml-value';
import { Manifest } from './objects';

/** Every object in every YAML file under `dir`, with its file relative to `dir` and the line it begins at. */
export function readManifestDir(dir: string): Located[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError([`${dir}: not a directory. Give a directory of manifests.`]);
  const objects: Located[] = [];
  const problems: string[] = [];
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file);
    const lines = new LineCounter();
    const lineAt = (offset: number | undefined) => lines.linePos(offset ?? 0).line;
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter: lines })) {
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        const at = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
        problems.push(`${file}${at}: the file is not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}. Fix the syntax.`);
        continue;
      }
      const read = documentValue(doc);
      if ('problem' in read) {
        problems.push(`${file}:${lineAt(doc.contents?.range?.[0])}: ${read.problem}.`);
        continue;
      }
      const value = read.value as Manifest | null;
      if (value === null) continue;
      if (value.kind === 'List' && Array.isArray(value.items)) {
        const nodes = doc.get('items', true);
        (value.items as Manifest[]).forEach((item, i) => objects.push({ manifest: item, file: rel, line: lineAt(isSeq(nodes) ? (nodes.items[i] as { range?: [number] } | undefined)?.range?.[0] : undefined) }));
      } else {
        objects.push({ manifest: value, file: rel, line: lineAt(doc.contents?.range?.[0]) });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return objects;
}

/**
 * YAML files under `dir`, hidden directories left out, and so is `values/` in an environment
 * directory gitplane wrote (beside `apps/` or `bootstrap/`): those are Helm values, checked
 * against their chart, not manifests.
 */
function walk(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name));
  const environment = entries.some((e) => e.isDirectory() && (e.name === 'apps' || e.name === 'bootstrap'));
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('.') || (environment && e.name === 'values') ? [] : walk(full);
    return /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}
