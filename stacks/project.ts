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
 * This module only loads the file; stacks/own-apps.ts checks the applications against the
 * built-in ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppDescriptor } from './application';
import { InputError } from './errors';
import { PROJECT_ROOT } from './paths';

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
