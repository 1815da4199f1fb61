/**
 * Loads `environments/<name>.yaml` into a validated, defaulted, frozen EnvironmentSpec.
 *
 * Every problem of a file is reported at once, each naming the file, the line, the field path,
 * what was expected and what was found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { Document, isNode, LineCounter, parseDocument } from 'yaml';
import { EnvironmentSchema, EnvironmentSpec } from '../environments/schema';
import type { AppDescriptor } from './application';
import { InputError } from './errors';
import { loadProjectConfig, PROJECT_CONFIG } from './project';

export const ENVIRONMENTS_DIR = path.resolve(__dirname, '..', 'environments');

/** The `secrets.refs` entry holding Longhorn's backup store credentials. */
export const LONGHORN_BACKUP_SECRET_REF = 'longhorn-backup-credentials';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const validateSchema = ajv.compile(EnvironmentSchema);

/** Names of the environments shipped in a directory, sorted. */
export function listEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'versions.yaml')
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Loads a named environment from the environments directory. */
export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): EnvironmentSpec {
  const file = path.join(dir, `${name}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? listEnvironments(dir).join(', ') : 'none';
    throw new InputError([`${displayPath(file)}: no environment named "${name}" (known: ${known}). Add ${displayPath(file)} or pick a known name.`]);
  }
  return loadEnvironmentFile(file, { expectName: name });
}

/** Loads any environment file; `expectName` makes the `name` field match the file name. */
export function loadEnvironmentFile(file: string, options: { expectName?: string } = {}): EnvironmentSpec {
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)}). Check the path.`]);
  }
  return parseEnvironment(text, shown, options);
}

/** Parses and validates environment YAML text; `shown` is the file name used in messages. */
export function parseEnvironment(text: string, shown: string, options: { expectName?: string } = {}): EnvironmentSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? `${shown}:${at.line}:${at.col}` : shown;
        return `${where}: the file is not valid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '')}. Fix the syntax at that line.`;
      }),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError([`${shown}: expected a mapping of environment fields (name, tier, cluster, gitops, ...), found ${describe(data)}.`]);
  }
  const locate = (segments: (string | number)[]) => {
    const node = doc.getIn(segments, true) ?? nearestNode(doc, segments);
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    if (offset === undefined) return shown;
    const pos = lines.linePos(offset);
    return `${shown}:${pos.line}:${pos.col}`;
  };
  if (!validateSchema(data)) {
    throw new InputError(dedupe(validateSchema.errors ?? []).map((e) => schemaMessage(e, data, locate)));
  }
  const spec = data as EnvironmentSpec;
  // The team's own applications (gitplane.config.ts in the current directory) check their settings.
  const problems = [
    ...appSettingsProblems(spec, loadProjectConfig().apps ?? [], locate),
    ...semanticProblems(spec, options.expectName).map((p) => `${locate(p.path)}: ${fieldPath(p.path)} ${p.message}`),
  ];
  if (problems.length > 0) throw new InputError(problems);
  return deepFreeze(spec);
}

const BUCKET_PURPOSES = ['etcdBackups', 'longhornBackups', 'lokiChunks', 'tempoTraces'] as const;
const REGION_MISSING = 'needs cloud.region, the region S3 requests are signed for (got none). Add cloud.region, e.g. eu-west-1.';

