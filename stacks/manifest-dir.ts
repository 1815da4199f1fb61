/** Reads a directory of manifests gitplane did not make, for `validate --dir` and `policy --dir`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';
import { Located } from '../validation';
import { InputError } from './errors';
import { Enter, filesUnder } from './out-of-bounds';
import { documentValue, syntaxProblem } from './yaml-value';
import { Manifest } from './objects';

/**
 * Every object in every YAML file under `dir`, with its file relative to `dir`, the line it begins
 * at and where each of its fields is.
 */
export function readManifestDir(dir: string): Located[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError([`${dir}: not a directory. Give a directory of manifests.`]);
  const objects: Located[] = [];
  const problems: string[] = [];
  for (const file of filesUnder(dir, dir, (name) => /\.ya?ml$/.test(name), manifestFolder)) {
    const rel = path.relative(dir, file);
    const lines = new LineCounter();
    const lineAt = (offset: number | undefined) => lines.linePos(offset ?? 0).line;
    const fields = fieldPositions(file);
    parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter: lines }).forEach((doc, d) => {
      if (doc.errors.length > 0) {
        problems.push(syntaxProblem(file, doc.errors[0]));
        return;
      }
      const read = documentValue(doc);
      if ('problem' in read) {
        problems.push(`${file}:${lineAt(doc.contents?.range?.[0])}: ${read.problem}.`);
        return;
      }
      const value = read.value as Manifest | null;
      if (value === null) return;
      if (value.kind === 'List' && Array.isArray(value.items)) {
        const nodes = doc.get('items', true);
        (value.items as Manifest[]).forEach((manifest, i) => {
          const line = lineAt(isSeq(nodes) ? (nodes.items[i] as Node | undefined)?.range?.[0] : undefined);
          objects.push({ manifest, file: rel, line, position: (p) => fields(d, i, p) });
        });
      } else {
        objects.push({ manifest: value, file: rel, line: lineAt(doc.contents?.range?.[0]), position: (p) => fields(d, undefined, p) });
      }
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return objects;
}

/**
 * Where the fields of the objects of `file` are: of its document `d`, or of item `item` of that
 * document's List. Only problems ask, so the file is parsed again on the first question instead
 * of keeping every document's nodes while the whole directory is judged.
 */
function fieldPositions(file: string): (d: number, item: number | undefined, path: readonly string[]) => { line: number; col: number } | undefined {
  let parsed: { docs: Document[]; lines: LineCounter } | undefined;
  return (d, item, path) => {
    if (!parsed) {
      const lines = new LineCounter();
      parsed = { docs: parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter: lines }) as Document[], lines };
    }
    const doc = parsed.docs[d];
    const items = item === undefined ? undefined : doc?.get('items', true);
    const object = item === undefined ? doc?.contents : isSeq(items) ? items.items[item] : undefined;
    const offset = doc && fieldNode(doc, object, path)?.range?.[0];
    return offset === undefined ? undefined : parsed.lines.linePos(offset);
  };
}

/**
 * The node of the field at `path` below `node` (a document's object): the key of a map's field,
 * the item of a list; undefined when the field is not there.
 */
function fieldNode(doc: Document, node: unknown, path: readonly string[]): Node | undefined {
  let at = node;
  let shown: unknown = node;
  for (const key of path) {
    if (isAlias(at)) at = at.resolve(doc);
    if (isMap(at)) {
      const pair = at.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      [at, shown] = [pair?.value, pair?.key];
    } else if (isSeq(at) && /^\d+$/.test(key)) {
      [at, shown] = [at.items[Number(key)], at.items[Number(key)]];
    } else {
      return undefined;
    }
  }
  return isNode(shown) ? shown : undefined;
}

/**
 * The folders whose YAML files are manifests: hidden ones left out, and so are the Helm values of
 * the charts the Applications install (checked against their chart, not manifests): `values/` at
 * the top of the directory given, which `policy --dir` reads as the values files, and `values/`
 * beside `apps/` or `bootstrap/` below it, as in an environment folder gitplane wrote.
 */
const manifestFolder: Enter = (name, siblings, depth) => {
  if (name.startsWith('.')) return false;
  const environment = depth === 0 || siblings.some((e) => e.isDirectory() && (e.name === 'apps' || e.name === 'bootstrap'));
  return !(environment && name === 'values');
};
