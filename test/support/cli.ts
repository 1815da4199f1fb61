/** Runs the real `gitplane` executable, as a user would, and captures what it prints. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HUNG_MS } from './limits';
import { findTool } from './tools';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'gitplane.js');
/**
 * The offline mirrors tests read (CRDs, chart defaults, the pinned chart archives): ../shared
 * beside the checkout, or GITPLANE_SHARED_DIR (.ci/run sets it for a clone made elsewhere).
 */
export const SHARED_DIR = process.env.GITPLANE_SHARED_DIR ?? path.resolve(ROOT, '..', 'shared');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * The Helm validate and policy render the charts with: tools/install.sh builds it outside PATH.
 * Without it they warn that the charts were not rendered (and refuse in CI).
 */
export const HELM_ENV: NodeJS.ProcessEnv = process.env.GITPLANE_HELM ? {} : { GITPLANE_HELM: findTool('helm') ?? '' };

/**
 * The V8 tiering flag the run was started with (`npm test` gives jest's workers
 * `--interrupt-budget`, package.json), passed on to the gitplane processes a test starts: in
 * processes that live a second or two, V8 optimizing a function after a short while is compiling
 * that never pays back (docs/performance.md, "Ninth pass"). It changes when V8 optimizes, not what
 * the code does; a user's commands run with Node's default.
 */
const NODE_TIERING = process.execArgv.filter((a) => a.startsWith('--interrupt-budget='));

/** Node's arguments that run gitplane with `args`: this checkout's, or the `bin` of a copy or an install. Every test that starts gitplane starts it so. */
export function gitplaneArgv(args: readonly string[], bin = BIN): string[] {
  return [...NODE_TIERING, bin, ...args];
}

/** Runs gitplane; `project`, a copy of the repository (copyOfRepository), runs its own copy, in it. */
export function gitplane(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; project?: string } = {}): CliResult {
  const bin = options.project === undefined ? BIN : path.join(options.project, 'bin', 'gitplane.js');
  const r = spawnSync(process.execPath, gitplaneArgv(args, bin), {
    cwd: options.cwd ?? options.project ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...HELM_ENV, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: HUNG_MS,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const temporary: string[] = [];
process.on('exit', () => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = 'gitplane-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/**
 * A copy of the repository's tracked files as `<parent>/gitplane`, node_modules linked, nothing
 * beside it (no ../shared): a project whose own files a test may change.
 */
export function copyOfRepository(parent: string): string {
  const dir = path.join(parent, 'gitplane');
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  return dir;
}

/** Every file under `dir` with its content, for byte-for-byte comparisons. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
