/** Real git for tests, isolated from the machine's global and system configuration. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** Runs git and returns its stdout; throws with git's stderr when it fails. */
export function git(args: string[], cwd: string): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8', env: GIT_ENV });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A new empty bare repository `gitops.git` in `dir`. */
export function bareRepo(dir: string): string {
  const repo = path.join(dir, 'gitops.git');
  git(['init', '-q', '--bare', repo], dir);
  return repo;
}
