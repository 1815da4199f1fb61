/**
 * The pinned images and charts of environments/versions.yaml, with an environment's tag overrides.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from 'yaml';
import { EnvironmentSpec } from '../environments/schema';
import { InputError } from './errors';
import { FIELD_FORMATS } from './field-formats';
import { displayPath, PACKAGE_ROOT } from './paths';
import { safeName } from './schema-lock';
import { documentValue, syntaxProblem } from './yaml-value';

export interface ImagePin {
  readonly repository: string;
  /** The tag, and the digest Renovate pins after it when there is one: `2.14.2-alpine@sha256:...`. */
  readonly tag: string;
}
export interface ChartPin {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
}
export interface Versions {
  readonly images: Readonly<Record<string, ImagePin>>;
  readonly charts: Readonly<Record<string, ChartPin>>;
}

const VERSIONS_PATH = path.join(PACKAGE_ROOT, 'environments', 'versions.yaml');
let pinned: Versions | undefined;

/** The pins of environments/versions.yaml, read and checked once per process. */
export function pinnedVersions(): Versions {
  pinned ??= readVersions(fs.readFileSync(VERSIONS_PATH, 'utf8'), versionsFile);
  return pinned;
}

/** An OCI repository: an optional registry host (and port), then lower-case path components. */
const REPOSITORY = /^(?:[A-Za-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** What each entry of a section holds, and how each field is checked (undefined: good). */
const SECTIONS: Readonly<Record<keyof Versions, Readonly<Record<string, (value: string) => string | undefined>>>> = {
  images: {
    repository: (v) => (REPOSITORY.test(v) ? undefined : 'It must be an image repository such as docker.io/library/nats: lower-case names separated by "/", after an optional registry host.'),
    // The digest Renovate pins after the tag (renovate.json) goes with it: repository:tag@sha256:...
    tag: (v) => (v.startsWith('@') ? 'Give the tag before the digest (2.14.2-alpine@sha256:...): Renovate follows the tag.' : FIELD_FORMATS['image-tag'](v)),
  },
  charts: {
    repoURL: (v) => (/^\S+$/.test(v) ? undefined : 'It must be the URL of the Helm repository, e.g. https://charts.longhorn.io.'),
    chart: (v) => (safeName(v) ? undefined : 'It must be a chart name: letters, digits, ".", "_", "+" and "-", with no path separator.'),
    version: (v) => (safeName(v) ? undefined : 'It must be a chart version such as 1.12.1, with no path separator.'),
  },
};

/**
 * Reads a pins file. Every value is read as a string, whatever it looks like (YAML's failsafe
 * schema): a bumped `tag: 1.40` is the tag "1.40", never the number 1.4 that would name another
 * image. Each image holds `repository` and `tag`, each chart `repoURL`, `chart` and `version`;
 * anything else is refused with the file, line and field, so no pin is silently dropped.
 */
export function readVersions(text: string, shown: () => string): Versions {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${shown()}:${p.line}:${p.col}`;
  };
  const nodeAt = (node: unknown) => at((node as Node | null)?.range?.[0] ?? 0);
  if (doc.errors.length > 0) throw new InputError([syntaxProblem(shown(), doc.errors[0])]);
  const read = documentValue(doc);
  if ('problem' in read) throw new InputError([`${shown()}: ${read.problem}.`]);
  const problems: string[] = [];
  const root = doc.contents;
  if (!isMap(root)) throw new InputError([`${nodeAt(root)}: the file must be a map with the sections images and charts. Fix the file.`]);
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!(name in SECTIONS)) problems.push(`${nodeAt(pair.key)}: "${name}" is not a section of the pins (known: ${Object.keys(SECTIONS).join(', ')}). Remove it or fix its name.`);
  }
  for (const [section, fields] of Object.entries(SECTIONS)) {
    const node = root.get(section, true);
    if (!isMap(node)) {
      problems.push(`${nodeAt(node ?? root)}: ${section} must be a map of pins by key (${shapeOf(node)}). Fix the section.`);
      continue;
    }
    for (const entry of node.items) {
      const key = isScalar(entry.key) ? String(entry.key.value) : '';
      const pin = entry.value;
      if (!isMap(pin)) {
        problems.push(`${nodeAt(pin ?? entry.key)}: ${section}.${key} must be a map with ${Object.keys(fields).join(', ')} (${shapeOf(pin)}). Fix the entry.`);
        continue;
      }
      problems.push(...pinProblems(pin, `${section}.${key}`, fields, nodeAt));
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return read.value as Versions;
}

/** What a node that is not what was expected is, for a message. */
function shapeOf(node: unknown): string {
  if (node === undefined || node === null) return 'it is missing';
  if (isMap(node)) return 'found a map';
  if (isSeq(node)) return 'found a list';
  return isScalar(node) && node.value !== '' && node.value !== null ? `found ${JSON.stringify(String(node.value))}` : 'it is empty';
}

function pinProblems(pin: YAMLMap, where: string, fields: Readonly<Record<string, (value: string) => string | undefined>>, nodeAt: (node: unknown) => string): string[] {
  const problems: string[] = [];
  for (const pair of pin.items) {
    const field = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!(field in fields)) problems.push(`${nodeAt(pair.key)}: ${where}.${field} is not a field of a pin (known: ${Object.keys(fields).join(', ')}). Remove it or fix its name.`);
  }
  for (const [field, check] of Object.entries(fields)) {
    const value = pin.get(field, true);
    if (!isScalar(value) || typeof value.value !== 'string' || value.value === '') {
      problems.push(`${nodeAt(value ?? pin)}: ${where}.${field} must be a non-empty string (${shapeOf(value)}). Fix the pin.`);
      continue;
    }
    const wrong = check(value.value);
    if (wrong) problems.push(`${nodeAt(value)}: ${where}.${field} is ${JSON.stringify(value.value)}. ${wrong}`);
  }
  return problems;
}

/**
 * The pins' file as a message names it: environments/versions.yaml in this repository,
 * node_modules/gitplane/environments/versions.yaml in a platform repository.
 */
export function versionsFile(): string {
  return displayPath(VERSIONS_PATH);
}

/**
 * The pins for one environment: its `versions:` entries replace image tags, and its
 * `gitops.chartMirror` replaces every chart's repository (versions unchanged).
 */
export function versionsFor(spec: EnvironmentSpec, base: Versions = pinnedVersions()): Versions {
  const problems: string[] = [];
  const images: Record<string, ImagePin> = { ...base.images };
  for (const [key, tag] of Object.entries(spec.versions)) {
    if (!(key in images)) {
      // Loaded here: the environment loader (ajv, the schema) is not needed to read the pins.
      const { fieldLocation } = require('./environment') as typeof import('./environment');
      problems.push(`${fieldLocation(spec, ['versions', key])}: versions.${key} names no pinned image (known: ${Object.keys(images).sort().join(', ')}). Fix the key.`);
    } else {
      images[key] = { ...images[key], tag };
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  const mirror = spec.gitops.chartMirror;
  const charts = mirror === undefined ? base.charts : Object.fromEntries(Object.entries(base.charts).map(([key, pin]) => [key, { ...pin, repoURL: mirror }]));
  return { images, charts };
}

/** A label value as the API server accepts it. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * The `app.kubernetes.io/version` label of a pinned image: its tag without the digest, or none
 * when the tag cannot be a label value (over 63 characters, or ending in "." or "-"), which the
 * API server would refuse with the object.
 */
export function versionLabel(versions: Versions, key: string): string | undefined {
  const tag = versions.images[key]?.tag.split('@')[0];
  return tag && LABEL_VALUE.test(tag) ? tag : undefined;
}

/** `repository:tag` of a pinned image (`repository:tag@sha256:...` when the pin has a digest). */
export function imageRef(versions: Versions, key: string): string {
  const pin = versions.images[key];
  if (!pin) throw new Error(`no image "${key}" is pinned in environments/versions.yaml`);
  return `${pin.repository}:${pin.tag}`;
}
