/** Runs the real `git` for publish and diff; failures become InputErrors carrying git's message. */
import { spawnSync } from 'node:child_process';
import { InputError } from './errors';

export interface GitResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git and returns what it printed, whatever the exit status. */
export function tryGit(args: readonly string[], cwd: string, input?: string): GitResult {
  const r = spawnSync('git', args, {
    cwd,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // Never wait for a password prompt: a publish runs in CI as often as at a desk.
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  if (r.error) throw new InputError([`cannot run git (${r.error.message}). Install git and put it on PATH.`]);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs git; a non-zero exit is an InputError naming the command and git's own message. */
export function git(args: readonly string[], cwd: string, input?: string): string {
  const r = tryGit(args, cwd, input);
  if (r.status !== 0) throw new InputError([`git ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.status}`}.`]);
  return r.stdout;
}