/** The region an environment's buckets live in; the loader guarantees one wherever a bucket is set. */
export function objectStoreRegion(spec: EnvironmentSpec, purpose: (typeof BUCKET_PURPOSES)[number]): string {
  if (spec.cloud.region === undefined) throw new InputError([`environments/${spec.name}.yaml: objectStore.${purpose} ${REGION_MISSING}`]);
  return spec.cloud.region;
}

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Rules that span several fields; the schema cannot express them. */
function semanticProblems(spec: EnvironmentSpec, expectName?: string): Problem[] {
  const problems: Problem[] = [];
  if (expectName !== undefined && spec.name !== expectName) {
    problems.push({ path: ['name'], message: `must equal the file name "${expectName}" (got "${spec.name}"). Rename the file or the environment.` });
  }
  const nodeNames = new Set<string>();
  spec.cluster.nodes.forEach((n, i) => {
    if (nodeNames.has(n.name)) problems.push({ path: ['cluster', 'nodes', i, 'name'], message: `must be unique (got "${n.name}" twice). Rename one of the nodes.` });
    nodeNames.add(n.name);
  });
  if (!spec.cluster.nodes.some((n) => n.roles.includes('control-plane'))) {
    problems.push({ path: ['cluster', 'nodes'], message: 'must include at least one node with the role control-plane (got none). Add "control-plane" to the roles of a node.' });
  }
  const clusterNames = new Set([spec.cluster.name]);
  spec.cluster.fleet.forEach((c, i) => {
    if (clusterNames.has(c.name)) problems.push({ path: ['cluster', 'fleet', i, 'name'], message: `must be unique within the environment (got "${c.name}" twice). Rename the cluster.` });
    clusterNames.add(c.name);
  });
  if (spec.cloud.provider === 'aws' && spec.cloud.region === undefined) {
    problems.push({ path: ['cloud'], message: 'needs a region when provider is aws (got none). Add cloud.region, e.g. eu-west-1.' });
  }
  if (spec.secrets.provider === 'external-secrets' && spec.cloud.provider !== 'aws') {
    problems.push({
      path: ['secrets', 'provider'],
      message: `is external-secrets, whose ClusterSecretStore reads AWS Secrets Manager with credentials the Pulumi program creates, but cloud.provider is ${spec.cloud.provider ?? 'unset'}. Set cloud.provider: aws and cloud.region, or use another secrets.provider.`,
    });
  }
  for (const purpose of BUCKET_PURPOSES) {
    if (spec.objectStore[purpose] && spec.cloud.region === undefined) {
      problems.push({ path: ['objectStore', purpose], message: REGION_MISSING });
    }
  }
  const receivers = new Set(spec.alerting.receivers.map((r) => r.name));
  for (const [key, value] of Object.entries(spec.alerting.routes)) {
    const targets = typeof value === 'string' ? [[key, value]] : Object.entries(value).map(([team, r]) => [`teams.${team}`, r]);
    for (const [where, receiver] of targets) {
      if (!receivers.has(receiver)) {
        problems.push({
          path: ['alerting', 'routes', ...where.split('.')],
          message: `names the receiver "${receiver}", which alerting.receivers does not define (defined: ${[...receivers].join(', ') || 'none'}). Add the receiver or fix the name.`,
        });
      }
    }
  }
  spec.alerting.receivers.forEach((r, i) => {
    if (!(r.secretRef in spec.secrets.refs)) {
      problems.push({
        path: ['alerting', 'receivers', i, 'secretRef'],
        message: `names "${r.secretRef}", which secrets.refs does not define (defined: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add it to secrets.refs.`,
      });
    }
  });
  if (spec.alerting.receivers.length > 0 && spec.secrets.provider === 'none') {
    problems.push({ path: ['secrets', 'provider'], message: 'must be external-secrets or sealed-secrets when alert receivers need credentials (got "none").' });
  }
  const nats = spec.components.nats;
  const development = spec.tier === 'development';
  if (nats.enabled && nats.replicas !== undefined && (nats.replicas % 2 === 0 || (!development && nats.replicas < 3))) {
    problems.push({
      path: ['components', 'nats', 'replicas'],
      message: `must be an odd number${development ? '' : ' of at least 3'} (got ${nats.replicas}). A JetStream cluster needs a majority to elect a leader; use ${development ? '1, 3 or 5' : '3 or 5'}.`,
    });
  }
  const natsServers = nats.replicas ?? (development ? 1 : 3);
  nats.streams.forEach((stream, i) => {
    if (nats.enabled && stream.replicas !== undefined && stream.replicas > natsServers) {
      problems.push({
        path: ['components', 'nats', 'streams', i, 'replicas'],
        message: `must not exceed the NATS cluster's ${natsServers} servers (got ${stream.replicas}). JetStream keeps each replica on another server; lower it or raise components.nats.replicas.`,
      });
    }
  });
  const storageNodes = spec.cluster.nodes.filter((n) => n.roles.includes('storage')).length;
  const replicas = spec.components.longhorn.numberOfReplicas;
  if (spec.components.longhorn.enabled && storageNodes === 0) {
    problems.push({ path: ['cluster', 'nodes'], message: 'must include at least one node with the role storage when Longhorn is enabled (got none). Add "storage" to the roles of the nodes with disks for Longhorn.' });
  } else if (spec.components.longhorn.enabled && replicas !== undefined && replicas > storageNodes) {
    problems.push({
      path: ['components', 'longhorn', 'numberOfReplicas'],
      message: `must not exceed the number of storage nodes, ${storageNodes} (got ${replicas}). Longhorn places each replica on a different node; lower it or add storage nodes.`,
    });
  } else if (spec.components.longhorn.enabled && replicas === 1 && storageNodes > 1) {
    problems.push({
      path: ['components', 'longhorn', 'numberOfReplicas'],
      message: `may be 1 only on a single storage node (got 1 with ${storageNodes} storage nodes). One replica loses the volume with its node; use ${Math.min(3, storageNodes)} or leave it out.`,
    });
  }
  const backups = spec.objectStore.longhornBackups;
  if (spec.components.longhorn.enabled && backups !== undefined) {
    if (spec.secrets.provider !== 'external-secrets') {
      problems.push({
        path: ['secrets', 'provider'],
        message: `must be external-secrets when objectStore.longhornBackups is set (got "${spec.secrets.provider}"). Longhorn reads the backup store credentials from an ExternalSecret.`,
      });
    } else if (!(LONGHORN_BACKUP_SECRET_REF in spec.secrets.refs)) {
      problems.push({
        path: ['secrets', 'refs'],
        message: `must define "${LONGHORN_BACKUP_SECRET_REF}" when objectStore.longhornBackups is set (defined: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add the key of a store entry with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      });
    }
  }
  return problems;
}

const settingsValidators = new WeakMap<object, ReturnType<typeof ajv.compile>>();
const NO_SETTINGS = { type: 'object', additionalProperties: false, properties: {} };

/**
 * Checks each entry of `apps:` against the settings schema of the application it names, filling
 * defaults in place; an empty entry (`orders-api:`) takes every default.
 */
function appSettingsProblems(spec: EnvironmentSpec, apps: readonly AppDescriptor[], locate: (p: (string | number)[]) => string): string[] {
  const entries = spec.apps as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(entries)) {
    const app = apps.find((a) => a.name === name);
    if (!app) {
      const known = apps.map((a) => a.name);
      const hint = closest(name, known);
      problems.push(
        `${locate(['apps', name])}: apps.${name} is not an application of this project (found key "${name}"). ${hint ? `Did you mean "${hint}"? ` : ''}` +
          `Applications registered in ${PROJECT_CONFIG}: ${known.join(', ') || 'none'}.`,
      );
      continue;
    }
    if (entries[name] === null) entries[name] = {};
    const schema = app.settings ?? NO_SETTINGS;
    let validate = settingsValidators.get(schema);
    if (!validate) settingsValidators.set(schema, (validate = ajv.compile(schema)));
    if (validate(entries[name])) {
      for (const p of app.checkSettings?.(entries[name], spec) ?? []) {
        const at = ['apps', name, ...p.path];
        problems.push(`${locate(at)}: ${fieldPath(at)} ${p.message}`);
      }
      continue;
    }
    const prefix = `/apps/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    problems.push(...dedupe(validate.errors ?? []).map((e) => schemaMessage({ ...e, instancePath: prefix + e.instancePath }, spec, locate)));
  }
  return problems;
}

function schemaMessage(e: ErrorObject, data: unknown, locate: (p: (string | number)[]) => string): string {
  const segments = pointerSegments(e.instancePath);
  const field = fieldPath(segments) || 'the document';
  const found = valueAt(data, segments);
  const schema = e.parentSchema as { description?: string } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const hint = closest(key, known);
      const full = fieldPath([...segments, key]);
      return `${locate([...segments, key])}: ${full} is not a known field (found key "${key}"). ${hint ? `Did you mean "${hint}"? ` : ''}Known fields of ${field}: ${known.join(', ')}.`;
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return `${locate(segments)}: ${fieldPath([...segments, missing])} is required (found nothing). Add it.`;
    }
    case 'type': {
      const expected = (e.params as { type: string }).type;
      const quote = expected === 'string' && found !== null && typeof found !== 'object' ? ' Quote the value.' : '';
      return `${locate(segments)}: ${field} must be ${article(expected)} (got ${describe(found)}).${quote}`;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return `${locate(segments)}: ${field} must be one of ${allowed} (got ${describe(found)}).`;
    }
    case 'pattern':
      return `${locate(segments)}: ${field} must be ${schema?.description ?? `a string matching ${(e.params as { pattern: string }).pattern}`} (got ${describe(found)}).`;
    default:
      return `${locate(segments)}: ${field} ${e.message ?? 'is invalid'} (got ${describe(found)}).`;
  }
}

/** ajv reports a type error once per failing keyword of a field; one message per field and keyword is enough. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

/** `cluster.nodes[0].arch` from ['cluster', 'nodes', 0, 'arch']. */
export function fieldPath(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function valueAt(data: unknown, segments: (string | number)[]): unknown {
  return segments.reduce<unknown>((v, s) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s as string] : undefined), data);
}

function nearestNode(doc: Document, segments: (string | number)[]): unknown {
  for (let n = segments.length - 1; n >= 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true);
    if (node !== undefined) return node;
  }
  return doc.contents;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(type: string): string {
  const names: Record<string, string> = { integer: 'an integer', object: 'a mapping', array: 'a list', string: 'a string', boolean: 'true or false', number: 'a number' };
  return names[type] ?? `of type ${type}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/\.$/, '');
}

/** The known key nearest to a misspelt one, if it is close enough to be a typo. */
export function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value as object).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** A path relative to the working directory when inside it, for messages. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
