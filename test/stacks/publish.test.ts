import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { BuiltEnvironment, buildEnvironment } from '../../stacks/pipeline';
import { AppDescriptor } from '../../stacks/application';
import { InputError } from '../../stacks/errors';
import { PLATFORM_APPS } from '../../stacks/platform';
import { publish } from '../../stacks/publish';
import { loadSettings } from '../../stacks/settings';
import { Wave } from '../../stacks/waves';
import { gitplane, ROOT, tempDir } from '../support/cli';
import { built, variant } from '../support/environments';
import { bareRepo, commitFiles, git } from '../support/git';
import { testWithMirrors } from '../support/mirrors';

/** Git that ignores the machine's global and system configuration, so tests do not depend on it. */
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';
const base = tempDir();
const scratch = () => fs.mkdtempSync(path.join(base, 'case-'));
const newRepo = () => bareRepo(scratch());

const commits = (repo: string) => git(['rev-list', '--count', 'main'], repo).trim();
const lastChanges = (repo: string) => git(['show', '--name-status', '--format=', 'main'], repo).trim().split('\n').filter(Boolean);
const READ_AT = new Date('2026-01-02T03:04:05.678Z');
const tree = (repo: string) => git(['ls-tree', '-r', '--name-only', 'main'], repo).trim().split('\n');

/** An extra application with one ConfigMap, to add and delete. */
const EXTRA: AppDescriptor = {
  name: 'extra',
  namespace: 'nats',
  wave: Wave.Services,
  component: 'test',
  enabled: () => true,
  build: (chart: Chart) => {
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', labels: {} }, data: { a: 'b' } });
  },
};
const withExtra = (env: string): BuiltEnvironment => buildEnvironment(variant(env, () => undefined), loadSettings(), [...PLATFORM_APPS, EXTRA]);

