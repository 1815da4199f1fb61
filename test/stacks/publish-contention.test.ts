/**
 * gitplane publish as real processes against one repository: many at once, and killed at random
 * points. The repository must stay sound (`git fsck --strict`), every publish land or fail with a
 * clear message, the newest change of each environment win, and no temporary repository remain.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitplaneArgv, ROOT, tempDir } from '../support/cli';
import { bareRepo, git, GIT_ENV } from '../support/git';
import { until } from '../support/loopback';
import { seededRandom } from '../support/random';
import { testWithMirrors } from '../support/mirrors';

const base = tempDir();
const scratch = () => fs.mkdtempSync(path.join(base, 'case-'));
const newRepo = () => bareRepo(scratch());

/** environments/dev.yaml as environment `name`, its JetStream stream renamed per variant: a different change each. */
function environmentFile(dir: string, name: string, variant: number): string {
  const file = path.join(dir, `${name}-v${variant}.yaml`);
  const text = fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8');
  fs.writeFileSync(file, text.replace(/^name: dev$/m, `name: ${name}`).replace('- name: EVENTS', `- name: EVENTS${variant}`));
  return file;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Marks the processes of one publish: every process it starts inherits its environment. */
const MARK = 'GITPLANE_TEST_PUBLISH';
let publishes = 0;

/** Starts `gitplane publish`; `tmp` is its temporary directory, `trace` a GIT_TRACE file. */
function startPublish(args: string[], tmp: string, trace?: string) {
  const mark = `${process.pid}-${++publishes}`;
  // Its own process group, so a test can signal the group as a terminal's Ctrl-C does.
  const child = spawn(process.execPath, gitplaneArgv(['publish', ...args]), {
    cwd: ROOT,
    detached: true,
    env: { ...GIT_ENV, NO_COLOR: '1', TMPDIR: tmp, [MARK]: mark, ...(trace ? { GIT_TRACE: trace } : {}) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const closed = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const done = closed.then(async (run) => (await processesEnded(mark), run));
  return { child, done };
}

/**
 * Resolves once no process carrying `mark` in its environment is left. A publish killed by a
 * signal can leave a git command it started still running (its parent died, it did not; a branch
 * update runs in a session of its own); the repository is judged once those have finished too,
 * as it would be by the next reader.
 */
async function processesEnded(mark: string): Promise<void> {
  const entry = Buffer.from(`${MARK}=${mark}\0`);
  const marked = (pid: string) => {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`);
      const at = environ.indexOf(entry);
      return at === 0 || (at > 0 && environ[at - 1] === 0);
    } catch {
      return false; // gone, or not ours to read
    }
  };
  while (fs.readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && marked(pid))) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Whatever publishes left in their temporary directory `tmp`, apart from the (empty) folder where
 * publish keeps its private repositories for remote ones (see stacks/publish.ts).
 */
function temporaryRepositories(tmp: string): string[] {
  const home = `gitplane-${os.userInfo().uid}`;
  const mine = path.join(tmp, home, 'publish');
  return [...fs.readdirSync(tmp).filter((e) => e !== home), ...(fs.existsSync(mine) ? fs.readdirSync(mine) : [])];
}

/** Lock files in repository `repo`: none may outlive the git command that took it. */
const lockFiles = (repo: string) => spawnSync('find', [repo, '-name', '*.lock'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
const stampOf = (repo: string, commit: string) => git(['log', '-1', '--format=%(trailers:key=Gitplane-Read-At,valueonly,separator=)', commit], repo).trim();
const envTree = (repo: string, env: string) => spawnSync('git', ['rev-parse', '-q', '--verify', `main:${env}`], { cwd: repo, encoding: 'utf8', env: GIT_ENV }).stdout.trim();

testWithMirrors(['schemas'], '10 concurrent publishes of different changes all land, the newest change of each environment wins, and the repository stays sound', async () => {
  const repo = newRepo();
  const dir = scratch();
  const tmp = scratch();
  // Five environments, two changes each; half the processes go through a URL, half write in place.
  const runs = Array.from({ length: 10 }, (_, i) => ({ env: `c${i % 5}`, file: environmentFile(dir, `c${i % 5}`, Math.floor(i / 5)), repo: i % 2 === 0 ? repo : `file://${repo}` }));
  const results = await Promise.all(runs.map((r) => startPublish(['--repo', r.repo, '--file', r.file], tmp).done));

  const gaveUp = /branch main moved under this publish 10 times in a row \(other publishes kept landing first\); nothing was published\. git's last refusal: .*\. Run gitplane publish again\./;
  for (const r of results) {
    if (r.code === 2) expect(r.stderr).toMatch(gaveUp);
    else expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^(published [0-9a-f]{12} to |superseded: c\d is left as published by [0-9a-f]{12}, )/) });
  }
  git(['fsck', '--strict', '--no-dangling'], repo);
  expect(temporaryRepositories(tmp)).toEqual([]);

  // When each process read its environment file: from its commit's trailer, or its superseded line.
  const landed = results.map((r) => /^published ([0-9a-f]{12}) /.exec(r.stdout)?.[1]).map((short) => short && git(['rev-parse', short], repo).trim());
  const stamps = results.map((r, i) => (landed[i] ? stampOf(repo, landed[i]) : /after this one \(([^)]+)\)/.exec(r.stdout)?.[1]));
  for (const commit of landed.filter((c): c is string => Boolean(c))) git(['merge-base', '--is-ancestor', commit, 'main'], repo);
  expect(git(['rev-list', '--count', 'main'], repo).trim()).toBe(String(landed.filter(Boolean).length));
  for (const env of new Set(runs.map((r) => r.env))) {
    const mine = runs.map((r, i) => ({ ...r, i })).filter((r) => r.env === env && results[r.i].code === 0);
    const newest = mine.reduce((a, b) => ((stamps[a.i] ?? '') >= (stamps[b.i] ?? '') ? a : b));
    expect(landed[newest.i]).toBeDefined();
    expect(git(['log', '-1', '--format=%H', 'main', '--', env], repo).trim()).toBe(landed[newest.i]);
  }
});

