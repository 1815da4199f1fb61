/** Turns --env, --all and --file into an environment selection; dev when none is given. */
import { listEnvironments } from '../stacks/environment';
import { EnvironmentSelection } from '../stacks/pipeline';
import { UsageError } from './usage-error';

export const DEFAULT_ENVIRONMENT = 'dev';

export function selectEnvironments(values: { env?: string[]; all?: boolean; file?: string[] }): EnvironmentSelection {
  const names = values.env ?? [];
  const files = values.file ?? [];
  if (values.all && names.length > 0) throw new UsageError('--all and --env cannot be combined. Use one of them.');
  if (values.all) return { names: listEnvironments(), files };
  if (names.length === 0 && files.length === 0) return { names: [DEFAULT_ENVIRONMENT], files };
  return { names, files };
}
