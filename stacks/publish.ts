/**
 * Publishes synthesized environments to the Git repository Argo CD watches: one commit whose
 * `<env>/` trees equal the synthesized ones, and nothing else touched.
 *
 * No work tree is involved. The commit is built with git's plumbing (`fast-import` writes the
 * blobs and trees, `commit-tree` the commit, neither moves a ref), then the branch is moved with a
 * compare-and-swap from the tip the commit was built on: `update-ref <new> <old>` for a local
 * bare repository, a push with `--force-with-lease=<branch>:<old>` for a remote one (fetched into
 * a private bare repository under the temporary directory, removed on every exit path and swept
 * by the next run after a kill -9). When the branch moved meanwhile, publish waits a jittered,
 * growing delay and builds again on the new tip; git moves a branch atomically or not at all, so
 * a killed or failed publish leaves at most unreachable objects behind.
 *
 * Every commit carries a `Gitplane-Read-At` trailer, when its environment files were read. An
 * environment whose tree on the branch was published from files read later than this publish's
 * is left as it is (reported as superseded), so the newest change wins, not the last push.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentPath } from './bootstrap';
import { FindingsError, InputError } from './errors';
import { gitAsync, tryGit, tryGitAsync } from './git';
import { BuiltEnvironment } from './pipeline';
import { formatProblems } from '../validation';
import { processExists } from './process';
import { makeDirectories } from './write-whole';

/**
 * A check that must pass before anything is published, such as the mandatory policies. It
 * returns the findings that block publishing (empty when publishing may go ahead).
 */
export type PublishGate = (built: readonly BuiltEnvironment[]) => string[];

export interface PublishOptions {
  /** Repository path or URL: a local bare repository, or a remote. */
  readonly repo: string;
  /** Must equal the environments' `gitops.branch`, which Argo CD's root Application tracks. @default - `gitops.branch` */
  readonly branch?: string;
  /** First line of the commit message. @default - "gitplane publish: <environments>" */
  readonly message?: string;
  /** Checks that must pass first. @default - none */
  readonly gates?: readonly PublishGate[];
  /** Attempts while the branch keeps moving under the publish. @default 10 */
  readonly attempts?: number;
  /** The environment file each environment was read from, by name, for messages. @default - environments/<name>.yaml */
  readonly files?: ReadonlyMap<string, string>;
  /** When the environment files were read: the newest read wins. @default - now */
  readonly readAt?: Date;
}

/** What changed in one environment. */
export interface EnvironmentChange {
  readonly env: string;
  /** Applications (folders under apps/, and bootstrap, values, runbooks owners) with changed files. */
  readonly applications: string[];
  readonly added: string[];
  readonly modified: string[];
  readonly removed: string[];
}

/** An environment left as it is because the branch holds a newer publish of it. */
export interface Superseded {
  readonly env: string;
  /** The commit that published the newer change. */
  readonly commit: string;
  /** When that change's environment file was read (ISO 8601). */
  readonly readAt: string;
}

export interface PublishResult {
  /** The branch published to, `gitops.branch` of the environments. */
  readonly branch: string;
  /** The new commit, or undefined when nothing changed. */
  readonly commit?: string;
  readonly changes: EnvironmentChange[];
  readonly superseded: Superseded[];
}

const TRAILER = 'Gitplane-Read-At';
const DEFAULT_ATTEMPTS = 10;
/** Full-jitter exponential backoff: a random wait below 50 ms, 100 ms, ... capped at 2 s. */
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 2000;
/** Termination signals; publish stops its git child, cleans up, then dies of the same signal. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One environment's tree in the repository: its folder and its files relative to it. */
interface Planned {
  readonly built: BuiltEnvironment;
  readonly root: string;
}

/**
 * Refuses on a wrong branch or an unsafe path (input errors), then on validation problems or
 * gate findings; otherwise makes at most one commit on the environments' branch.
 */
