import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { BuiltEnvironment, buildEnvironment } from '../../stacks/pipeline';
import { AppDescriptor } from '../../stacks/application';
import { PLATFORM_APPS } from '../../stacks/platform';
import { publish } from '../../stacks/publish';
import { loadSettings } from '../../stacks/settings';
import { Wave } from '../../stacks/waves';
import { BIN, gitplane, ROOT, tempDir } from '../support/cli';
import { built, variant } from '../support/environments';

/** Git that ignores the machine's global and system configuration, so tests do not depend on it. */
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';
const GIT_ENV = { ...process.env };
const base = tempDir();
const scratch = () => fs.mkdtempSync(path.join(base, 'case-'));

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8', env: GIT_ENV });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function bareRepo(): string {
  const repo = path.join(scratch(), 'gitops.git');
  git(['init', '-q', '--bare', repo], ROOT);
  return repo;
}

const commits = (repo: string) => git(['rev-list', '--count', 'main'], repo).trim();
const lastChanges = (repo: string) => git(['show', '--name-status', '--format=', 'main'], repo).trim().split('\n').filter(Boolean);
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
  test('the first run makes one commit; a second run with no change makes none', () => {
    const repo = bareRepo();
    const first = publish([built('dev'), built('prod')], { repo });
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(commits(repo)).toBe('1');
    expect(tree(repo)).toEqual([...[...built('dev').output.files.keys()].map((f) => `dev/${f}`), ...[...built('prod').output.files.keys()].map((f) => `prod/${f}`)]);
    const summary = (env: string) => {
      const files = [...built(env).output.files.keys()];
      const group = (f: string) => (f.startsWith('apps/') ? f.split('/')[1] : f.startsWith('values/') ? path.basename(f, '.yaml') : f.split('/')[0]);
      const groups = [...new Set(files.map(group))].sort();
      return `${env}: ${groups.join(', ')} (${files.length} added, 0 changed, 0 removed)`;
    };
    expect(git(['show', '-s', '--format=%B', 'main'], repo)).toBe(`gitplane publish: dev, prod\n\n${summary('dev')}\n${summary('prod')}\n\n`);

    expect(publish([built('dev'), built('prod')], { repo })).toEqual({ changes: [] });
    expect(commits(repo)).toBe('1');
  });

  test('a changed environment makes a commit touching only its changed files, and files outside the environments stay', () => {
    const repo = bareRepo();
    publish([built('dev'), built('prod')], { repo });
    const clone = path.join(scratch(), 'clone');
    git(['clone', '-q', '--branch', 'main', repo, clone], ROOT);
    fs.writeFileSync(path.join(clone, 'README.md'), 'kept\n');
    git(['add', 'README.md'], clone);
    git(['commit', '-q', '-m', 'readme'], clone);
    git(['push', '-q', 'origin', 'main'], clone);

    const manualProd = buildEnvironment(variant('prod', (s) => ((s.gitops.sync as { automated: boolean }).automated = true)), loadSettings());
    const result = publish([built('dev'), manualProd], { repo, branch: 'main' });
    expect(result.changes.map((c) => c.env)).toEqual(['prod']);
    const changed = [...manualProd.output.files].filter(([file, content]) => built('prod').output.files.get(file) !== content).map(([file]) => `M\tprod/${file}`);
    expect(changed).toContain('M\tprod/bootstrap/application-prod-root.yaml');
    expect(lastChanges(repo)).toEqual(changed.sort());
    expect(tree(repo)).toContain('README.md');
  });

  test('a deleted application\'s files are removed', () => {
    const repo = bareRepo();
    publish([withExtra('staging')], { repo });
    expect(tree(repo)).toContain('staging/apps/extra/configmap-extra.yaml');
    const result = publish([built('staging')], { repo, message: 'Remove extra' });
    expect(result.changes[0]).toMatchObject({ env: 'staging', applications: ['bootstrap', 'extra'], removed: ['apps/extra/configmap-extra.yaml', 'bootstrap/application-staging-extra.yaml'] });
    expect(tree(repo).filter((f) => f.includes('extra'))).toEqual([]);
    expect(git(['show', '-s', '--format=%s', 'main'], repo).trim()).toBe('Remove extra');
  });

  test('writes under gitops.path when the environment sets one', () => {
    const repo = bareRepo();
    publish([buildEnvironment(variant('dev', (s) => ((s.gitops as { path: string }).path = 'clusters')), loadSettings())], { repo });
    expect(tree(repo).every((f) => f.startsWith('clusters/dev/'))).toBe(true);
  });

  test('starts again from the new tip when the branch moves during the push', () => {
    const repo = bareRepo();
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
    // The first push finds main moved to "other" by someone else, as a concurrent publish would.
    const hook = path.join(repo, 'hooks', 'pre-receive');
    fs.writeFileSync(hook, '#!/bin/sh\nif [ ! -e "$GIT_DIR/moved" ]; then touch "$GIT_DIR/moved"; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/other; fi\n');
    fs.chmodSync(hook, 0o755);
    publish([built('dev')], { repo });
    expect(git(['log', '--format=%s', 'main'], repo).trim().split('\n')).toEqual(['gitplane publish: dev', 'someone else', 'a']);
    expect(tree(repo)).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'dev/bootstrap/application-dev-root.yaml']));
  });

  test('fails when the environment does not validate, and commits nothing', () => {
    const repo = bareRepo();
    const invalid: BuiltEnvironment = { ...built('dev'), problems: [{ file: 'dev/apps/x.yaml', object: 'ConfigMap/x', message: 'datta: unknown field "datta"' }] };
    expect(() => publish([invalid], { repo })).toThrow(/validation failed: 1 problem\(s\); nothing was published/);
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('fails when a blocking gate has findings, and commits nothing', () => {
    const repo = bareRepo();
    const gate = () => ['prod: policy runbooks: Alert X has no runbook.'];
    expect(() => publish([built('dev')], { repo, gates: [gate] })).toThrow(/1 blocking finding\(s\); nothing was published/);
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('fails when the repository does not exist', () => {
    expect(() => publish([built('dev')], { repo: path.join(scratch(), 'missing.git') })).toThrow(/git ls-remote --heads origin main failed/);
  });
});

describe('gitplane publish', () => {
  const run = (args: string[]) => gitplane(['publish', ...args], { env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

  test('publishes, then reports that nothing changed', () => {
    const repo = bareRepo();
    const first = run(['--repo', repo, '--env', 'dev', '--branch', 'gitops']);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^published [0-9a-f]{12} to .* \(gitops\)\n  dev: bootstrap, .*namespaces.* \(\d+ added, 0 changed, 0 removed\)\n$/);
    expect(git(['log', '--format=%an <%ae>', 'gitops'], repo).trim()).toBe('gitplane <gitplane@localhost>');
    expect(run(['--repo', repo, '--env', 'dev', '--branch', 'gitops']).stdout).toContain('nothing to publish');
  });

  test('fails when --repo is missing, with exit 2', () => {
    const r = run(['--env', 'dev']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--repo is required');
  });

  test('fails with exit 1 and commits nothing when validation fails', () => {
    const repo = bareRepo();
    const r = run(['--repo', repo, '--env', 'dev', '--crd-dir', scratch()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing was published');
    expect(git(['for-each-ref'], repo)).toBe('');
  });

  test('concurrent publishes to one repository both land, without corruption', async () => {
    const repo = bareRepo();
    const start = (env: string) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'publish', '--repo', repo, '--env', env, '--quiet'], { cwd: ROOT, env: { ...GIT_ENV, NO_COLOR: '1' }, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all(['dev', 'staging', 'prod'].map(start));
    expect(codes).toEqual([0, 0, 0]);
    expect(commits(repo)).toBe('3');
    const envs = new Set(tree(repo).map((f) => f.split('/')[0]));
    expect([...envs].sort()).toEqual(['dev', 'prod', 'staging']);
    git(['fsck', '--strict'], repo);
  });
});
