/**
 * Loads `environments/<name>.yaml` into a validated, defaulted, frozen EnvironmentSpec.
 *
 * Every problem of a file is reported at once, each naming the file, the line, the field path,
 * what was expected and what was found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Alias, Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { EnvironmentFile, EnvironmentSchema, EnvironmentSpec } from '../environments/schema';
import type { AppDescriptor } from './application';
import { contentKey, pruneDaily, readEntry, writeEntry } from './content-cache';
import { assertNoCredentials } from './environment-credentials';
import { InputError } from './errors';
import { outOfBounds, outOfBoundsProblem } from './out-of-bounds';
import { MAX_ALIAS_COUNT } from './yaml-value';
import { closest } from './spelling';
import { FIELD_FORMATS } from './field-formats';
import { displayPath, PACKAGE_ROOT } from './paths';
import { describeValue as describe } from './describe-value';
import { environmentFile, FieldPosition, fieldLocation, formatPosition, rememberPositions } from './field-position';
import { streamProblems } from './stream-checks';
import { ENVIRONMENTS_DIR, loadProjectConfig, PROJECT_CONFIG } from './project';
import { loadStandalone, standaloneCode } from './standalone-validator';

export { ENVIRONMENTS_DIR };
export { environmentFile, fieldLocation, fieldPosition } from './field-position';
export type { FieldPosition } from './field-position';

/** The `secrets.refs` entry holding Longhorn's backup store credentials. */
export const LONGHORN_BACKUP_SECRET_REF = 'longhorn-backup-credentials';
/** The store entry (`admin-user` and `admin-password` properties) Grafana's admin account is read from, and the Secret it fills. */
export const GRAFANA_ADMIN_SECRET_REF = 'grafana-admin';

/** The largest environment file read; real ones are a few KiB. */
export const MAX_ENVIRONMENT_BYTES = 4 * 1024 * 1024;
/** Problems listed per file; the rest are counted, so a hostile file cannot flood the output. */
export const MAX_PROBLEMS = 100;

// strictNumbers: .inf, -.inf and .nan (and 1e400, which is Infinity) are not numbers of any field.
const AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: false, verbose: true, strictNumbers: true } as const;
const FORMATS = Object.fromEntries(Object.entries(FIELD_FORMATS).map(([name, check]) => [name, { type: 'string' as const, validate: (v: string) => check(v) === undefined }]));
/** The name by which a cached validator's code requires FORMATS. */
const FORMATS_MODULE = 'gitplane:field-formats';
const VALIDATOR_CACHE = path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'gitplane', 'schema');
let ajv: Ajv | undefined;
const validators = new WeakMap<object, ValidateFunction>();

/**
 * `schema` (the environment schema, an application's settings) compiled by ajv on first use, once
 * per process and, across processes, once per content: the compiled code is cached as ajv's
 * standalone code, keyed by the digest of the schema, ajv's version and options
 * (stacks/content-cache.ts). Loading ajv and compiling the environment schema took about a fifth
 * of the CPU time of `gitplane validate --env dev` (docs/performance.md); a command that reads no
 * environment file (policy --dir) needs neither. The validator of a schema is the same whatever `cacheDir` a
 * later call names. The cache is pruned once a day (pruneDaily) of the code of schemas no longer read.
 */
export function validatorOf(schema: object, cacheDir: string = VALIDATOR_CACHE): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    pruneDaily(cacheDir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const key = contentKey(['ajv-standalone 1', (require('ajv/package.json') as { version: string }).version, AJV_OPTIONS, Object.keys(FORMATS), schema]);
    const cached = readEntry(cacheDir, key);
    if (cached !== undefined) {
      validate = loadStandalone(cached, { [FORMATS_MODULE]: FORMATS });
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { default: AjvClass, _ } = require('ajv') as typeof import('ajv');
      ajv ??= new AjvClass({ ...AJV_OPTIONS, formats: FORMATS, code: { source: true, formats: _`require(${FORMATS_MODULE})` } });
      validate = ajv.compile(schema);
      writeEntry(cacheDir, key, standaloneCode(ajv, validate));
    }
    validators.set(schema, validate);
  }
  return validate;
}