export async function publish(built: readonly BuiltEnvironment[], options: PublishOptions): Promise<PublishResult> {
  const fileOf = (b: BuiltEnvironment) => options.files?.get(b.spec.name) ?? `environments/${b.spec.name}.yaml`;
  const branch = branchOf(built, options.branch, fileOf);
  const planned = plan(built, fileOf);
  const problems = built.flatMap((b) => b.problems);
  if (problems.length > 0) {
    throw new FindingsError([...formatProblems(problems), `validation failed: ${problems.length} problem(s); nothing was published to ${options.repo}.`]);
  }
  const findings = (options.gates ?? []).flatMap((gate) => gate(built));
  if (findings.length > 0) throw new FindingsError([...findings, `${findings.length} blocking finding(s); nothing was published to ${options.repo}.`]);
  const readAt = (options.readAt ?? new Date()).toISOString();
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;

  return interruptible(async (signal) => {
    const target = await openTarget(options.repo, branch, signal);
    try {
      const flags = await identity(target.gitDir, signal);
      const refusals: string[] = [];
      for (let attempt = 1; ; attempt++) {
        const tip = await target.tip();
        await checkFolders(target.gitDir, tip, planned, fileOf, signal);
        const result = await commitOnce(target.gitDir, tip, planned, { branch, readAt, message: options.message, identity: flags }, signal);
        const refusal = result.commit && (await target.update(result.commit, tip));
        if (!refusal) return result;
        refusals.push(refusal);
        if (attempt >= attempts) throw gaveUp(options.repo, branch, refusals);
        await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)), undefined, { signal });
      }
    } finally {
      target.close();
    }
  });
}

/**
 * The branch Argo CD's root Application of every environment tracks (`gitops.branch`): all
 * selected environments must agree, and `--branch`, when given, must name it too.
 */
function branchOf(built: readonly BuiltEnvironment[], requested: string | undefined, fileOf: (b: BuiltEnvironment) => string): string {
  const branches = [...new Set(built.map((b) => b.spec.gitops.branch))];
  if (branches.length > 1) {
    throw new InputError([
      `the selected environments track different branches (${built.map((b) => `${fileOf(b)}: gitops.branch "${b.spec.gitops.branch}"`).join(', ')}); one publish makes one commit on one branch. Publish each branch's environments in a separate run.`,
    ]);
  }
  const [branch] = branches;
  const invalid = built.filter((b) => tryGit(['check-ref-format', `refs/heads/${b.spec.gitops.branch}`], process.cwd()).status !== 0);
  if (invalid.length > 0) {
    throw new InputError(invalid.map((b) => `${fileOf(b)}: gitops.branch must be a valid git branch name (got ${JSON.stringify(b.spec.gitops.branch)}). Use a name such as main or release.`));
  }
  if (requested !== undefined && requested !== branch) {
    throw new InputError(
      built.map(
        (b) =>
          `${fileOf(b)}: gitops.branch is "${branch}" but --branch is "${requested}": the root Application ${b.spec.name}-root tracks "${branch}", so Argo CD would never deploy a commit on "${requested}". Drop --branch, or set gitops.branch: ${requested} in ${fileOf(b)}.`,
      ),
    );
  }
  return branch;
}

/**
 * Proves every path the commit removes or writes stays inside the repository before anything is
 * touched: each environment's folder (`gitops.path` and `name`) and each file under it must be a
 * plain relative path, without `.`, `..`, `.git` or empty segments, control characters or
 * backslashes. Git trees have no `..`, so a path without one cannot resolve outside the root.
 */
function plan(built: readonly BuiltEnvironment[], fileOf: (b: BuiltEnvironment) => string): Planned[] {
  const problems: string[] = [];
  const planned = built.map((b) => {
    const file = fileOf(b);
    const { path: folder } = b.spec.gitops;
    const folderProblem = folder === '' ? undefined : unsafePath(folder);
    if (folderProblem) {
      problems.push(`${file}: gitops.path ${folderProblem} (got ${JSON.stringify(folder)}), so publish would write outside the repository. Use a folder inside it, such as clusters or clusters/edge.`);
    }
    const nameProblem = unsafePath(b.spec.name) ?? (b.spec.name.includes('/') ? 'must be one path segment' : undefined);
    if (nameProblem) problems.push(`${file}: name ${nameProblem} (got ${JSON.stringify(b.spec.name)}), and it names the environment's folder in the repository. Use a name such as staging.`);
    for (const output of b.output.files.keys()) {
      const outputProblem = unsafePath(output);
      if (outputProblem) problems.push(`${file}: the synthesized file ${JSON.stringify(output)} ${outputProblem}, so publish would write outside the environment's folder. Rename the object or application it comes from.`);
    }
    return { built: b, root: environmentPath(b.spec) };
  });
  if (problems.length > 0) throw new InputError([...problems, `nothing was published.`]);
  return planned;
}

