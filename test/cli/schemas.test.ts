/**
 * Where schemas come from, end to end, in a clone of this repository with no ../shared beside it:
 * synth without any schema, `gitplane schemas pull` from a Helm repository served over loopback
 * HTTP (the offline chart repository of the pinned charts), `gitplane schemas import`, and the
 * offline mirror.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cacheDir } from '../../stacks/settings';
import { CliResult, copyOfRepository, gitplaneArgv, ROOT, SHARED_DIR } from '../support/cli';
import { configuredCrds, kubectlList } from '../support/crds';
import { describeWithMirrors, testWithMirrors } from '../support/mirrors';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

const SHARED = SHARED_DIR;
const CHARTS = path.join(SHARED, 'charts');
const MIRROR = path.join(SHARED, 'schemas');
const CUSTOM_KINDS = [
  'argoproj.io/v1alpha1 AppProject',
  'argoproj.io/v1alpha1 Application',
  'argoproj.io/v1alpha1 ApplicationSet',
  'external-secrets.io/v1 ClusterSecretStore',
  'external-secrets.io/v1 ExternalSecret',
  'jetstream.nats.io/v1beta2 Stream',
  'longhorn.io/v1beta2 RecurringJob',
  'monitoring.coreos.com/v1 PrometheusRule',
  'monitoring.coreos.com/v1 ServiceMonitor',
];

// Clones and caches are large; everything this file makes goes under one directory, removed after.
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-schemas-test-'));
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));
const tempDir = (prefix = 'tmp-') => fs.mkdtempSync(path.join(SCRATCH, prefix));

/**
 * An empty gitplane cache (no charts, no renders) for XDG_CACHE_HOME. bin/register.js keeps its
 * transpiled modules in the same cache, so each links this runner's: a command in a fresh cache
 * would otherwise transpile every module again, which is not what these tests are about.
 */
function freshCache(): string {
  const dir = tempDir('gitplane-cache-');
  const transpiled = path.join(cacheDir(), 'transpile');
  fs.mkdirSync(transpiled, { recursive: true });
  fs.mkdirSync(path.join(dir, 'gitplane'));
  fs.symlinkSync(transpiled, path.join(dir, 'gitplane', 'transpile'));
  return dir;
}

/** A copy of the repository's tracked files in a fresh directory, node_modules linked, nothing beside it. */
const clone = () => copyOfRepository(tempDir('gitplane-clone-'));