/** Names of the environments shipped in a directory, sorted; none when it is not a directory. */
export function listEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'versions.yaml')
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Loads a named environment from the environments directory. */
export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): EnvironmentSpec {
  const known = () => listEnvironments(dir).join(', ') || 'none';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new InputError([`"${name}" is not an environment name: a name is lowercase letters, digits and "-" (known: ${known()}), its file ${displayPath(dir)}/<name>.yaml. Pick a known name, or give a file anywhere with --file PATH.`]);
  }
  const file = path.join(dir, `${name}.yaml`);
  if (!fs.existsSync(file)) {
    throw new InputError([`${displayPath(file)}: no environment named "${name}" (known: ${known()}). Add ${displayPath(file)} or pick a known name.`]);
  }
  // The environments come with the repository (a pull request): a link out of it is not read.
  const project = path.dirname(dir);
  const outside = outOfBounds(project, file);
  if (outside !== undefined) throw new InputError([outOfBoundsProblem(displayPath(file), outside, project)]);
  return loadEnvironmentFile(file, { expectName: name });
}

/** Loads any environment file; `expectName` makes the `name` field match the file name. */
export function loadEnvironmentFile(file: string, options: { expectName?: string } = {}): EnvironmentSpec {
  const shown = displayPath(file);
  return parseEnvironment(decodeUtf8(readRegularFile(file, shown), shown), shown, options);
}

export interface EnvironmentSelection {
  /** Names of environments under environments/. */
  readonly names: readonly string[];
  /** Environment files given by path. */
  readonly files: readonly string[];
}

/**
 * Loads every selected environment, reporting the problems of all files at once. It loads no
 * construct code, so a command given a bad file fails before it loads what builds (stacks/pipeline.ts).
 */
export function loadSelected(selection: EnvironmentSelection): EnvironmentSpec[] {
  const specs: EnvironmentSpec[] = [];
  const problems: string[] = [];
  const load = (fn: () => EnvironmentSpec) => {
    try {
      specs.push(fn());
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
    }
  };
  for (const name of selection.names) load(() => loadEnvironment(name));
  for (const file of selection.files) load(() => loadEnvironmentFile(file));
  // A broken gitplane.config.ts fails every file the same way; say it once.
  if (problems.length > 0) throw new InputError([...new Set(problems)]);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new InputError([`environment "${spec.name}" is selected twice. Select each environment once.`]);
    seen.add(spec.name);
  }
  return specs;
}

/**
 * The bytes of a regular file of at most MAX_ENVIRONMENT_BYTES. Opened without blocking and
 * checked before reading, so a FIFO, a device such as /dev/zero or a directory is refused, not read.
 */
function readRegularFile(file: string, shown: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError([`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)}). Check the path.`]);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a named pipe' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'a socket';
      throw new InputError([`${shown}: must be a regular file (found ${kind}). Give the path of an environment YAML file.`]);
    }
    // One byte more than allowed tells a file that grew past the limit while being read.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_ENVIRONMENT_BYTES) + 1);
    let length = 0;
    let n: number;
    do {
      n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
    } while (n > 0 && length < buffer.length);
    if (length > MAX_ENVIRONMENT_BYTES) throw tooLarge(shown, Math.max(stat.size, length));
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

function tooLarge(shown: string, size: number): InputError {
  return new InputError([`${shown}: must be at most ${MAX_ENVIRONMENT_BYTES} bytes, 4 MiB (found ${size} bytes). An environment file is a few KiB; check that this is the right file.`]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text, or an error naming the first line that is not UTF-8. */
function decodeUtf8(bytes: Buffer, shown: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; ; line++) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      try {
        utf8.decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
    }
    throw new InputError([`${shown}:${line}: the file must be UTF-8 text (found a byte sequence that is not UTF-8 on line ${line}, e.g. Latin-1). Save the file as UTF-8.`]);
  }
}