/** Why `p` is not a plain relative path inside a repository, or undefined when it is. */
function unsafePath(p: string): string | undefined {
  if (p.startsWith('/')) return 'must be relative, not absolute';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(p)) return 'must not contain control characters or backslashes';
  const segments = p.split('/');
  if (segments.some((s) => s === '')) return 'must not be empty or contain empty segments';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'must not contain a .git segment';
  return undefined;
}

/**
 * Refuses when a folder on the way to an environment's folder is not a folder on the branch: a
 * symbolic link (which a checkout would follow out of the folder), a file or a submodule.
 */
async function checkFolders(gitDir: string, tip: string | undefined, planned: readonly Planned[], fileOf: (b: BuiltEnvironment) => string, signal: AbortSignal): Promise<void> {
  if (!tip) return;
  const chains = planned.flatMap((p) => {
    const segments = p.root.split('/');
    return segments.slice(0, -1).map((_, i) => ({ p, folder: segments.slice(0, i + 1).join('/') }));
  });
  if (chains.length === 0) return;
  const types = (await gitAsync(['--git-dir', gitDir, 'cat-file', '--batch-check=%(objecttype)'], gitDir, { input: chains.map((c) => `${tip}:${c.folder}\n`).join(''), signal }))
    .trimEnd()
    .split('\n');
  const problems = chains.flatMap(({ p, folder }, i) => {
    const type = types[i];
    if (type === 'tree' || type.endsWith(' missing')) return [];
    const what = type === 'commit' ? 'a submodule' : 'a file or symbolic link';
    return [`${fileOf(p.built)}: gitops.path "${p.built.spec.gitops.path}" goes through ${folder}, which is ${what} on the branch, not a folder; publish does not write through it. Use another gitops.path, or make ${folder} a folder.`];
  });
  if (problems.length > 0) throw new InputError([...problems, `nothing was published.`]);
}

interface CommitParams {
  readonly branch: string;
  readonly readAt: string;
  readonly message: string | undefined;
  /** `-c` flags that give git an identity where it has none. */
  readonly identity: readonly string[];
}

/**
 * Builds the commit on `tip` that replaces each environment's folder with its synthesized files,
 * leaving out environments the branch holds a newer publish of. Moves no ref; returns no commit
 * when nothing would change.
 */
async function commitOnce(gitDir: string, tip: string | undefined, planned: readonly Planned[], params: CommitParams, signal: AbortSignal): Promise<PublishResult> {
  const superseded: Superseded[] = [];
  const current: Planned[] = [];
  for (const p of planned) {
    const newer = tip ? await newerPublish(gitDir, tip, p.root, params.readAt, signal) : undefined;
    if (newer) superseded.push({ env: p.built.spec.name, ...newer });
    else current.push(p);
  }
  const unchanged = { branch: params.branch, changes: [], superseded };
  if (current.length === 0) return unchanged;

  const tree = await writeTree(gitDir, tip, current, signal);
  const status = await gitAsync(['--git-dir', gitDir, 'diff-tree', '-r', '-z', '--no-renames', '--name-status', tip ?? EMPTY_TREE, tree], gitDir, { signal });
  const changes = summarize(status, current);
  if (changes.length === 0) return unchanged;
  const subject = params.message ?? `gitplane publish: ${changes.map((c) => c.env).join(', ')}`;
  const body = changes.map((c) => `${c.env}: ${c.applications.join(', ')} (${c.added.length} added, ${c.modified.length} changed, ${c.removed.length} removed)`).join('\n');
  const parent = tip ? ['-p', tip] : [];
  const commit = await gitAsync([...params.identity, '--git-dir', gitDir, 'commit-tree', tree, ...parent, '-F', '-'], gitDir, {
    input: `${subject}\n\n${body}\n\n${TRAILER}: ${params.readAt}\n`,
    signal,
  });
  return { branch: params.branch, commit: commit.trim(), changes, superseded };
}

