/**
 * Reads what gitplane checks against out of a Helm chart archive (`.tgz`), in memory: the
 * CustomResourceDefinitions it installs, its default `values.yaml` and its `values.schema.json`.
 * Nothing in the archive is ever written under its own name, so an entry like `../x` goes nowhere.
 *
 * @see https://helm.sh/docs/topics/charts/ (chart layout, crds/ and values.schema.json)
 */
import { gunzipSync } from 'node:zlib';
import { Document, parseAllDocuments, stringify } from 'yaml';
import { byCodePoint } from '../constructs/core/order';
import { documentValue } from './yaml-value';

/** Limits against a hostile archive (a gzip bomb): the largest pinned chart unpacks to under 10 MiB. */
const MAX_UNPACKED = 256 * 1024 * 1024;

/** What one chart archive contributes to a schema directory: path (`crds/...`, `helm-values/...`) -> bytes. */
export type SchemaFiles = Map<string, Buffer>;

export class ChartArchiveError extends Error {}

/** Regular files of a gzipped tar archive, by path. Directories, links and metadata entries are skipped. */
export function readTarGz(archive: Buffer): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: MAX_UNPACKED });
  } catch (e) {
    throw new ChartArchiveError(`not a gzip archive, or larger than ${MAX_UNPACKED / 1024 / 1024} MiB unpacked (${(e as Error).message})`);
  }
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return files;
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156]);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (body.length !== size) throw new ChartArchiveError('the tar archive is truncated');
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const prefix = text(header.subarray(345, 500));
    const name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
    longName = undefined;
    if (type === '0' || type === '\0') files.set(name.replace(/^\.\//, ''), Buffer.from(body));
  }
  if (offset !== tar.length) throw new ChartArchiveError('the tar archive is truncated');
  return files;
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function octal(field: Buffer): number {
  const value = parseInt(text(field).trim() || '0', 8);
  if (!Number.isSafeInteger(value) || value < 0) throw new ChartArchiveError('a tar header has an unreadable size');
  return value;
}

/**
 * The schema files of one chart: `crds/<crd name>.yaml` for every CRD it (or a chart inside it)
 * ships, in `crds/` or as a template, and `helm-values/<chart>-<version>.yaml` / `.schema.json`.
 */
export function chartSchemaFiles(archive: Buffer, chart: string, version: string): SchemaFiles {
  const entries = readTarGz(archive);
  const top = [...entries.keys()].find((p) => /^[^/]+\/Chart\.yaml$/.test(p))?.split('/')[0];
  if (!top) throw new ChartArchiveError('no <chart>/Chart.yaml in the archive; it is not a Helm chart');
  const out: SchemaFiles = new Map();
  const values = entries.get(`${top}/values.yaml`);
  if (values) out.set(`helm-values/${chart}-${version}.yaml`, values);
  const schema = entries.get(`${top}/values.schema.json`);
  if (schema) out.set(`helm-values/${chart}-${version}.schema.json`, schema);

  // Each (sub)chart's values.yaml is parsed once, and only if a CRD template refers to a value.
  const defaults = new Map<string, unknown>();
  const paths = [...entries.keys()].sort(byCodePoint);
  for (const p of paths) {
    const where = new RegExp(`^${escape(top)}/((?:charts/[^/]+/)*)(crds|templates)/.+\\.(ya?ml|json)$`).exec(p);
    if (!where) continue;
    let content = entries.get(p)!.toString('utf8');
    if (!/^\s*kind:\s*CustomResourceDefinition\s*$/m.test(content)) continue;
    if (where[2] === 'templates') {
      const valuesFile = `${top}/${where[1]}values.yaml`;
      content = detemplate(content, p, () => {
        if (!defaults.has(valuesFile)) defaults.set(valuesFile, parseValues(entries.get(valuesFile), valuesFile));
        return defaults.get(valuesFile);
      });
    }
    for (const doc of parseAllDocuments(content)) {
      if (doc.errors.length > 0) {
        throw new ChartArchiveError(`${p} is not valid YAML${where[2] === 'templates' ? ' once its template actions are taken out' : ''} (${doc.errors[0].message.split('\n')[0]})`);
      }
      const crd = valueOf(doc, p) as { kind?: string; apiVersion?: string; metadata?: { name?: unknown }; spec?: unknown } | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const name = crd.metadata?.name;
      if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(name)) {
        throw new ChartArchiveError(`${p} has a CustomResourceDefinition whose metadata.name is not <plural>.<group> (found ${JSON.stringify(name)})`);
      }
      const file = `crds/${name}.yaml`;
      if (!out.has(file)) out.set(file, Buffer.from(stringify({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name }, spec: crd.spec }, { lineWidth: 0 })));
    }
  }
  return out;
}

/**
 * A CRD template read without Helm: lines that hold only template actions (`{{- if ... }}`,
 * `{{- end }}`, `{{- toYaml . | nindent 4 }}`) go, `{{ .Values.x.y }}` takes the chart's default,
 * and any other inline action becomes empty. Charts template only the CRDs' metadata and the odd
 * `served:` flag; a template this cannot read fails the pull rather than yield a wrong schema.
 * `values` gives the chart's default values; it is called only for a `{{ .Values.x }}` action.
 */
export function detemplate(content: string, file: string, values: () => unknown): string {
  const out = content
    .split('\n')
    .filter((line) => !/^\s*(\{\{.*?\}\}\s*)+$/.test(line))
    .map((line) =>
      line.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, action: string) => {
        const ref = /^\.Values((?:\.[A-Za-z0-9_]+)+)$/.exec(action);
        if (!ref) return '';
        const found = ref[1].slice(1).split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values());
        return found === undefined || (found !== null && typeof found === 'object') ? '' : JSON.stringify(found);
      }),
    )
    .join('\n');
  if (/\{\{|^\s*-?\}\}/m.test(out)) throw new ChartArchiveError(`${file} has a template action across lines that gitplane cannot read without Helm`);
  return out;
}

/** A chart's default values (its values.yaml at `file`), or undefined when it has none. */
function parseValues(valuesYaml: Buffer | undefined, file: string): unknown {
  const [doc] = valuesYaml ? parseAllDocuments(valuesYaml.toString('utf8')) : [];
  if (doc === undefined) return undefined;
  if (doc.errors.length > 0) throw new ChartArchiveError(`${file} is not valid YAML (${doc.errors[0].message.split('\n')[0]}), and a CRD template needs its values`);
  return valueOf(doc, file);
}

/** A parsed document's value; a document whose aliases expand past the limit is an error naming `file`. */
function valueOf(doc: Document, file: string): unknown {
  const read = documentValue(doc);
  if ('problem' in read) throw new ChartArchiveError(`${file}: ${read.problem}`);
  return read.value;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
