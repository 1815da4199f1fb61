/** Real git for tests, isolated from the machine's global and system configuration. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './cli';

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

/** Commits `files` (path from the repository's root to content) to `branch` of the bare repository `repo`, as someone pushing by hand. */
export function commitFiles(repo: string, branch: string, files: Record<string, string>, message: string): void {
  const checkout = tempDir('gitplane-commit-');
  git(['clone', '-q', '--branch', branch, repo, checkout], checkout);
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(checkout, file), content);
  git(['add', '--', ...Object.keys(files)], checkout);
  git(['commit', '-q', '-m', message], checkout);
  git(['push', '-q', 'origin', branch], checkout);
}