/** Runs a command without blocking this process, which serves the chart repository meanwhile. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '' };
  delete base.GITPLANE_SCHEMA_MIRROR;
  delete base.GITPLANE_CHART_MIRROR;
  delete base.GITPLANE_CRD_DIRS;
  delete base.GITPLANE_CHART_REPOSITORY;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

const gitplane = (dir: string, args: string[], env: NodeJS.ProcessEnv) => run(process.execPath, gitplaneArgv(args, path.join(dir, 'bin', 'gitplane.js')), dir, env);

/** Serves `dir` as a Helm chart repository on a loopback port, at /charts (and at /missing without archives). */
async function serve(dir: string): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = path.join(dir, path.basename(decodeURIComponent(req.url ?? '')));
    // Under /missing/ the repository has its index but none of its archives.
    if (!fs.existsSync(file) || (req.url?.startsWith('/missing/') && file.endsWith('.tgz'))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Points every pinned chart of the clone at `url`, as a team with its own chart repository would. */
function pinRepository(dir: string, url: string): void {
  const file = path.join(dir, 'environments', 'versions.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/repoURL: \S+/g, `repoURL: ${url}`));
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  fs.writeFileSync(path.join(dir, file), change(fs.readFileSync(path.join(dir, file), 'utf8')));
}

const uncheckedLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('warning: not schema-checked')) ?? '';
const sha256 = (file: string) => `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;

describe('schemas in a clone with no ../shared beside it', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = clone();
    env = { XDG_CACHE_HOME: freshCache() };
  });

  test('npm run synth exits 0, writes every environment, and names the unchecked custom resources, chart values and the fix', async () => {
    const r = await run('npm', ['run', 'synth'], dir, env);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['dev', 'pi-edge', 'prod', 'staging']);
    const line = uncheckedLine(r.stderr);
    for (const kind of CUSTOM_KINDS) expect(line).toContain(`${kind} (`);
    expect(line).toContain('the values of chart longhorn 1.12.1 (');
    expect(line).toContain('Run "gitplane schemas pull"');
    expect(r.stderr).toContain(`the offline mirror ${path.resolve(dir, '..', 'shared', 'schemas')} (schemas.mirror in ${path.join(dir, 'gitplane.yaml')}) does not exist.`);
  });

  test('config prints a configuration with the same warning; policy without CI warns and judges', async () => {
    const config = await gitplane(dir, ['config', 'nats', '--env', 'dev'], env);
    expect(config.status).toBe(0);
    expect(config.stdout).toContain('jetstream');
    expect(uncheckedLine(config.stderr)).toContain('jetstream.nats.io/v1beta2 Stream (1)');
    const policy = await gitplane(dir, ['policy', '--env', 'dev', '--quiet'], env);
    expect(uncheckedLine(policy.stderr)).toContain('argoproj.io/v1alpha1 Application (');
    expect(policy.stdout).toContain('dev');
    expect(policy.status).toBe(0);
  });

  test('fails when validate, policy in CI or --strict, or publish meet unchecked custom resources', async () => {
    const validate = await gitplane(dir, ['validate', '--env', 'dev'], env);
    expect(validate.status).toBe(1);
    expect(validate.stderr).toMatch(/error: dev\/bootstrap\/appproject-dev\.yaml: AppProject\/argocd\/dev: argoproj\.io\/v1alpha1 AppProject was not schema-checked: no available CRD belongs to the API group argoproj\.io\. Run "gitplane schemas pull"/);
    expect(validate.stderr).toContain('error: not schema-checked (no CRD or chart defaults available): ');
    for (const args of [['--strict'], []]) {
      const policy = await gitplane(dir, ['policy', '--env', 'dev', ...args], args.length ? env : { ...env, CI: 'true' });
      expect(policy.status).toBe(1);
      expect(policy.stderr).toContain('not schema-checked');
      expect(policy.stdout).toBe('');
    }
    const repo = tempDir();
    expect(spawnSync('git', ['init', '-q', '--bare', repo]).status).toBe(0);
    const publish = await gitplane(dir, ['publish', '--repo', repo, '--env', 'dev'], env);
    expect(publish.status).toBe(1);
    expect(publish.stderr).toContain('was not schema-checked');
    expect(spawnSync('git', ['-C', repo, 'rev-parse', '--verify', '-q', 'HEAD']).status).not.toBe(0);
  });

  testWithMirrors(['schemas', 'charts'], 'with the offline mirrors (GITPLANE_SCHEMA_MIRROR, and GITPLANE_CHART_MIRROR for the chart defaults the first lacks) every custom resource and chart value is checked', async () => {
    const synth = await gitplane(dir, ['synth', '--all', '--out', tempDir()], { ...env, GITPLANE_SCHEMA_MIRROR: MIRROR, GITPLANE_CHART_MIRROR: CHARTS });
    expect(synth.status).toBe(0);
    expect(synth.stderr).not.toContain('warning');
    const validate = await gitplane(dir, ['validate', '--all', '--quiet'], { ...env, GITPLANE_SCHEMA_MIRROR: MIRROR, GITPLANE_CHART_MIRROR: CHARTS });
    expect(validate).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
  });
});

describeWithMirrors(['schemas', 'charts'], 'gitplane schemas pull from a Helm repository over loopback HTTP', () => {
  let dir: string;
  let cache: string;
  let repo: Awaited<ReturnType<typeof serve>>;
  // The failure cases share one clone (a clone costs a cold start of every module): each starts
  // from the files as cloned, and each asserts that its failed pull wrote nothing. A failure whose
  // claim is its message is made on argo-cd, the first chart pulled, so that no chart is
  // downloaded and unpacked before it; the tampered archive (longhorn, after three good ones) shows
  // that what a failed pull fetched is not locked.
  let failing: string;
  let versions: string;
  const fresh = (url: string): string => {
    fs.writeFileSync(path.join(failing, 'environments', 'versions.yaml'), versions);
    fs.rmSync(path.join(failing, 'gitplane.lock'), { force: true });
    pinRepository(failing, url);
    return failing;
  };
  beforeAll(async () => {
    dir = clone();
    failing = clone();
    versions = fs.readFileSync(path.join(failing, 'environments', 'versions.yaml'), 'utf8');
    cache = freshCache();
    repo = await serve(CHARTS);
    pinRepository(dir, repo.url);
  });
  afterAll(() => repo.close());

  test('writes the lock with each archive\'s digest and the cache; then synth checks every custom resource', async () => {
    const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^5 chart\(s\) pinned, 5 downloaded, 69 CRDs; wrote gitplane\.lock$/m);
    expect(repo.requests.filter((u) => u.endsWith('index.yaml'))).toHaveLength(1);

    const lock = parse(fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8'));
    const index = parse(fs.readFileSync(path.join(CHARTS, 'index.yaml'), 'utf8'));
    for (const [key, entry] of Object.entries<any>(lock.charts)) {
      const published = index.entries[entry.chart].find((e: any) => e.version === entry.version);
      expect(entry.digest).toBe(`sha256:${published.digest}`);
      expect(entry.digest).toBe(sha256(path.join(CHARTS, `${entry.chart}-${entry.version}.tgz`)));
      expect(entry.repoURL).toBe(repo.url);
      const cached = path.join(cache, 'gitplane', 'charts', `${entry.chart}-${entry.version}`, entry.digest.slice(7));
      for (const [file, digest] of Object.entries(entry.files)) expect(sha256(path.join(cached, file))).toBe(digest);
      // The archive itself is cached, as Helm renders it.
      expect(entry.files[`${entry.chart}-${entry.version}.tgz`]).toBe(entry.digest);
      expect(key).toBe(entry.chart);
    }
    expect(Object.keys(lock.charts.longhorn.files)).toContain('helm-values/longhorn-1.12.1.yaml');
    expect(Object.keys(lock.charts['external-secrets'].files)).toContain('helm-values/external-secrets-2.9.0.schema.json');
    expect(Object.keys(lock.charts['argo-cd'].files)).toEqual(expect.arrayContaining(['crds/applications.argoproj.io.yaml', 'crds/applicationsets.argoproj.io.yaml', 'crds/appprojects.argoproj.io.yaml']));

    const synth = await gitplane(dir, ['synth', '--all', '--out', tempDir()], { XDG_CACHE_HOME: cache });
    expect(synth.status).toBe(0);
    expect(synth.stderr).not.toContain('warning');
    expect(await gitplane(dir, ['validate', '--all', '--quiet'], { XDG_CACHE_HOME: cache })).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
  });

  test('a second pull with a matching lock and cache makes no request and leaves the lock as it was', async () => {
    const before = fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8');
    const requests = repo.requests.length;
    const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^5 chart\(s\) pinned, 0 downloaded, 69 CRDs; gitplane\.lock unchanged$/m);
    expect(repo.requests.length).toBe(requests);
    expect(fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8')).toBe(before);
  });

  test('pull --locked with a lock that locks every pin succeeds and leaves the lock as it was', async () => {
    const before = fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8');
    const r = await gitplane(dir, ['schemas', 'pull', '--locked'], { XDG_CACHE_HOME: cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^5 chart\(s\) pinned, 0 downloaded, 69 CRDs; gitplane\.lock unchanged$/m);
    expect(fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8')).toBe(before);
  });

  test('fails with exit 2 under --locked when gitplane.lock is out of date with the pins (a chart bumped, one removed), before any request, and leaves the lock', async () => {
    const clean = fresh(repo.url);
    const lockFile = path.join(clean, 'gitplane.lock');
    fs.copyFileSync(path.join(dir, 'gitplane.lock'), lockFile);
    const before = fs.readFileSync(lockFile, 'utf8');
    edit(clean, 'environments/versions.yaml', (t) => t.replace('version: 10.1.1', 'version: 10.1.2').replace(/ {2}nack:\n(?: {4}.*\n){3}/, ''));
    const requests = repo.requests.length;
    const r = await gitplane(clean, ['schemas', 'pull', '--locked'], { XDG_CACHE_HOME: freshCache() });
    expect(r).toEqual({
      status: 2,
      stdout: '',
      stderr: [
        `error: gitplane.lock locks argo-cd 10.1.1 from ${repo.url} as charts.argo-cd, but environments/versions.yaml pins argo-cd 10.1.2 from ${repo.url}.`,
        'error: gitplane.lock locks charts.nack, which environments/versions.yaml no longer pins.',
        'error: gitplane.lock is out of date with the pins, and --locked does not write it. Run "gitplane schemas pull" without --locked where you can commit, and commit gitplane.lock.',
        '',
      ].join('\n'),
    });
    expect(repo.requests.length).toBe(requests);
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(before);
  });

  test('a locked chart missing from the cache (another machine) is named in synth\'s warning with the fix', async () => {
    const synth = await gitplane(dir, ['synth', '--env', 'dev', '--out', tempDir()], { XDG_CACHE_HOME: freshCache() });
    expect(synth.status).toBe(0);
    expect(uncheckedLine(synth.stderr)).toContain('argoproj.io/v1alpha1 Application (');
    expect(synth.stderr).toContain('warning: gitplane.lock locks longhorn 1.12.1, but it is not in the cache (');
    expect(synth.stderr).toContain('). Run "gitplane schemas pull".');
  });

  test('fails with exit 2 when an archive does not match the index digest (a tampered chart), naming both digests and the fix', async () => {
    const charts = tempDir();
    for (const f of fs.readdirSync(CHARTS)) fs.copyFileSync(path.join(CHARTS, f), path.join(charts, f));
    const archive = path.join(charts, 'longhorn-1.12.1.tgz');
    const expected = sha256(archive);
    const bytes = fs.readFileSync(archive);
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(archive, bytes);
    const tampered = await serve(charts);
    const clean = fresh(tampered.url);
    const emptyCache = freshCache();
    try {
      const r = await gitplane(clean, ['schemas', 'pull'], { XDG_CACHE_HOME: emptyCache });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `error: longhorn 1.12.1: the archive ${tampered.url}/longhorn-1.12.1.tgz has the digest ${sha256(archive)}, but the index.yaml of ${tampered.url} expects ${expected}. It was changed on the server or in transit, and nothing from it was used.`,
      );
      expect(fs.existsSync(path.join(clean, 'gitplane.lock'))).toBe(false);
      expect(fs.existsSync(path.join(emptyCache, 'gitplane', 'charts', 'longhorn-1.12.1'))).toBe(false);
    } finally {
      await tampered.close();
    }
  });

  test('fails with exit 2 when the repository\'s digest differs from the lock (republished or another repository)', async () => {
    const charts = tempDir();
    for (const f of fs.readdirSync(CHARTS)) fs.copyFileSync(path.join(CHARTS, f), path.join(charts, f));
    const locked = parse(fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8')).charts['argo-cd'].digest;
    const other = 'f'.repeat(64);
    fs.writeFileSync(path.join(charts, 'index.yaml'), fs.readFileSync(path.join(charts, 'index.yaml'), 'utf8').replace(locked.slice(7), other));
    const republished = await serve(charts);
    pinRepository(dir, republished.url);
    const lockFile = path.join(dir, 'gitplane.lock');
    fs.writeFileSync(lockFile, fs.readFileSync(lockFile, 'utf8').replaceAll(repo.url, republished.url));
    const before = fs.readFileSync(lockFile, 'utf8');
    try {
      const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: freshCache() });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: argo-cd 10.1.1: the index.yaml of ${republished.url} gives the digest sha256:${other}, but gitplane.lock expects ${locked}.`);
      expect(r.stderr).toContain('delete charts.argo-cd from gitplane.lock and pull again.');
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(before);
    } finally {
      await republished.close();
    }
  });

  test.each([
    ['a pinned version is not in the repository', (d: string) => edit(d, 'environments/versions.yaml', (t) => t.replace('version: 10.1.1', 'version: 9.9.9')), (url: string) => `error: argo-cd 9.9.9: ${url}/index.yaml has no such chart version. Fix the pin in environments/versions.yaml`],
    ['a repoURL is an OCI registry', (d: string) => edit(d, 'environments/versions.yaml', (t) => t.replace(/repoURL: \S+(\n\s+chart: nack)/, 'repoURL: oci://ghcr.io/example/charts$1')), () => 'error: environments/versions.yaml: charts.nack.repoURL must be the http(s) URL of a Helm repository (found "oci://ghcr.io/example/charts").'],
    ['an archive the index lists is missing (HTTP 404)', (d: string, url: string) => pinRepository(d, url.replace(/charts$/, 'missing')), (url: string) => `error: could not download argo-cd 10.1.1 from ${url.replace(/charts$/, 'missing')}/argo-cd-10.1.1.tgz: HTTP 404.`],
    ['gitplane.lock is malformed', (d: string) => fs.writeFileSync(path.join(d, 'gitplane.lock'), 'charts:\n  nack: {repoURL: x, chart: nack, version: 0.34.0, digest: md5:1, files: {}}\n'), (_: string, d: string) => `error: ${path.join(d, 'gitplane.lock')}: charts.nack.digest must be sha256:<64 hex digits> (found "md5:1").`],
  ])('fails with exit 2 when %s', async (_, change, expected) => {
    const clean = fresh(repo.url);
    change(clean, repo.url);
    const r = await gitplane(clean, ['schemas', 'pull'], { XDG_CACHE_HOME: freshCache() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(expected(repo.url, clean));
    expect(fs.existsSync(path.join(clean, 'schemas'))).toBe(false);
  });

  test('fails with exit 2 when the repository cannot be reached, naming the URL and the offline alternative', async () => {
    const closed = await serve(CHARTS);
    await closed.close();
    const r = await gitplane(fresh(closed.url), ['schemas', 'pull'], { XDG_CACHE_HOME: freshCache() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: could not download the index of ${closed.url} from ${closed.url}/index.yaml: ECONNREFUSED. Check the repoURL`);
    expect(r.stderr).toContain('or use an offline mirror (schemas.mirror in gitplane.yaml, or GITPLANE_SCHEMA_MIRROR).');
  });

  test('fails when the repository cannot be reached from a platform repository, naming the pins\' file as installed there', async () => {
    const closed = await serve(CHARTS);
    await closed.close();
    const platform = tempDir('gitplane-platform-');
    const installed = path.join(platform, 'node_modules', 'gitplane');
    fs.mkdirSync(path.dirname(installed));
    fs.renameSync(clone(), installed);
    pinRepository(installed, closed.url);
    const r = await run(process.execPath, gitplaneArgv(['schemas', 'pull'], path.join(installed, 'bin', 'gitplane.js')), platform, { XDG_CACHE_HOME: freshCache() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`ECONNREFUSED. Check the repoURL in ${path.join('node_modules', 'gitplane', 'environments', 'versions.yaml')} and the network`);
  });
});

describeWithMirrors(['charts'], 'gitplane schemas pull through a chart mirror (--repository, GITPLANE_CHART_REPOSITORY), pins as committed', () => {
  const pins = parse(fs.readFileSync(path.join(ROOT, 'environments', 'versions.yaml'), 'utf8')).charts as Record<string, { repoURL: string }>;
  let dir: string;
  let mirror: Awaited<ReturnType<typeof serve>>;
  const lockText = () => fs.readFileSync(path.join(dir, 'gitplane.lock'), 'utf8');
  // As above: failures are made on argo-cd, pulled first, except the tampered archive (longhorn),
  // which shows that the charts pulled before it leave the lock as it was.
  /** A copy of the chart repository, changed by `change`, served until `use` settles. */
  const servedCopy = async (change: (charts: string) => void, use: (url: string) => Promise<void>) => {
    const charts = tempDir();
    for (const f of fs.readdirSync(CHARTS)) fs.copyFileSync(path.join(CHARTS, f), path.join(charts, f));
    change(charts);
    const copy = await serve(charts);
    try {
      await use(copy.url);
    } finally {
      await copy.close();
    }
  };
  beforeAll(async () => {
    dir = clone();
    mirror = await serve(CHARTS);
  });
  afterAll(() => mirror.close());

  test('downloads every pinned chart from the mirror alone, checks each archive against its index.yaml, and locks each pin\'s own repoURL', async () => {
    const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: freshCache(), GITPLANE_CHART_REPOSITORY: mirror.url });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^5 chart\(s\) pinned, 5 downloaded, 69 CRDs; wrote gitplane\.lock$/m);
    expect(mirror.requests.filter((u) => u.endsWith('index.yaml'))).toEqual(['/charts/index.yaml']);
    const lock = parse(lockText()).charts as Record<string, { repoURL: string; chart: string; version: string; digest: string }>;
    expect(Object.keys(lock).sort()).toEqual(Object.keys(pins).sort());
    for (const [key, entry] of Object.entries(lock)) {
      expect(entry.repoURL).toBe(pins[key].repoURL);
      expect(entry.digest).toBe(sha256(path.join(CHARTS, `${entry.chart}-${entry.version}.tgz`)));
    }
  });

  test('pulling again through --repository into an empty cache checks every archive against gitplane.lock and leaves it as it was', async () => {
    const before = lockText();
    const archives = mirror.requests.filter((u) => u.endsWith('.tgz')).length;
    const r = await gitplane(dir, ['schemas', 'pull', '--repository', mirror.url], { XDG_CACHE_HOME: freshCache() });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^5 chart\(s\) pinned, 5 downloaded, 69 CRDs; gitplane\.lock unchanged$/m);
    expect(mirror.requests.filter((u) => u.endsWith('.tgz')).length).toBe(archives + 5);
    expect(lockText()).toBe(before);
  });

  test('fails with exit 2 when the mirror lists a chart with another digest than gitplane.lock, naming the mirror', async () => {
    const before = lockText();
    const locked = parse(before).charts['argo-cd'].digest as string;
    const other = 'f'.repeat(64);
    await servedCopy(
      (charts) => fs.writeFileSync(path.join(charts, 'index.yaml'), fs.readFileSync(path.join(charts, 'index.yaml'), 'utf8').replace(locked.slice(7), other)),
      async (url) => {
        const r = await gitplane(dir, ['schemas', 'pull', '--repository', url], { XDG_CACHE_HOME: freshCache() });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(`error: argo-cd 10.1.1: the index.yaml of ${url} gives the digest sha256:${other}, but gitplane.lock expects ${locked}.`);
      },
    );
    expect(lockText()).toBe(before);
  });

  test('fails with exit 2 when the mirror serves an archive that does not match its index.yaml, naming both digests', async () => {
    const before = lockText();
    const expected = sha256(path.join(CHARTS, 'longhorn-1.12.1.tgz'));
    await servedCopy(
      (charts) => {
        const bytes = fs.readFileSync(path.join(charts, 'longhorn-1.12.1.tgz'));
        bytes[bytes.length - 100] ^= 0xff;
        fs.writeFileSync(path.join(charts, 'longhorn-1.12.1.tgz'), bytes);
      },
      async (url) => {
        const cache = freshCache();
        const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: cache, GITPLANE_CHART_REPOSITORY: url });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`error: longhorn 1\\.12\\.1: the archive ${url}/longhorn-1\\.12\\.1\\.tgz has the digest sha256:[0-9a-f]{64}, but the index\\.yaml of ${url} expects ${expected}\\.`));
        expect(fs.existsSync(path.join(cache, 'gitplane', 'charts', 'longhorn-1.12.1'))).toBe(false);
      },
    );
    expect(lockText()).toBe(before);
  });

  test('fails with exit 2 when the mirror does not list a pinned chart version, naming the mirror and the fix there, not the pin', async () => {
    await servedCopy(
      (charts) => fs.writeFileSync(path.join(charts, 'index.yaml'), fs.readFileSync(path.join(charts, 'index.yaml'), 'utf8').replace(/version: 10\.1\.1$/m, 'version: 10.1.0')),
      async (url) => {
        const r = await gitplane(dir, ['schemas', 'pull', '--repository', url], { XDG_CACHE_HOME: freshCache() });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(
          `error: argo-cd 10.1.1: ${url}/index.yaml has no such chart version. The repository --repository names must serve it, as a mirror or proxy of ${pins['argo-cd'].repoURL}: add the chart version there, or pull without --repository from the pin's own repoURL.`,
        );
      },
    );
  });

  test('fails with exit 2 when the mirror lacks an archive its index lists (HTTP 404), naming the URL and --repository', async () => {
    const missing = mirror.url.replace(/charts$/, 'missing');
    const r = await gitplane(dir, ['schemas', 'pull', '--repository', missing], { XDG_CACHE_HOME: freshCache() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: could not download argo-cd 10.1.1 from ${missing}/argo-cd-10.1.1.tgz: HTTP 404. Check --repository and the network`);
  });

  test('fails with exit 2 when the mirror cannot be reached, naming GITPLANE_CHART_REPOSITORY', async () => {
    const closed = await serve(CHARTS);
    await closed.close();
    const r = await gitplane(dir, ['schemas', 'pull'], { XDG_CACHE_HOME: freshCache(), GITPLANE_CHART_REPOSITORY: closed.url });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: could not download the index of ${closed.url} from ${closed.url}/index.yaml: ECONNREFUSED. Check GITPLANE_CHART_REPOSITORY and the network`);
  });

  test.each([
    ['--repository is not an http(s) URL', ['--repository', 'oci://registry.example.com/charts'], {}, '--repository must be the http(s) URL of a Helm repository, the one that serves index.yaml (found "oci://registry.example.com/charts").'],
    ['GITPLANE_CHART_REPOSITORY is not an http(s) URL', [], { GITPLANE_CHART_REPOSITORY: 'charts.example.com' }, 'GITPLANE_CHART_REPOSITORY must be the http(s) URL of a Helm repository, the one that serves index.yaml (found "charts.example.com").'],
  ])('fails with exit 2 when %s', async (_, args, env, expected) => {
    const requests = mirror.requests.length;
    const r = await gitplane(dir, ['schemas', 'pull', ...args], { XDG_CACHE_HOME: freshCache(), ...env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: ${expected}`);
    expect(mirror.requests.length).toBe(requests);
  });
});

test('fails with exit 2 when --repository is given to import, which downloads nothing', async () => {
  const r = await run(process.execPath, gitplaneArgv(['schemas', 'import', '-', '--repository', 'https://charts.example.com']), ROOT);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('error: --repository goes with "pull" only. Run "gitplane schemas --help" for usage.\n');
});

describe('gitplane schemas import', () => {
  let dir: string;
  // The configured CRDs, read once (2 s of CPU to parse): the tests only read them.
  let crds: Record<string, unknown>[];
  const env = () => ({ XDG_CACHE_HOME: freshCache() });
  beforeAll(() => {
    dir = clone();
    crds = configuredCrds();
  });

  testWithMirrors(['schemas'], 'adds the CRDs of a kubectl get crd -o yaml List to schemas/crds/; then synth checks every custom resource', async () => {
    const file = path.join(tempDir(), 'cluster-crds.yaml');
    fs.writeFileSync(file, kubectlList(crds));
    const r = await gitplane(dir, ['schemas', 'import', file], env());
    expect(r).toMatchObject({ status: 0, stdout: 'imported 70 CustomResourceDefinition(s) into schemas/crds/ (70 new, 0 replaced)\n' });
    const stored = parse(fs.readFileSync(path.join(dir, 'schemas', 'crds', 'recurringjobs.longhorn.io.yaml'), 'utf8'));
    expect(Object.keys(stored)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(stored.metadata).toEqual({ name: 'recurringjobs.longhorn.io' });

    const synth = await gitplane(dir, ['synth', '--env', 'dev', '--out', tempDir()], env());
    expect(synth.status).toBe(0);
    const line = uncheckedLine(synth.stderr);
    for (const kind of CUSTOM_KINDS) expect(line).not.toContain(kind);
    expect(line).toContain('the values of chart');
  });

  testWithMirrors(['schemas'], 'fails with exit 2, writing nothing, when an item is not a CRD, naming the file and line', async () => {
    const crd = crds.find((c) => (c.metadata as { name: string }).name === 'streams.jetstream.nats.io')!;
    const file = path.join(tempDir(), 'mixed.yaml');
    fs.writeFileSync(file, kubectlList([crd]).replace('items:\n', 'items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n'));
    const fresh = path.join(dir, 'schemas', 'crds', 'streams.jetstream.nats.io.yaml');
    const before = fs.readFileSync(fresh, 'utf8');
    const r = await gitplane(dir, ['schemas', 'import', file], env());
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${file}:3: expected a CustomResourceDefinition (found kind "ConfigMap"). Give only CRDs, as "kubectl get crd -o yaml" prints them.\n`);
    expect(fs.readFileSync(fresh, 'utf8')).toBe(before);
  });

  test.each([
    ['the file does not exist', (d: string) => path.join(d, 'missing.yaml'), /missing\.yaml: no such file\./],
    ['the file is a directory', (d: string) => d, /: not a regular file\. Give a file, or - for stdin\./],
    ['the file is not valid YAML', (d: string) => (fs.writeFileSync(path.join(d, 'bad.yaml'), 'items: [\n'), path.join(d, 'bad.yaml')), /bad\.yaml:\d+: not valid YAML/],
    ['a document\'s aliases expand past the limit', (d: string) => (fs.writeFileSync(path.join(d, 'laughs.yaml'), ALIAS_BOMB), path.join(d, 'laughs.yaml')), `laughs.yaml:1: ${ALIAS_BOMB_PROBLEM}\n`],
    ['the file holds no CRD', (d: string) => (fs.writeFileSync(path.join(d, 'empty.yaml'), 'apiVersion: v1\nkind: List\nitems: []\n'), path.join(d, 'empty.yaml')), /empty\.yaml: holds no CustomResourceDefinition\./],
    ['a CRD is misnamed', (d: string) => (fs.writeFileSync(path.join(d, 'crd.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ../../x\nspec:\n  group: example.com\n  names: {kind: W, plural: ws}\n  versions: [{name: v1}]\n'), path.join(d, 'crd.yaml')), /crd\.yaml:1: metadata\.name must be <spec\.names\.plural>\.<spec\.group>, ws\.example\.com \(found "\.\.\/\.\.\/x"\)/],
  ])('fails with exit 2 when %s', async (_, make, expected) => {
    const r = await gitplane(dir, ['schemas', 'import', make(tempDir())], env());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(expected);
  });

  test.each([
    ['has an unknown schemas setting', 'schemas:\n  mirror: ../shared/schemas\n  helmValuesDir: x\n', '3:3: schemas.helmValuesDir is not a known setting (known: crdDirs, mirror). Remove it or fix the name.'],
    ['sets schemas.mirror to a number', 'schemas:\n  mirror: 3\n', '2:11: schemas.mirror must be a directory path (found 3). Fix the value.'],
    ['sets schemas.crdDirs to a string', 'schemas:\n  crdDirs: crds\n', '2:12: schemas.crdDirs must be a list of directory paths (found "crds"). Fix the value.'],
    ['sets schemas to a string', 'schemas: crds\n', '1:10: schemas must be a map with mirror and crdDirs (found crds). Fix the section.'],
    ['has an unknown charts setting', 'charts:\n  mirrors: ../shared/charts\n', '2:3: charts.mirrors is not a known setting (known: mirror). Remove it or fix the name.'],
    ['sets charts.mirror to a list', 'charts:\n  mirror: [a]\n', '2:11: charts.mirror must be a directory path (found ["a"]). Fix the value.'],
    ['is not valid YAML', 'schemas: [\n', '2:1: the file is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]. Fix the syntax.'],
  ])('fails with exit 2 when gitplane.yaml %s, naming the line', async (_, text, expected) => {
    // The clone's own gitplane.yaml comes back after each case (a fresh clone costs a cold start).
    const file = path.join(dir, 'gitplane.yaml');
    const cloned = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text);
    try {
      const r = await gitplane(dir, ['synth', '--env', 'dev', '--out', tempDir()], env());
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`error: ${file}:${expected}\n`);
    } finally {
      fs.writeFileSync(file, cloned);
    }
  });
});
