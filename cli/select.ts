/** Turns --env, --all and --file into an environment selection; dev when none is given. */
import { EnvironmentSelection, ENVIRONMENTS_DIR, listEnvironments } from '../stacks/environment';
import { InputError } from '../stacks/errors';
import { displayPath } from '../stacks/paths';
import { UsageError } from './usage-error';

export const DEFAULT_ENVIRONMENT = 'dev';

export function selectEnvironments(values: { env?: string[]; all?: boolean; file?: string[] }): EnvironmentSelection {
  const names = values.env ?? [];
  const files = values.file ?? [];
  if (values.all && names.length > 0) throw new UsageError('--all and --env cannot be combined. Use one of them.');
  if (values.all) {
    const all = listEnvironments();
    if (all.length === 0 && files.length === 0) {
      throw new InputError([`--all selects the environment files in ${displayPath(ENVIRONMENTS_DIR)}/, and there are none. Add one there as <name>.yaml ("gitplane init" scaffolds a repository with environments/dev.yaml), or give a file with --file PATH.`]);
    }
    return { names: all, files };
  }
  if (names.length === 0 && files.length === 0) return { names: [DEFAULT_ENVIRONMENT], files };
  return { names, files };
}
