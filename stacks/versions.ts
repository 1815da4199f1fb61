/**
 * The pinned images and charts of environments/versions.yaml, with an environment's tag overrides.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { EnvironmentSpec } from '../environments/schema';
import { InputError } from './errors';
import { PACKAGE_ROOT } from './paths';

export interface ImagePin {
  readonly repository: string;
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

/** The pins of environments/versions.yaml, read once per process. */
export function pinnedVersions(): Versions {
  pinned ??= parse(fs.readFileSync(VERSIONS_PATH, 'utf8')) as Versions;
  return pinned;
}

/**
 * The pins' file as a message names it: environments/versions.yaml in this repository,
 * node_modules/gitplane/environments/versions.yaml in a platform repository.
 */
export function versionsFile(): string {
  const { displayPath } = require('./environment') as typeof import('./environment');
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

/** `repository:tag` of a pinned image. */
export function imageRef(versions: Versions, key: string): string {
  const pin = versions.images[key];
  if (!pin) throw new Error(`no image "${key}" is pinned in environments/versions.yaml`);
  return `${pin.repository}:${pin.tag}`;
}
