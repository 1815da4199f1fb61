/** Runs the real `git` for publish and diff; failures become InputErrors carrying git's message. */
import { spawn, spawnSync } from 'node:child_process';
import { InputError } from './errors';

export interface GitResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Never wait for a password prompt: a publish runs in CI as often as at a desk. */
const gitEnv = () => ({ ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });

const cannotRun = (e: Error) => new InputError([`cannot run git (${e.message}). Install git and put it on PATH.`]);

function failed(args: readonly string[], r: GitResult): InputError {
  return new InputError([`git ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.status}`}.`]);
}

/** Runs git and returns what it printed, whatever the exit status. */
export function tryGit(args: readonly string[], cwd: string, input?: string): GitResult {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: gitEnv() });
  if (r.error) throw cannotRun(r.error);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs git; a non-zero exit is an InputError naming the command and git's own message. */
export function git(args: readonly string[], cwd: string, input?: string): string {
  const r = tryGit(args, cwd, input);
  if (r.status !== 0) throw failed(args, r);
  return r.stdout;
}

export interface GitAsyncOptions {
  readonly input?: string;
  readonly signal?: AbortSignal;
  /**
   * Starts git in a session of its own, out of the caller's process group: a signal sent to the
   * group (Ctrl-C in a terminal, a supervisor stopping the group) does not reach it. For commands
   * that need no terminal.
   */
  readonly ownSession?: boolean;
}

/**
 * Runs git without blocking the event loop, so a signal handler can run meanwhile; aborting
 * `signal` terminates git and, once it has exited, rejects with the abort reason.
 */
export function tryGitAsync(args: readonly string[], cwd: string, options: GitAsyncOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnv(), signal: options.signal, detached: options.ownSession, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    // On abort, wait for git to exit ('close') so nothing writes into a directory being removed.
    child.on('error', (e) => options.signal?.aborted || reject(cannotRun(e)));
    child.on('close', (code) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      resolve({ status: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    // git may exit before reading all of its input (a bad argument); its exit status tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** tryGitAsync; a non-zero exit is an InputError naming the command and git's own message. */
export async function gitAsync(args: readonly string[], cwd: string, options: GitAsyncOptions = {}): Promise<string> {
  const r = await tryGitAsync(args, cwd, options);
  if (r.status !== 0) throw failed(args, r);
  return r.stdout;
}