/** git's empty tree, to compare a first commit with. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The last commit on `tip` that changed `root`, when it published files read after `readAt`. */
async function newerPublish(gitDir: string, tip: string, root: string, readAt: string, signal: AbortSignal): Promise<Omit<Superseded, 'env'> | undefined> {
  const last = await gitAsync(['--git-dir', gitDir, 'log', '-1', `--format=%H %(trailers:key=${TRAILER},valueonly,separator=)`, tip, '--', root], gitDir, { signal });
  const [commit, stamp] = last.trim().split(' ');
  // Only gitplane's own format counts: any other text would compare as newer than every time.
  return stamp && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(stamp) && stamp > readAt ? { commit, readAt: stamp } : undefined;
}

/**
 * Writes the tree of `tip` with each environment's folder replaced, using `git fast-import`, and
 * returns its id. fast-import builds trees only for a commit, so it makes a throwaway one on a
 * branch name that the trailing `reset` (without `from`) leaves unset: no ref is created or moved.
 */
async function writeTree(gitDir: string, tip: string | undefined, planned: readonly Planned[], signal: AbortSignal): Promise<string> {
  const quote = (p: string) => `"${p.replace(/["\\]/g, '\\$&')}"`;
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = [
    'commit refs/gitplane/unreferenced\nmark :1\ncommitter gitplane <gitplane@localhost> 0 +0000\n',
    data('tree only'),
    tip ? `from ${tip}\n` : '',
    ...planned.flatMap((p) => [
      `D ${quote(p.root)}\n`,
      ...[...p.built.output.files].flatMap(([file, content]) => [`M 100644 inline ${quote(`${p.root}/${file}`)}\n`, data(content)]),
    ]),
    '\nget-mark :1\nreset refs/gitplane/unreferenced\n\ndone\n',
  ].join('');
  const commit = (await gitAsync(['--git-dir', gitDir, 'fast-import', '--quiet', '--done'], gitDir, { input: stream, signal })).trim();
  return (await gitAsync(['--git-dir', gitDir, 'rev-parse', '--verify', `${commit}^{tree}`], gitDir, { signal })).trim();
}

/**
 * `-c` flags giving git the identity `gitplane <gitplane@localhost>` for keys it has no value
 * for, so CI without a configured identity still commits; a configured identity (or the
 * GIT_AUTHOR and GIT_COMMITTER variables) wins.
 */
async function identity(gitDir: string, signal: AbortSignal): Promise<string[]> {
  const fallback = { 'user.name': 'gitplane', 'user.email': 'gitplane@localhost' };
  const flags: string[] = [];
  for (const [key, value] of Object.entries(fallback)) {
    if ((await tryGitAsync(['--git-dir', gitDir, 'config', '--get', key], gitDir, { signal })).status !== 0) flags.push('-c', `${key}=${value}`);
  }
  return flags;
}

/** Where commits are built, and how the branch is read and moved there. */
interface Target {
  readonly gitDir: string;
  /** The branch's current commit; undefined when the branch does not exist yet. */
  tip(): Promise<string | undefined>;
  /** Moves the branch from `from` to `to`; resolves to git's refusal when it was not at `from` (or locked). */
  update(to: string, from: string | undefined): Promise<string | undefined>;
  close(): void;
}

/**
 * git's words for "the branch is no longer where you read it, or another writer holds its lock":
 * worth another attempt. A lock file left behind by a git that was killed reads the same; see
 * gaveUp.
 */
const MOVED = /stale info|fetch first|non-fast-forward|cannot lock ref|failed to update ref|incorrect old value|reference already exists/i;
/** The lock file named in git's refusal to take a lock that exists. */
const LOCKED = /Unable to create '(.+?\.lock)': File exists/;