/** Parses and validates environment YAML text; `shown` is the file name used in messages. */
export function parseEnvironment(text: string, shown: string, options: { expectName?: string } = {}): EnvironmentSpec {
  if (text.length > MAX_ENVIRONMENT_BYTES) throw tooLarge(shown, Buffer.byteLength(text));
  const lines = new LineCounter();
  // uniqueKeys is quadratic in yaml; duplicates are found by structureProblems instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
  const position = (node: unknown): FieldPosition | undefined => {
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    return offset === undefined ? undefined : { file: shown, ...lines.linePos(offset) };
  };
  const at = (node: unknown): string => formatPosition(position(node)) ?? shown;
  if (doc.errors.length > 0) {
    throw bounded(
      shown,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
        return `${where}: the file is not valid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '')}. Fix the syntax at that line.`;
      }),
    );
  }
  const structure = structureProblems(doc, at);
  if (structure.problems.length > 0) throw bounded(shown, structure.problems);
  assertNoCredentials(doc, lines, text, shown);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new InputError([
      `${at(structure.firstAlias)}: the aliases of the file expand to more than ${MAX_ALIAS_COUNT} copies of anchored values (${firstLine((e as Error).message)}). Write the values out instead of aliasing them.`,
    ]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError([`${shown}: expected a mapping of environment fields (name, tier, cluster, gitops, ...), found ${describe(data)}.`]);
  }
  const find = (segments: readonly (string | number)[]) => position(doc.getIn(segments, true) ?? nearestNode(doc, segments));
  const locate = (segments: readonly (string | number)[]) => formatPosition(find(segments)) ?? shown;
  const findKey = (segments: readonly (string | number)[]) => position(keyNode(doc, segments)) ?? find([]);
  const validate = validatorOf(EnvironmentSchema);
  if (!validate(data)) {
    const errors = dedupe(validate.errors ?? []);
    throw bounded(shown, errors.slice(0, MAX_PROBLEMS).map((e) => schemaMessage(e, data, locate)), errors.length);
  }
  const spec = withDerivedDefaults(data as EnvironmentFile);
  // The team's own applications (gitplane.config.ts in the current directory) check their settings.
  const problems = [
    ...appSettingsProblems(spec, loadProjectConfig().apps ?? [], locate),
    ...semanticProblems(spec, options.expectName).map((p) => `${locate(p.path)}: ${fieldPath(p.path)} ${p.message}`),
  ];
  if (problems.length > 0) throw bounded(shown, problems);
  Object.defineProperty(spec, 'source', { value: shown, enumerable: false });
  rememberPositions(spec, { value: find, key: findKey });
  return deepFreeze(spec);
}

/** The defaults that come from other fields, which the schema's constant defaults cannot express. */
function withDerivedDefaults(file: EnvironmentFile): EnvironmentSpec {
  const preflight = file.components.preflight;
  // The preflight checks every node of the cluster, whatever its architecture.
  preflight.architectures ??= [...new Set(file.cluster.nodes.map((n) => n.arch))].sort();
  return file as EnvironmentSpec;
}

/** An InputError listing at most MAX_PROBLEMS problems and counting the rest. */
function bounded(shown: string, problems: string[], total = problems.length): InputError {
  if (total <= MAX_PROBLEMS) return new InputError(problems);
  return new InputError([...problems.slice(0, MAX_PROBLEMS), `${shown}: ${total - MAX_PROBLEMS} more problem(s) not listed. Fix the ones above and run again.`]);
}

/**
 * What yaml's document model allows but an environment file must not have: keys given twice,
 * keys that are not plain scalars, aliases to no anchor. One pass over the nodes.
 */
function structureProblems(doc: Document, at: (node: unknown) => string): { problems: string[]; firstAlias?: Alias } {
  const problems: string[] = [];
  let firstAlias: Alias | undefined;
  const walk = (node: unknown, segments: (string | number)[]): void => {
    if (isAlias(node)) {
      firstAlias ??= node;
      if (node.resolve(doc) === undefined) {
        problems.push(`${at(node)}: ${fieldPath(segments) || 'the document'} is the alias *${node.source}, which names no anchor (found no &${node.source} before it). Define the anchor first or write the value out.`);
      }
    } else if (isMap(node)) {
      const first = new Map<string, unknown>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          problems.push(`${at(pair.key)}: ${fieldPath(segments) || 'the document'} has a key that is not a plain name (found ${isAlias(pair.key) ? 'an alias' : 'a complex key'}). Write field names as plain text.`);
          continue;
        }
        const key = String(pair.key.value);
        const seen = first.get(key);
        if (seen !== undefined) {
          problems.push(`${at(pair.key)}: ${fieldPath([...segments, key])} is given twice (found it first at ${at(seen)}). Keep one of them.`);
        } else {
          first.set(key, pair.key);
        }
        walk(pair.value, [...segments, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...segments, i]));
    }
  };
  walk(doc.contents, []);
  return { problems, firstAlias };
}