describe('publish into a bare repository', () => {
  testWithMirrors(['schemas'], 'the first run makes one commit; a second run with no change makes none', async () => {
    const repo = newRepo();
    const first = await publish([built('dev'), built('prod')], { repo, readAt: READ_AT });
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(commits(repo)).toBe('1');
    expect(tree(repo)).toEqual([...[...built('dev').output.files.keys()].map((f) => `dev/${f}`), ...[...built('prod').output.files.keys()].map((f) => `prod/${f}`)]);
    const summary = (env: string) => {
      const files = [...built(env).output.files.keys()];
      const group = (f: string) => (f.startsWith('apps/') ? f.split('/')[1] : f.startsWith('values/') ? path.basename(f, '.yaml') : f.split('/')[0]);
      const groups = [...new Set(files.map(group))].sort();
      return `${env}: ${groups.join(', ')} (${files.length} added, 0 changed, 0 removed)`;
    };
    expect(git(['show', '-s', '--format=%B', 'main'], repo)).toBe(`gitplane publish: dev, prod\n\n${summary('dev')}\n${summary('prod')}\n\nGitplane-Read-At: ${READ_AT.toISOString()}\n\n`);

    expect(await publish([built('dev'), built('prod')], { repo, readAt: READ_AT })).toEqual({ branch: 'main', changes: [], superseded: [] });
    expect(commits(repo)).toBe('1');
  });

  testWithMirrors(['schemas'], 'a changed environment makes a commit touching only its changed files, and files outside the environments stay', async () => {
    const repo = newRepo();
    await publish([built('dev'), built('prod')], { repo });
    commitFiles(repo, 'main', { 'README.md': 'kept\n' }, 'readme');

    const manualProd = buildEnvironment(variant('prod', (s) => ((s.gitops.sync as { automated: boolean }).automated = true)), loadSettings());
    const result = await publish([built('dev'), manualProd], { repo, branch: 'main' });
    expect(result.changes.map((c) => c.env)).toEqual(['prod']);
    const changed = [...manualProd.output.files].filter(([file, content]) => built('prod').output.files.get(file) !== content).map(([file]) => `M\tprod/${file}`);
    expect(changed).toContain('M\tprod/bootstrap/application-prod-root.yaml');
    expect(lastChanges(repo)).toEqual(changed.sort());
    expect(tree(repo)).toContain('README.md');
  });

  testWithMirrors(['schemas'], 'a deleted application\'s files are removed', async () => {
    const repo = newRepo();
    await publish([withExtra('staging')], { repo });
    expect(tree(repo)).toContain('staging/apps/extra/configmap-extra.yaml');
    const result = await publish([built('staging')], { repo, message: 'Remove extra' });
    expect(result.changes[0]).toMatchObject({ env: 'staging', applications: ['bootstrap', 'extra'], removed: ['apps/extra/configmap-extra.yaml', 'bootstrap/application-staging-extra.yaml'] });
    expect(tree(repo).filter((f) => f.includes('extra'))).toEqual([]);
    expect(git(['show', '-s', '--format=%s', 'main'], repo).trim()).toBe('Remove extra');
  });

  testWithMirrors(['schemas'], 'writes under gitops.path when the environment sets one', async () => {
    const repo = newRepo();
    await publish([buildEnvironment(variant('dev', (s) => ((s.gitops as { path: string }).path = 'clusters')), loadSettings())], { repo });
    expect(tree(repo).every((f) => f.startsWith('clusters/dev/'))).toBe(true);
  });

  /** A repository with commit "a" on main and "someone else" (its child) on other. */
  function twoCommits(): string {
    const repo = newRepo();
    const clone = path.join(scratch(), 'clone');
    git(['init', '-q', '-b', 'main', clone], ROOT);
    fs.writeFileSync(path.join(clone, 'a.txt'), 'a\n');
    git(['add', '.'], clone);
    git(['commit', '-q', '-m', 'a'], clone);
    git(['push', '-q', repo, 'main'], clone);
    fs.writeFileSync(path.join(clone, 'b.txt'), 'b\n');
    git(['add', '.'], clone);
    git(['commit', '-q', '-m', 'someone else'], clone);
    git(['push', '-q', repo, 'main:other'], clone);
    return repo;
  }

  /** A pre-receive hook that moves main before the push lands, as a concurrent publish would. */
  function moveMainOnPush(repo: string, script: string): void {
    const hook = path.join(repo, 'hooks', 'pre-receive');
    fs.writeFileSync(hook, `#!/bin/sh\nmove() { env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main "$1"; }\n${script}\n`);
    fs.chmodSync(hook, 0o755);
  }

  testWithMirrors(['schemas'], 'starts again from the new tip when the branch moves during the push to a remote', async () => {
    const repo = twoCommits();
    moveMainOnPush(repo, 'if [ ! -e "$GIT_DIR/moved" ]; then touch "$GIT_DIR/moved"; move refs/heads/other; fi');
    await publish([built('dev')], { repo: `file://${repo}` });
    expect(git(['log', '--format=%s', 'main'], repo).trim().split('\n')).toEqual(['gitplane publish: dev', 'someone else', 'a']);
    expect(tree(repo)).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'dev/bootstrap/application-dev-root.yaml']));
  });

  testWithMirrors(['schemas'], 'fails when the branch keeps moving, after the bounded attempts, with exit 2 and nothing published', async () => {
    const repo = twoCommits();
    const before = { main: git(['rev-parse', 'main'], repo), other: git(['rev-parse', 'other'], repo) };
    moveMainOnPush(repo, `if [ "$(git rev-parse refs/heads/main)" = "${before.main.trim()}" ]; then move refs/heads/other; else move ${before.main.trim()}; fi`);
    const attempt = publish([built('dev')], { repo: `file://${repo}`, attempts: 3 });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^file://${repo}: branch main moved under this publish 3 times in a row \\(other publishes kept landing first\\); nothing was published\\. git's last refusal: .*\\[remote rejected\\] .*\\. Run gitplane publish again\\.$`),
    );
    expect(tree(repo).some((f) => f.startsWith('dev/'))).toBe(false);
  });

  test('fails when the environment does not validate, and commits nothing', async () => {
    const repo = newRepo();
    const invalid: BuiltEnvironment = { ...built('dev'), problems: [{ file: 'dev/apps/x.yaml', object: 'ConfigMap/x', message: 'datta: unknown field "datta"' }] };
    await expect(publish([invalid], { repo })).rejects.toThrow(/validation failed: 1 problem\(s\); nothing was published/);
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  testWithMirrors(['schemas'], 'fails when a blocking gate has findings, and commits nothing', async () => {
    const repo = newRepo();
    const gate = () => ['prod: policy runbooks: Alert X has no runbook.'];
    await expect(publish([built('dev')], { repo, gates: [gate] })).rejects.toThrow(/1 blocking finding\(s\); nothing was published/);
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  testWithMirrors(['schemas'], 'fails when the repository is a checkout, not a bare repository', async () => {
    const checkout = path.join(scratch(), 'checkout');
    git(['init', '-q', '-b', 'main', checkout], ROOT);
    await expect(publish([built('dev')], { repo: path.join(checkout, '.git') })).rejects.toThrow(
      `${path.join(checkout, '.git')}: not a bare git repository (it is a checkout, whose work tree would not follow the branch). Give the path of a bare repository (git clone --bare), or its URL with --repo.`,
    );
    await expect(publish([built('dev')], { repo: checkout })).rejects.toThrow(`${checkout}: not a bare git repository. Give the path of a bare repository`);
  });

  testWithMirrors(['schemas'], 'fails when a lock file left behind (refs/heads/main.lock of a git that died) is there at every attempt, in place and through a URL, naming the file and how to clear it', async () => {
    // The real path: through a URL, git names the file as the serving side resolves it.
    const repo = fs.realpathSync(newRepo());
    const lock = path.join(repo, 'refs', 'heads', 'main.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '');
    for (const [target, where] of [
      [repo, ''],
      [`file://${repo}`, ' (on the machine that stores the repository)'],
    ]) {
      const attempt = publish([built('dev')], { repo: target, attempts: 2 });
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(
        `${target}: branch main is locked: the lock file ${lock} was there at each of the 2 attempts, so it is not another publish landing first; nothing was published. A git process that died while moving the branch leaves such a file behind. Make sure no git process is working on the repository, remove ${lock}${where}, and run gitplane publish again.`,
      );
    }
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  testWithMirrors(['schemas'], 'fails when a remote repository cannot be read', async () => {
    const missing = `file://${path.join(scratch(), 'missing.git')}`;
    await expect(publish([built('dev')], { repo: missing })).rejects.toThrow(new RegExp(`^cannot read branch main of ${missing}: .*\\. Check --repo and that you may read it\\.$`, 's'));
  });

  testWithMirrors(['schemas'], 'fails when the remote refuses the push for another reason than a moved branch, without retrying', async () => {
    const repo = newRepo();
    const hook = path.join(repo, 'hooks', 'pre-receive');
    fs.writeFileSync(hook, '#!/bin/sh\necho refused >> "$GIT_DIR/refusals"\nexit 1\n');
    fs.chmodSync(hook, 0o755);
    await expect(publish([built('dev')], { repo: `file://${repo}` })).rejects.toThrow(/^git push to file:\/\/.* \(branch main\) failed: .*pre-receive hook declined.*\. Nothing was published; run gitplane publish again\.$/s);
    expect(fs.readFileSync(path.join(repo, 'refusals'), 'utf8')).toBe('refused\n');
  });

  testWithMirrors(['schemas'], 'fails when the repository does not exist', async () => {
    const missing = path.join(scratch(), 'missing.git');
    await expect(publish([built('dev')], { repo: missing })).rejects.toThrow(`${missing}: no such repository. Give the path of a bare repository`);
  });
});

describe('gitplane publish', () => {
  const run = (args: string[]) => gitplane(['publish', ...args], { env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

  testWithMirrors(['schemas'], 'publishes, then reports that nothing changed', () => {
    const repo = newRepo();
    const first = run(['--repo', repo, '--env', 'dev', '--branch', 'main']);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^published [0-9a-f]{12} to .* \(main\)\n  dev: bootstrap, .*namespaces.* \(\d+ added, 0 changed, 0 removed\)\n$/);
    expect(git(['log', '--format=%an <%ae>', 'main'], repo).trim()).toBe('gitplane <gitplane@localhost>');
    expect(run(['--repo', repo, '--env', 'dev']).stdout).toContain('nothing to publish');
  });

  test('fails when --repo is missing, with exit 2', () => {
    const r = run(['--env', 'dev']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--repo is required');
  });

  test('fails with exit 1 and commits nothing when validation fails', () => {
    const repo = newRepo();
    const r = run(['--repo', repo, '--env', 'dev', '--crd-dir', scratch()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing was published');
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('fails when --branch is not the environment\'s gitops.branch, with exit 2 naming the file given', () => {
    const repo = newRepo();
    const file = path.join(scratch(), 'qa.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8').replace('branch: main', 'branch: release'));
    const r = run(['--repo', repo, '--file', file, '--branch', 'main']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: gitops.branch is "release" but --branch is "main": the root Application dev-root tracks "release", so Argo CD would never deploy a commit on "main". Drop --branch, or set gitops.branch: main in ${file}.`);
    expect(git(['for-each-ref'], repo)).toBe('');
  });
});

describe('publish writes only inside the repository', () => {
  /**
   * A canary folder in the test's scratch space, and a relative path to it that escapes from any
   * folder fewer than 32 levels deep: where an implementation that resolved the input against a
   * work tree (a temporary clone, say) would delete and write. Aiming there, rather than at
   * `../../canary`, keeps a regression inside the scratch space.
   */
  function canary(): { dir: string; escape: string } {
    const dir = path.join(scratch(), 'canary');
    fs.mkdirSync(path.join(dir, 'dev'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dev', 'keep.txt'), 'canary\n');
    return { dir, escape: `${'../'.repeat(32)}${dir.slice(1)}` };
  }
  const untouched = (dir: string) => expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(['dev', 'dev/keep.txt']);

  /** Runs `attempt`, expects an InputError and no ref in the repository, and returns its problems. */
  async function refused(attempt: () => unknown): Promise<string[]> {
    const error = await Promise.resolve()
      .then(attempt)
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  const withPath = (folder: string) => buildEnvironment(variant('dev', (s) => ((s.gitops as { path: string }).path = folder)), loadSettings());

  test.each([
    ['leaves the repository through ..', (escape: string) => escape, 'must not contain "." or ".." segments'],
    ['climbs out of a folder', (escape: string) => `clusters/${escape}`, 'must not contain "." or ".." segments'],
    ['is absolute', (escape: string) => `/${escape.replace(/^(\.\.\/)+/, '')}`, 'must be relative, not absolute'],
    ['goes into .git', () => '.git/hooks', 'must not contain a .git segment'],
    ['has an empty segment', () => 'clusters//edge', 'must not be empty or contain empty segments'],
    ['uses backslashes', () => 'clusters\\..\\..', 'must not contain control characters or backslashes'],
  ])('fails when gitops.path %s (loader bypassed), with exit 2 naming the field, and touches nothing', async (_, folderOf, why) => {
    const { dir, escape } = canary();
    const repo = newRepo();
    const folder = folderOf(escape);
    expect(await refused(() => publish([withPath(folder)], { repo }))).toEqual([
      `environments/dev.yaml: gitops.path ${why} (got ${JSON.stringify(folder)}), so publish would write outside the repository. Use a folder inside it, such as clusters or clusters/edge.`,
      'nothing was published.',
    ]);
    untouched(dir);
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  testWithMirrors(['schemas'], 'fails when gitops.path goes through a symbolic link on the branch, and touches nothing', async () => {
    const { dir } = canary();
    const repo = newRepo();
    const clone = path.join(scratch(), 'clone');
    git(['init', '-q', '-b', 'main', clone], ROOT);
    fs.symlinkSync(dir, path.join(clone, 'clusters'));
    git(['add', '.'], clone);
    git(['commit', '-q', '-m', 'link'], clone);
    git(['push', '-q', repo, 'main'], clone);
    const before = git(['rev-parse', 'main'], repo);
    expect(await refused(() => publish([withPath('clusters')], { repo, files: new Map([['dev', 'qa/dev.yaml']]) }))).toEqual([
      'qa/dev.yaml: gitops.path "clusters" goes through clusters, which is a file or symbolic link on the branch, not a folder; publish does not write through it. Use another gitops.path, or make clusters a folder.',
      'nothing was published.',
    ]);
    untouched(dir);
    expect(git(['rev-parse', 'main'], repo)).toBe(before);
  });

  test('fails when a synthesized file would leave the environment\'s folder', async () => {
    const { dir, escape } = canary();
    const repo = newRepo();
    const dev = built('dev');
    const file = `${escape}/dev/x.yaml`;
    const escaping: BuiltEnvironment = { ...dev, output: { ...dev.output, files: new Map([...dev.output.files, [file, 'kind: ConfigMap\n']]) } };
    expect(await refused(() => publish([escaping], { repo }))).toEqual([
      `environments/dev.yaml: the synthesized file ${JSON.stringify(file)} must not contain "." or ".." segments, so publish would write outside the environment's folder. Rename the object or application it comes from.`,
      'nothing was published.',
    ]);
    untouched(dir);
  });

  test('fails when the environment name is not one plain folder name (loader bypassed)', async () => {
    const { dir, escape } = canary();
    const repo = newRepo();
    const name = escape;
    const escaping = buildEnvironment(variant('dev', (s) => ((s as { name: string }).name = name)), loadSettings());
    const problems = await refused(() => publish([escaping], { repo, files: new Map([[name, 'qa.yaml']]) }));
    expect(problems[0]).toBe(`qa.yaml: name must not contain "." or ".." segments (got ${JSON.stringify(name)}), and it names the environment's folder in the repository. Use a name such as staging.`);
    // The name is in file names too (application-<name>-root.yaml): each is refused as well.
    expect(problems.slice(1, -1)).toContainEqual(expect.stringMatching(/^qa\.yaml: the synthesized file "bootstrap\/application-(\.\.\/)+.*-root\.yaml" must not contain "\." or "\.\." segments/));
    expect(problems.at(-1)).toBe('nothing was published.');
    untouched(dir);
  });
});

describe('publish commits to gitops.branch', () => {
  const onBranch = (env: string, branch: string) => buildEnvironment(variant(env, (s) => ((s.gitops as { branch: string }).branch = branch)), loadSettings());

  testWithMirrors(['schemas'], 'commits to the branch the root Application tracks, not main', async () => {
    const repo = newRepo();
    const release = onBranch('dev', 'release');
    expect(release.output.files.get('bootstrap/application-dev-root.yaml')).toContain('targetRevision: release');
    expect((await publish([release], { repo })).branch).toBe('release');
    expect(git(['for-each-ref', '--format=%(refname)'], repo).trim()).toBe('refs/heads/release');
  });

  test('fails when --branch names another branch, with exit 2, and commits nothing', async () => {
    const repo = newRepo();
    await expect(publish([onBranch('dev', 'release')], { repo, branch: 'main' })).rejects.toThrow(
      'environments/dev.yaml: gitops.branch is "release" but --branch is "main": the root Application dev-root tracks "release", so Argo CD would never deploy a commit on "main".',
    );
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('fails when the selected environments track different branches', async () => {
    const repo = newRepo();
    await expect(publish([onBranch('dev', 'release'), built('prod')], { repo })).rejects.toThrow(
      'the selected environments track different branches (environments/dev.yaml: gitops.branch "release", environments/prod.yaml: gitops.branch "main"); one publish makes one commit on one branch.',
    );
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('fails when gitops.branch is not a valid branch name (loader bypassed)', async () => {
    const repo = newRepo();
    await expect(publish([onBranch('dev', 'main; rm -rf /')], { repo })).rejects.toThrow(
      'environments/dev.yaml: gitops.branch must be a valid git branch name (got "main; rm -rf /"). Use a name such as main or release.',
    );
    expect(git(['for-each-ref'], repo)).toBe('');
  });
});

describe('publish keeps the newest change of an environment', () => {
  const replicas = (n: number) => buildEnvironment(variant('staging', (s) => ((s.components.nats as { replicas: number }).replicas = n)), loadSettings());
  const natsOnBranch = (repo: string) => git(['show', 'main:staging/apps/nats/statefulset-nats.yaml'], repo);

  testWithMirrors(['schemas'], 'a publish of files read before the branch\'s last publish leaves the environment as it is', async () => {
    const repo = newRepo();
    const newer = await publish([replicas(5)], { repo, readAt: new Date('2026-01-02T10:00:00.000Z') });
    const older = await publish([replicas(3), built('dev')], { repo, readAt: new Date('2026-01-02T09:59:59.999Z') });
    expect(older.superseded).toEqual([{ env: 'staging', commit: newer.commit, readAt: '2026-01-02T10:00:00.000Z' }]);
    expect(older.changes.map((c) => c.env)).toEqual(['dev']);
    expect(natsOnBranch(repo)).toContain('replicas: 5');
    const newest = await publish([replicas(3)], { repo, readAt: new Date('2026-01-02T10:00:00.001Z') });
    expect(newest.changes.map((c) => c.env)).toEqual(['staging']);
    expect(natsOnBranch(repo)).toContain('replicas: 3');
  });

  testWithMirrors(['schemas'], 'a trailer that is not gitplane\'s time (written by hand) does not make a publish superseded', async () => {
    const repo = newRepo();
    const clone = path.join(scratch(), 'clone');
    git(['init', '-q', '-b', 'main', clone], ROOT);
    fs.mkdirSync(path.join(clone, 'staging'));
    fs.writeFileSync(path.join(clone, 'staging', 'notes.md'), 'by hand\n');
    git(['add', '.'], clone);
    git(['commit', '-q', '-m', 'by hand\n\nGitplane-Read-At: zzz'], clone);
    git(['push', '-q', repo, 'main'], clone);
    const result = await publish([replicas(3)], { repo });
    expect(result.superseded).toEqual([]);
    expect(result.changes[0]).toMatchObject({ env: 'staging', removed: ['notes.md'] });
  });
});