const oneLine = (text: string) => text.trim().replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');

/**
 * The error after the last attempt, from git's refusals of each. Another writer holds a branch's
 * lock for milliseconds, so one lock file in the way of every attempt is not contention but a
 * file left behind by a git that died while moving the branch: say which file, and how to clear it.
 */
function gaveUp(repo: string, branch: string, refusals: readonly string[]): InputError {
  const locks = new Set(refusals.map((r) => LOCKED.exec(r)?.[1]));
  const [lock] = locks;
  if (locks.size === 1 && lock) {
    // Through a URL, git names the file as the serving side sees it, e.g. .../gitops.git/./refs/heads/main.lock.
    const file = path.posix.normalize(lock);
    const where = isRemote(repo) ? ' (on the machine that stores the repository)' : '';
    return new InputError([
      `${repo}: branch ${branch} is locked: the lock file ${file} was there at each of the ${refusals.length} attempts, so it is not another publish landing first; nothing was published. A git process that died while moving the branch leaves such a file behind. Make sure no git process is working on the repository, remove ${file}${where}, and run gitplane publish again.`,
    ]);
  }
  return new InputError([
    `${repo}: branch ${branch} moved under this publish ${refusals.length} times in a row (other publishes kept landing first); nothing was published. git's last refusal: ${oneLine(refusals[refusals.length - 1])}. Run gitplane publish again.`,
  ]);
}

/** A URL (`scheme://...`) or scp-like `host:path`, as opposed to a path written in place. */
const isRemote = (repo: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]*:/.test(repo);

async function openTarget(repo: string, branch: string, signal: AbortSignal): Promise<Target> {
  return isRemote(repo) ? remoteTarget(repo, branch, signal) : localTarget(path.resolve(repo), branch, signal);
}

async function localTarget(gitDir: string, branch: string, signal: AbortSignal): Promise<Target> {
  if (!fs.existsSync(gitDir)) throw new InputError([`${gitDir}: no such repository. Give the path of a bare repository (git init --bare) or a URL with --repo.`]);
  const bare = await tryGitAsync(['--git-dir', gitDir, 'rev-parse', '--is-bare-repository'], gitDir, { signal });
  if (bare.stdout.trim() !== 'true') {
    throw new InputError([
      `${gitDir}: not a bare git repository${bare.status === 0 ? ' (it is a checkout, whose work tree would not follow the branch)' : ''}. Give the path of a bare repository (git clone --bare), or its URL with --repo.`,
    ]);
  }
  const ref = `refs/heads/${branch}`;
  return {
    gitDir,
    async tip() {
      const r = await tryGitAsync(['--git-dir', gitDir, 'rev-parse', '--verify', '-q', `${ref}^{commit}`], gitDir, { signal });
      return r.status === 0 ? r.stdout.trim() : undefined;
    },
    async update(to, from) {
      const args = ['--git-dir', gitDir, 'update-ref', '-m', 'gitplane publish', ref, to, from ?? ''];
      signal.throwIfAborted();
      // Not stopped by the signal but left to finish (milliseconds): git creates the lock file
      // before it installs, on first use, the handler that removes it on a signal, so a signal in
      // between leaves the branch locked, and one during the installation makes git spin forever.
      // In a session of its own, so a signal to publish's whole process group (Ctrl-C, a
      // supervisor stopping the group, even SIGKILL) does not reach it either.
      const r = await tryGitAsync(args, gitDir, { ownSession: true });
      if (r.status === 0) return undefined;
      if (MOVED.test(r.stderr)) return r.stderr;
      throw new InputError([`git ${args.join(' ')} failed: ${r.stderr.trim()}. Nothing was published; run gitplane publish again.`]);
    },
    close: () => undefined,
  };
}

/**
 * A private bare repository under `<tmp>/gitplane-<uid>/publish/<host>-<pid>-XXXXXX` that
 * fetches the branch and pushes the commit; removed on close. Directories of this host whose
 * process is gone (killed with -9) are removed first.
 */
