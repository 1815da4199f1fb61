/**
 * Project settings from gitplane.yaml (schema locations), overridable by flags and environment
 * variables. The only place besides environments/ that gitplane reads configuration from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface Settings {
  /** Directories of CustomResourceDefinitions for validating custom resources. */
  readonly crdDirs: string[];
  /** Directory of pinned charts' default values (`<chart>-<version>.yaml`). */
  readonly helmValuesDir?: string;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');

interface SettingsFile {
  schemas?: { crdDirs?: string[]; helmValuesDir?: string };
}

/** Reads gitplane.yaml at the project root; `GITPLANE_CRD_DIRS` (path-separated) and `overrides` win. */
export function loadSettings(overrides: { crdDirs?: string[] } = {}, file = path.join(PROJECT_ROOT, 'gitplane.yaml')): Settings {
  const data: SettingsFile = fs.existsSync(file) ? ((parse(fs.readFileSync(file, 'utf8')) as SettingsFile) ?? {}) : {};
  const base = path.dirname(file);
  const fromEnv = process.env.GITPLANE_CRD_DIRS?.split(path.delimiter).filter(Boolean);
  const crdDirs = overrides.crdDirs?.length ? overrides.crdDirs : fromEnv?.length ? fromEnv : (data.schemas?.crdDirs ?? []).map((d) => path.resolve(base, d));
  const helmValuesDir = data.schemas?.helmValuesDir ? path.resolve(base, data.schemas.helmValuesDir) : undefined;
  return { crdDirs: crdDirs.map((d) => path.resolve(d)), helmValuesDir };
}