const gitCommands = (trace: string) => (fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').match(/trace: built-in: git /g)?.length ?? 0 : 0);

testWithMirrors(['schemas'], 'publish killed at random points (SIGKILL or SIGTERM, seeded) leaves a sound repository holding the old or the new tree, and no temporary repository', async () => {
  const random = seededRandom(20261129);
  const repo = newRepo();
  const dir = scratch();
  const tmp = scratch();
  const files = [environmentFile(dir, 'c0', 0), environmentFile(dir, 'c0', 1)];
  const transports = { local: repo, remote: `file://${repo}` };
  const publishOnce = async (variant: number, transport: keyof typeof transports) => {
    const trace = path.join(scratch(), 'trace');
    const r = await startPublish(['--repo', transports[transport], '--file', files[variant]], tmp, trace).done;
    expect(r).toMatchObject({ code: 0, signal: null });
    return gitCommands(trace);
  };

  // Both trees as published whole, and how many git commands a publish of a change runs.
  await publishOnce(0, 'local');
  const trees = [envTree(repo, 'c0')];
  const commands = { local: await publishOnce(1, 'local'), remote: 0 };
  trees.push(envTree(repo, 'c0'));
  commands.remote = await publishOnce(0, 'remote');
  expect(trees[0]).not.toBe(trees[1]);

  const outcomes: string[] = [];
  for (let trial = 0; trial < 8; trial++) {
    const variant = (trial + 1) % 2;
    const transport = random() < 0.5 ? 'local' : 'remote';
    const signal = random() < 0.6 ? 'SIGKILL' : 'SIGTERM';
    // Stop it once its k-th git command has started: some point from the first git command to the last.
    const k = 1 + Math.floor(random() * (commands[transport] - 1));
    const trace = path.join(scratch(), 'trace');
    const { child, done } = startPublish(['--repo', transports[transport], '--file', files[variant]], tmp, trace);
    const poll = setInterval(() => gitCommands(trace) >= k && child.kill(signal), 2);
    const r = await done;
    clearInterval(poll);
    outcomes.push(`${transport} ${signal} after git command ${k}: ${r.signal ?? `exit ${r.code}`}`);

    git(['fsck', '--strict', '--no-dangling'], repo);
    expect(trees).toContain(envTree(repo, 'c0'));
    expect({ outcome: outcomes[trial], locks: lockFiles(repo) }).toEqual({ outcome: outcomes[trial], locks: [] });
    // A publish stopped by SIGTERM removes its own temporary repository before it dies.
    if (r.signal === 'SIGTERM') expect(temporaryRepositories(tmp).filter((e) => e.includes(`-${child.pid}-`))).toEqual([]);
  }
  // At least one trial died of its signal (the others finished first); the list shows which.
  expect(outcomes).toEqual(expect.arrayContaining([expect.stringMatching(/: SIG(KILL|TERM)$/)]));

  // The next publish removes what a killed one left behind, and lands.
  await publishOnce(1, 'remote');
  expect(temporaryRepositories(tmp)).toEqual([]);
  git(['fsck', '--strict', '--no-dangling'], repo);
  expect(envTree(repo, 'c0')).toBe(trees[1]);
});

const stoppers: readonly { how: string; signal: NodeJS.Signals; stop: (publish: ChildProcess) => void }[] = [
  { how: 'SIGTERM to the publish', signal: 'SIGTERM', stop: (publish) => publish.kill('SIGTERM') },
  // What Ctrl-C in a terminal does: the signal goes to every process of the foreground group.
  { how: 'SIGINT to its whole process group', signal: 'SIGINT', stop: (publish) => process.kill(-publish.pid!, 'SIGINT') },
];

for (const { how, signal, stop } of stoppers) {
  testWithMirrors(['schemas'], `publish stopped (${how}) while git moves the branch lets that update finish: the branch holds the new commit and no lock file is left`, async () => {
    const repo = newRepo();
    const dir = scratch();
    const tmp = scratch();
    const files = [environmentFile(dir, 'c0', 0), environmentFile(dir, 'c0', 1)];
    expect(await startPublish(['--repo', repo, '--file', files[0]], tmp).done).toMatchObject({ code: 0, signal: null });
    const before = git(['rev-parse', 'main'], repo).trim();

    // git runs this hook once it holds the locks of a ref update ("prepared", the refs on stdin); for
    // main it keeps the update under way until released. (fast-import runs it too, with no ref.)
    const held = path.join(scratch(), 'held');
    const release = path.join(scratch(), 'release');
    const hook = path.join(repo, 'hooks', 'reference-transaction');
    fs.writeFileSync(hook, `#!/bin/sh\n[ "$1" = prepared ] && grep -q ' refs/heads/main$' || exit 0\ntouch '${held}'\nwhile [ ! -e '${release}' ]; do sleep 0.01; done\n`);
    fs.chmodSync(hook, 0o755);
    const { child, done } = startPublish(['--repo', repo, '--file', files[1]], tmp);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await until('git to hold the branch lock', () => fs.existsSync(held) || undefined);
    stop(child);
    // A publish that stops the update exits at once (its git removes the lock and dies); one that
    // lets it finish waits for the hook. The second gives the publish time to act on the signal: under
    // a load where it has not acted yet the update finishes either way, so the pause can hide a
    // regression, never fail a correct publish.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
    fs.writeFileSync(release, '');
    const r = await done;

    expect(lockFiles(repo)).toEqual([]);
    git(['fsck', '--strict', '--no-dangling'], repo);
    expect(git(['log', '-1', '--format=%P %s', 'main'], repo).trim()).toBe(`${before} gitplane publish: c0`);
    // It dies of the signal once the update has landed (or, had it not acted on the signal yet, ends as usual).
    if (r.signal) expect(r.signal).toBe(signal);
    else expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^published [0-9a-f]{12} to /) });
  });
}