async function remoteTarget(repo: string, branch: string, signal: AbortSignal): Promise<Target> {
  const parent = publishTempRoot();
  makeDirectories(parent, 0o700);
  removeStale(parent);
  const gitDir = fs.mkdtempSync(path.join(parent, `${os.hostname()}-${process.pid}-`));
  const ref = `refs/heads/${branch}`;
  const close = () => fs.rmSync(gitDir, { recursive: true, force: true });
  try {
    await gitAsync(['init', '-q', '--bare', gitDir], parent, { signal });
  } catch (e) {
    close();
    throw e;
  }
  return {
    gitDir,
    async tip() {
      // A branch created after ls-remote looked is caught by the push's lease (expected absent).
      const heads = await tryGitAsync(['--git-dir', gitDir, 'ls-remote', '--exit-code', '--heads', repo, ref], gitDir, { signal });
      if (heads.status === 2) return undefined;
      const fetch = heads.status === 0 ? await tryGitAsync(['--git-dir', gitDir, 'fetch', '-q', '--no-tags', '--no-write-fetch-head', repo, `+${ref}:${ref}`], gitDir, { signal }) : heads;
      if (fetch.status !== 0) throw new InputError([`cannot read branch ${branch} of ${repo}: ${fetch.stderr.trim()}. Check --repo and that you may read it.`]);
      return (await gitAsync(['--git-dir', gitDir, 'rev-parse', '--verify', `${ref}^{commit}`], gitDir, { signal })).trim();
    },
    async update(to, from) {
      const args = ['--git-dir', gitDir, 'push', '--porcelain', '-q', `--force-with-lease=${ref}:${from ?? ''}`, repo, `${to}:${ref}`];
      const r = await tryGitAsync(args, gitDir, { signal });
      if (r.status === 0) return undefined;
      if (MOVED.test(`${r.stdout}\n${r.stderr}`)) return `${r.stdout}\n${r.stderr}`;
      throw new InputError([`git push to ${repo} (branch ${branch}) failed: ${`${r.stdout}\n${r.stderr}`.trim()}. Nothing was published; run gitplane publish again.`]);
    },
    close,
  };
}

/** Where remote publishes keep their private repositories while they run. */
function publishTempRoot(): string {
  return path.join(os.tmpdir(), `gitplane-${os.userInfo().uid}`, 'publish');
}

/** Removes this host's publish directories whose process no longer exists. */
function removeStale(parent: string): void {
  const host = os.hostname();
  for (const entry of fs.readdirSync(parent)) {
    const m = /^(.*)-(\d+)-[A-Za-z0-9]{6}$/.exec(entry);
    if (!m || m[1] !== host || processExists(Number(m[2]))) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}


/**
 * Runs `work` with SIGINT, SIGTERM and SIGHUP turned into an abort: the running git is stopped
 * (a local branch update under way is let finish), `work` unwinds through its cleanup, and the
 * process then dies of the signal it was sent.
 */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
    if (controller.signal.aborted) process.kill(process.pid, controller.signal.reason as NodeJS.Signals);
  }
}

/** Groups `git diff-tree --name-status -z` output by environment and application. */
function summarize(status: string, planned: readonly Planned[]): EnvironmentChange[] {
  const fields = status.split('\0').filter(Boolean);
  const entries: { code: string; file: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) entries.push({ code: fields[i], file: fields[i + 1] });
  return planned.flatMap(({ built: b, root }) => {
    const prefix = `${root}/`;
    const mine = entries.filter((e) => e.file.startsWith(prefix)).map((e) => ({ code: e.code, file: e.file.slice(prefix.length) }));
    if (mine.length === 0) return [];
    const of = (code: string) => mine.filter((e) => e.code === code).map((e) => e.file);
    return [{ env: b.spec.name, applications: [...new Set(mine.map((e) => applicationOf(e.file)))].sort(), added: of('A'), modified: of('M'), removed: of('D') }];
  });
}

/** The application a file of an environment tree belongs to: `apps/<app>/...` and `values/<app>.yaml` name it. */
export function applicationOf(file: string): string {
  const [top, second] = file.split('/');
  if (top === 'apps' && second) return second;
  if (top === 'values' && second) return second.replace(/\.ya?ml$/, '');
  return top;
}