const BUCKET_PURPOSES = ['etcdBackups', 'longhornBackups', 'lokiChunks', 'tempoTraces'] as const;
const REGION_MISSING = 'needs cloud.region, the region S3 requests are signed for (got none). Add cloud.region, e.g. eu-west-1.';

/** The region an environment's buckets live in; the loader guarantees one wherever a bucket is set. */
export function objectStoreRegion(spec: EnvironmentSpec, purpose: (typeof BUCKET_PURPOSES)[number]): string {
  if (spec.cloud.region === undefined) throw new InputError([`${fieldLocation(spec, ['objectStore', purpose])}: objectStore.${purpose} ${REGION_MISSING}`]);
  return spec.cloud.region;
}

/**
 * An error raised while building an environment, as the input error it is: the file passed the
 * loader, yet a construct refused what it derived from it. Names the file given and where
 * gitplane raised the error (a .ts line, through source maps), never a stack trace.
 */
export function buildFailure(spec: EnvironmentSpec, error: unknown): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const frame = error instanceof Error ? raisedAt(error) : undefined;
  return new InputError([
    `${environmentFile(spec)}: the environment cannot be built: ${firstLine(message)}. gitplane raised this${frame ? ` at ${frame}` : ''} after the file passed its checks; change the field the message names, and report the missing check to gitplane.`,
  ]);
}

