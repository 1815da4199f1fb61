/**
 * The project configuration: `gitplane.config.ts` at the root of a platform repository (the
 * current directory), which registers the team's own applications.
 *
 * ```ts
 * import { defineConfig } from 'gitplane';
 * import { ordersApi } from './apps/orders-api';
 * export default defineConfig({ apps: [ordersApi] });
 * ```
 *
 * This module loads the file and checks the applications against the built-in ones; it and
 * what it imports hold no construct code, so reading the project's applications costs only what
 * their own modules load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppDescriptor } from './application';
import { BUILT_IN_APPS, NAMESPACES_DATA } from './apps/catalog';
import { InputError } from './errors';
import { PROJECT_ROOT } from './paths';
import { Wave } from './waves';

export const PROJECT_CONFIG = 'gitplane.config.ts';

/** The environment files, one `<name>.yaml` each, and versions.yaml. */
export const ENVIRONMENTS_DIR = path.join(PROJECT_ROOT, 'environments');

/** The project's own schema directory, next to gitplane.yaml: where `gitplane schemas import` writes. */
export const STORE_DIR = 'schemas';
export const LOCK_FILE = 'gitplane.lock';

/** What a project declares in gitplane.config.ts. */
export interface ProjectConfig {
  /**
   * The team's own applications, in the order they are listed in the output after the built-in ones.
   * @default - none
   */
  readonly apps?: readonly AppDescriptor[];
}

/** Declares the project configuration; `export default defineConfig({...})` in gitplane.config.ts. */
export function defineConfig(config: ProjectConfig): ProjectConfig {
  return config;
}

const loaded = new Map<string, ProjectConfig | InputError>();

/**
 * The configuration of the project in `dir`: its gitplane.config.ts, or none when the file is
 * absent. Loaded once per process; a configuration that fails is reported once, not per environment.
 */
export function loadProjectConfig(dir: string = process.cwd()): ProjectConfig {
  const file = path.resolve(dir, PROJECT_CONFIG);
  if (!loaded.has(file)) {
    try {
      loaded.set(file, fs.existsSync(file) ? requireConfig(file) : {});
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      loaded.set(file, e);
    }
  }
  const config = loaded.get(file)!;
  if (config instanceof InputError) throw config;
  return config;
}

function requireConfig(file: string): ProjectConfig {
  const shown = path.relative(process.cwd(), file) || file;
  let exported: unknown;
  try {
    exported = (require(file) as { default?: unknown }).default;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([`${shown}: the project configuration failed to load: ${String((e as Error).message).replace(/\.$/, '')}. Fix the error in the file or in the application it imports.`]);
  }
  const apps = (exported as ProjectConfig | undefined)?.apps;
  if (exported === null || typeof exported !== 'object' || (apps !== undefined && !Array.isArray(apps))) {
    throw new InputError([`${shown}: expected \`export default defineConfig({ apps: [...] })\`, found ${exported === undefined ? 'no default export' : 'another value'}. Export the configuration as the default.`]);
  }
  return exported as ProjectConfig;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The team's own applications of the project in `dir` (its gitplane.config.ts), checked for names and namespaces the platform can use. */
export function ownApps(dir?: string): readonly AppDescriptor[] {
  const own = loadProjectConfig(dir).apps ?? [];
  const taken = new Set([NAMESPACES_DATA.name, ...BUILT_IN_APPS.map((a) => a.name)]);
  const problems: string[] = [];
  own.forEach((app, i) => {
    const where = `${PROJECT_CONFIG}: apps[${i}]`;
    if (typeof app?.name !== 'string' || typeof app.build !== 'function') {
      problems.push(`${where} is not an application descriptor (found ${JSON.stringify(app?.name ?? app)}). Register the descriptor an apps/<name>/index.ts exports.`);
      return;
    }
    for (const [field, value] of [['name', app.name], ['namespace', app.namespace]] as const) {
      if (!DNS_LABEL.test(value ?? '') || value.length > 63) problems.push(`${where}.${field} must be a DNS-1123 label: lower-case letters, digits and "-" (got ${JSON.stringify(value)}). Rename it.`);
    }
    if (app.owner !== undefined && !(typeof app.owner === 'string' && LABEL_VALUE.test(app.owner))) {
      problems.push(`${where}.owner must be a team name usable as a label value: up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (got ${JSON.stringify(app.owner)}). Rename it.`);
    }
    if (taken.has(app.name)) problems.push(`${where}.name "${app.name}" is already the name of another application. Rename the application.`);
    if (!Object.values(Wave).includes(app.wave as never)) {
      problems.push(`${where}.wave must be a wave of the ladder (${Object.entries(Wave).map(([k, v]) => `Wave.${k} = ${v}`).join(', ')}) (got ${JSON.stringify(app.wave)}). Use one of them.`);
    }
    taken.add(app.name);
  });
  if (problems.length > 0) throw new InputError(problems);
  return own;
}