/** `constructs/x/y.ts:39` of the first stack frame in gitplane's own sources. */
function raisedAt(error: Error): string | undefined {
  for (const m of (error.stack ?? '').matchAll(/\(?([^\s()]+):(\d+):\d+\)?$/gm)) {
    const rel = path.relative(PACKAGE_ROOT, m[1]);
    if (!rel.startsWith('..') && !path.isAbsolute(rel) && !rel.startsWith('node_modules')) return `${rel}:${m[2]}`;
  }
  return undefined;
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
  if (spec.name === 'default' || spec.name.startsWith('kube-')) {
    problems.push({
      path: ['name'],
      message: `must not be "default" or start with "kube-" (got "${spec.name}"). The environment names its Argo CD AppProject, and those names belong to Argo CD and Kubernetes; choose another name.`,
    });
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
  unique(spec.alerting.receivers.map((r) => r.name), (i, name) =>
    problems.push({ path: ['alerting', 'receivers', i, 'name'], message: `must be unique (got "${name}" twice). Rename one of the receivers.` }),
  );
  spec.alerting.receivers.forEach((r, i) => {
    if (!Object.hasOwn(spec.secrets.refs, r.secretRef)) {
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
  // Each stream becomes the object stream-<name in lower case, "_" as "-">.
  unique(nats.streams.map((s) => s.name.toLowerCase().replace(/_/g, '-')), (i) =>
    problems.push({
      path: ['components', 'nats', 'streams', i, 'name'],
      message: `must be unique, ignoring case and "_" versus "-" (got "${nats.streams[i].name}" after another stream of that name). Rename one of the streams.`,
    }),
  );
  const natsServers = nats.replicas ?? (development ? 1 : 3);
  nats.streams.forEach((stream, i) => {
    if (nats.enabled && stream.replicas !== undefined && stream.replicas > natsServers) {
      problems.push({
        path: ['components', 'nats', 'streams', i, 'replicas'],
        message: `must not exceed the NATS cluster's ${natsServers} servers (got ${stream.replicas}). JetStream keeps each replica on another server; lower it or raise components.nats.replicas.`,
      });
    }
  });
  problems.push(...streamProblems(nats.streams));
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
    } else if (!Object.hasOwn(spec.secrets.refs, LONGHORN_BACKUP_SECRET_REF)) {
      problems.push({
        path: ['secrets', 'refs'],
        message: `must define "${LONGHORN_BACKUP_SECRET_REF}" when objectStore.longhornBackups is set (defined: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add the key of a store entry with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      });
    }
  }
  if (spec.components.observability.enabled && spec.secrets.provider === 'external-secrets' && !Object.hasOwn(spec.secrets.refs, GRAFANA_ADMIN_SECRET_REF)) {
    problems.push({
      path: ['secrets', 'refs'],
      message: `must define "${GRAFANA_ADMIN_SECRET_REF}" when observability runs (defined: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add the key of a store entry with admin-user and admin-password properties; Grafana's admin account is read from it.`,
    });
  }
  return problems;
}

/** Calls `duplicate` with the index and value of every value seen before in `values`. */
function unique(values: string[], duplicate: (index: number, value: string) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => (seen.has(v) ? duplicate(i, v) : seen.add(v)));
}

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
          `Applications registered in ${PROJECT_CONFIG}: ${known.join(', ') || 'none'}. Register it there, or remove the entry.`,
      );
      continue;
    }
    if (entries[name] === null) entries[name] = {};
    const schema = app.settings ?? NO_SETTINGS;
    const validate = validatorOf(schema);
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
      const keyPattern = Object.keys((e.parentSchema as { patternProperties?: object })?.patternProperties ?? {})[0];
      if (keyPattern !== undefined) {
        return `${locate([...segments, key])}: ${field} has the key "${key}", which is not allowed (keys must match ${keyPattern}). Rename the key.`;
      }
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
      const whole = (expected === 'integer' || expected === 'number') && typeof found === 'number' ? ` Write a finite ${expected === 'integer' ? 'whole ' : ''}number such as 3.` : '';
      return `${locate(segments)}: ${field} must be ${article(expected)} (got ${describe(found)}).${quote}${whole}`;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return `${locate(segments)}: ${field} must be one of ${allowed} (got ${describe(found)}).`;
    }
    case 'pattern':
      return `${locate(segments)}: ${field} must be ${schema?.description ?? `a string matching ${(e.params as { pattern: string }).pattern}`} (got ${describe(found)}).`;
    case 'format': {
      const format = (e.params as { format: string }).format;
      return `${locate(segments)}: ${field} must be ${schema?.description ?? format} (got ${describe(found)}). ${FIELD_FORMATS[format](String(found))}`;
    }
    case 'maximum':
    case 'minimum': {
      const { limit } = e.params as { limit: number };
      const bound = e.keyword === 'maximum' ? `at most ${limit}` : `at least ${limit}`;
      return `${locate(segments)}: ${field} must be ${bound} (got ${describe(found)}). Use a value from ${e.keyword === 'maximum' ? 'that range' : limit + ' up'}.`;
    }
    case 'maxLength':
      return `${locate(segments)}: ${field} must be at most ${(e.params as { limit: number }).limit} characters long (got ${String(found).length}). Shorten it.`;
    case 'minItems':
      return `${locate(segments)}: ${field} must list at least ${(e.params as { limit: number }).limit} item(s) (got ${describe(found)}). Add one or leave the field out for its default.`;
    default:
      return `${locate(segments)}: ${field} ${e.message ?? 'is invalid'} (got ${describe(found)}).`;
  }
}

/**
 * ajv reports a type error once per failing keyword of a field; one message per field and keyword
 * is enough, and a failing format says more than the pattern beside it.
 */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>(errors.filter((e) => e.keyword === 'format').map((e) => `${e.instancePath}|pattern`));
  return errors.filter((e) => {
    const key = e.keyword === 'pattern' ? `${e.instancePath}|pattern` : `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
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

/** The key node of the field at `segments`, or of its nearest enclosing field that the file has. */
function keyNode(doc: Document, segments: readonly (string | number)[]): unknown {
  for (let n = segments.length; n > 0; n--) {
    const parent = doc.getIn(segments.slice(0, n - 1), true);
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === segments[n - 1]) : undefined;
    if (pair) return pair.key;
  }
  return undefined;
}

function nearestNode(doc: Document, segments: readonly (string | number)[]): unknown {
  for (let n = segments.length - 1; n >= 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true);
    if (node !== undefined) return node;
  }
  return doc.contents;
}

function article(type: string): string {
  const names: Record<string, string> = { integer: 'an integer', object: 'a mapping', array: 'a list', string: 'a string', boolean: 'true or false', number: 'a number' };
  return names[type] ?? `of type ${type}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/\.$/, '');
}


function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value as object).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

