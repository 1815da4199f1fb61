/**
 * `gitplane --help` and `gitplane <command> --help` load each command's metadata, never its
 * implementation or any package: help stays cheap however large the platform code grows.
 * `validate --dir` and `policy --dir` read manifests and load no construct code: the applications'
 * CRD groups come from their data (stacks/apps/catalog.ts, and the project's gitplane.config.ts,
 * whose constructs the package index loads on first use). A command given an environment file
 * that does not load fails before it loads construct code.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../cli/main';
import { BIN, ROOT, tempDir } from '../support/cli';
import { withoutMirrorWarnings } from '../support/mirrors';

/** Runs gitplane and returns, besides its output, every module file the process loaded. */
function gitplaneLoading(args: string[], env: NodeJS.ProcessEnv = {}) {
  const preload = path.join(tempDir(), 'loaded.js');
  const report = path.join(path.dirname(preload), 'loaded.json');
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const r = spawnSync(process.execPath, ['-r', preload, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  const loaded = (JSON.parse(fs.readFileSync(report, 'utf8')) as string[]).map((f) => path.relative(ROOT, f));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

// A cold transpile cache (a fresh machine) loads TypeScript to transpile the modules help reads;
// what is measured here is a start with them transpiled.
beforeAll(() => {
  expect(spawnSync(process.execPath, [BIN, '--help']).status).toBe(0);
});

/** The packages a process loaded: a help text needs none (cdk8s, ajv, yaml, typebox, TypeScript...). */
function dependencies(loaded: string[]): string[] {
  return loaded.filter((f) => f.includes('node_modules'));
}

test('gitplane --help lists every command, exits 0 and loads no dependency', () => {
  const r = gitplaneLoading(['--help']);
  expect(r.status).toBe(0);
  for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name.padEnd(10)} ${c.summary}\n`);
  expect(dependencies(r.loaded)).toEqual([]);
});

test.each(COMMANDS.map((c) => [c.name, c] as const))('gitplane %s --help prints its help, exits 0 and loads no dependency', (name, command) => {
  const r = gitplaneLoading([name, '--help']);
  expect(r).toMatchObject({ status: 0, stdout: `${command.help}\n`, stderr: '' });
  expect(dependencies(r.loaded)).toEqual([]);
});

test('gitplane --version prints the version of the package it runs from, exits 0 and loads no dependency', () => {
  const r = gitplaneLoading(['--version']);
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(r).toMatchObject({ status: 0, stdout: `gitplane ${own.version}\n`, stderr: '' });
  expect(dependencies(r.loaded)).toEqual([]);
});

test('fails when the command is unknown: exit 2, the commands named, no dependency loaded', () => {
  const r = gitplaneLoading(['synthesize']);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`error: unknown command "synthesize". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run "gitplane --help".\n`);
  expect(dependencies(r.loaded)).toEqual([]);
});

/** What builds objects rather than reads them: cdk8s, its generated imports, the descriptors' modules. */
function constructCode(loaded: string[]): string[] {
  return loaded.filter((f) => /node_modules\/cdk8s|^imports\/|^stacks\/(platform|synth|pipeline|bootstrap)\.ts$|^stacks\/apps\/(?!catalog\.ts$)|^constructs\/(core\/(?!labels|order)|workloads|secrets|gitops\/argocd\/(?!project-clusters))/.test(f));
}

/** A directory of manifests: a namespace and, with `monitor`, a ServiceMonitor, whose CRD owner the policy rules look up. */
function manifests(monitor: boolean): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'apps', 'example-api'), { recursive: true });
  const objects = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: example-api}\n'];
  if (monitor) objects.push('apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: example-api, namespace: example-api}\nspec: {selector: {matchLabels: {app.kubernetes.io/name: example-api}}, endpoints: [{port: http}]}\n');
  fs.writeFileSync(path.join(dir, 'apps', 'example-api', 'objects.yaml'), objects.join('---\n'));
  return dir;
}

test('gitplane validate --dir loads no construct code', () => {
  const r = gitplaneLoading(['validate', '--dir', manifests(false), '--quiet']);
  expect(r).toMatchObject({ status: 0, stdout: 'all objects valid\n', stderr: '' });
  expect(constructCode(r.loaded)).toEqual([]);
});

test('gitplane policy --dir loads no construct code and knows every application\'s CRD groups from their data', () => {
  const r = gitplaneLoading(['policy', '--dir', manifests(true), '--quiet']);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('[crd-before-custom-resource] ServiceMonitor needs the CRDs of monitoring.coreos.com, which application observability-prometheus installs');
  expect(constructCode(r.loaded)).toEqual([]);
  // The project's own applications are read too (their CRD groups), without their constructs.
  expect(r.loaded).toEqual(expect.arrayContaining(['gitplane.config.ts', 'apps/example-api/index.ts', 'stacks/apps/catalog.ts']));
});

test.each([['synth'], ['validate'], ['policy'], ['publish', '--repo', 'unused']])('gitplane %s with an environment file that does not load fails with exit 2 before loading construct code', (...command) => {
  const file = path.join(tempDir(), 'edge.yaml');
  fs.writeFileSync(file, 'name: edge\ntier: dev\n');
  const r = gitplaneLoading([...command, '--file', file]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`error: ${file}:1:1: cluster is required (found nothing). Add it.`);
  expect(constructCode(r.loaded)).toEqual([]);
});

test.each([['config', '--list'], ['diff', '--base', 'HEAD']])('gitplane %s with an unknown environment fails with exit 2 before loading construct code', (...command) => {
  const r = gitplaneLoading([...command, '--env', 'nosuch']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('no environment named "nosuch"');
  expect(constructCode(r.loaded)).toEqual([]);
});

test('the construct code check sees cdk8s and the descriptors when a command builds', () => {
  const r = gitplaneLoading(['config', '--list', '--env', 'dev']);
  expect(r.status).toBe(0);
  expect(constructCode(r.loaded)).toEqual(expect.arrayContaining(['stacks/platform.ts', 'stacks/apps/longhorn.ts', expect.stringMatching(/node_modules\/cdk8s\//)]));
  // cdk8s bundles its own yaml, the release gitplane uses: the process loads one copy.
  expect(r.loaded.filter((f) => /node_modules\/cdk8s\/node_modules\/yaml\//.test(f))).toEqual([]);
  expect(r.loaded).toContain(path.relative(ROOT, require.resolve('yaml')));
});

test('a package bundled inside another resolves to gitplane\'s own copy when it is the same release, and stays bundled when it is another', () => {
  const project = tempDir();
  const bundling = (name: string, version: string) => {
    const bundled = path.join(project, 'node_modules', name, 'node_modules', 'yaml');
    fs.mkdirSync(bundled, { recursive: true });
    fs.writeFileSync(path.join(bundled, 'package.json'), JSON.stringify({ name: 'yaml', version, main: 'index.js' }));
    fs.writeFileSync(path.join(bundled, 'index.js'), 'module.exports = "gitplane-test-fake yaml";\n');
    fs.writeFileSync(path.join(project, 'node_modules', name, 'index.js'), "module.exports = require.resolve('yaml');\n");
    return path.join(project, 'node_modules', name);
  };
  const ownYaml = require.resolve('yaml');
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'yaml', 'package.json'), 'utf8')) as { version: string };
  const same = bundling('same-release', version);
  const other = bundling('other-release', '0.0.1-gitplane-test-fake');
  const script = `console.log(JSON.stringify([require(${JSON.stringify(same)}), require(${JSON.stringify(other)})]))`;
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual([ownYaml, path.join(other, 'node_modules', 'yaml', 'index.js')]);
});

test('a command that reads an environment file loads its compiled schema from the cache: a second run loads no ajv compiler', () => {
  const compiler = (loaded: string[]) => loaded.filter((f) => /node_modules\/ajv\/dist\/(ajv|core|compile\/)/.test(f));
  const [first, second] = [gitplaneLoading(['config', '--list', '--env', 'dev']), gitplaneLoading(['config', '--list', '--env', 'dev'])];
  expect([first.status, second.status]).toEqual([0, 0]);
  expect(second.stdout).toBe(first.stdout);
  expect(second.loaded).toEqual(expect.arrayContaining([expect.stringMatching(/node_modules\/ajv\/dist\/runtime\//)]));
  expect(compiler(second.loaded)).toEqual([]);
});

test('the package index loads a construct when it is first read, and only then', () => {
  const script = [
    `const gitplane = require(${JSON.stringify(path.join(ROOT, 'index'))});`,
    "const cdk8s = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/cdk8s/'));",
    "const before = cdk8s();",
    'const kind = typeof gitplane.HttpService;',
    "console.log(JSON.stringify({ before, kind, after: cdk8s(), names: Object.keys(gitplane).filter((k) => ['IngressPolicy', 'HttpService', 'ServiceMonitor', 'ExternalSecret'].includes(k)) }));",
  ].join('\n');
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ before: false, kind: 'function', after: true, names: ['IngressPolicy', 'HttpService', 'ServiceMonitor', 'ExternalSecret'] });
});

test('no source map is read as modules load; a stack trace shows TypeScript frames at their .ts line and column, transpiled afresh or from the cache, and package frames as shipped', () => {
  const packageFile = require.resolve('cdk8s/lib/duration');
  expect(fs.readFileSync(packageFile, 'utf8')).toContain('//# sourceMappingURL=');
  const throwing = path.join(tempDir(), 'throwing.ts');
  // Unique content, so that the first run transpiles it and the second reads it from the cache.
  fs.writeFileSync(throwing, `interface Shape {\n  size: number;\n}\n\nexport function fail(s: Shape): never {\n  throw new Error(\`size \${s.size} ${Date.now()}-${Math.random()}\`);\n}\n\nexport function parse(duration: { parse(text: string): unknown }): unknown {\n  return duration.parse('gitplane-test-fake');\n}\n`);
  const script = [
    "const { findSourceMap } = require('node:module');",
    `const { Duration } = require(${JSON.stringify(packageFile)});`,
    `require(${JSON.stringify(path.join(ROOT, 'stacks', 'errors'))});`,
    `const module = require(${JSON.stringify(throwing)});`,
    'const frames = (f) => { try { f(); } catch (e) { return e.stack.split("\\n").slice(1, 3).map((l) => l.trim()); } };',
    'const fail = frames(() => module.fail({ size: 1 }));',
    'const viaPackage = frames(() => module.parse(Duration));',
    `console.log(JSON.stringify({ maps: [findSourceMap(${JSON.stringify(packageFile)}), findSourceMap(${JSON.stringify(path.join(ROOT, 'stacks', 'errors.ts'))}), findSourceMap(${JSON.stringify(throwing)})].filter(Boolean).length, fail, viaPackage }));`,
  ].join('\n');
  const run = () => spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  for (const r of [run(), run()]) {
    expect(r.stderr).toBe('');
    const { maps, fail, viaPackage } = JSON.parse(r.stdout) as { maps: number; fail: string[]; viaPackage: string[] };
    expect(maps).toBe(0);
    expect(fail[0]).toBe(`at Object.fail (${throwing}:6:9)`);
    expect(viaPackage[0]).toMatch(new RegExp(`^at .*\\(${packageFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+\\)$`));
    expect(viaPackage[1]).toBe(`at Object.parse (${throwing}:10:19)`);
  }
});

test('fails when gitplane itself breaks: exit 70, a bug in gitplane, and the stack trace, whose frames name the .ts lines', () => {
  const breaking = path.join(tempDir(), 'breaking.js');
  fs.writeFileSync(breaking, "process.stdout.write = () => { throw new Error('gitplane-test-fake breakage'); };\n");
  const r = spawnSync(process.execPath, ['-r', breaking, BIN, 'config', '--list', '--env', 'dev'], { cwd: ROOT, encoding: 'utf8' });
  const line = (file: string, text: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  expect(r.status).toBe(70);
  // A checkout without the offline mirrors warns first that custom resources go unchecked.
  expect(withoutMirrorWarnings(r.stderr).split('\n').slice(0, 4)).toEqual([
    'error: gitplane crashed; this is a bug in gitplane. Report it with the stack trace below.',
    'Error: gitplane-test-fake breakage',
    `    at process.stdout.write (${breaking}:1:38)`,
    expect.stringMatching(new RegExp(`^    at Object\\.out \\(${path.join(ROOT, 'cli', 'io.ts')}:${line('cli/io.ts', 'process.stdout.write(')}:\\d+\\)$`)),
  ]);
});

test('a TypeScript file transpiled in one checkout loads in another copy of it without TypeScript', () => {
  // Unique content, so that no earlier run has this file in the cache.
  const source = `const marker: string = ${JSON.stringify(`gitplane-test-${Date.now()}-${Math.random()}`)};\nexport default marker;\n`;
  const load = (preloads: string[]) => {
    const file = path.join(tempDir(), 'checkout', 'module.ts');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, source);
    const args = [...preloads.flatMap((p) => ['-r', p]), '-e', `console.log(require(${JSON.stringify(file)}).default)`];
    return spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  };
  const first = load([]);
  expect(first.stderr).toBe('');
  const noTypeScript = path.join(tempDir(), 'no-typescript.js');
  fs.writeFileSync(
    noTypeScript,
    "const Module = require('node:module');\nconst load = Module._load;\nModule._load = function (request, ...rest) {\n  if (request === 'typescript') throw new Error('transpiled again');\n  return load.call(this, request, ...rest);\n};\n",
  );
  const second = load([noTypeScript]);
  expect({ stdout: second.stdout, stderr: second.stderr }).toEqual({ stdout: first.stdout, stderr: '' });
});

test('transpiling the module that prunes the cache first, with an empty cache, prints no warning and caches it', () => {
  const cache = tempDir();
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', "require('./stacks/content-cache')"], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(fs.readdirSync(path.join(cache, 'gitplane', 'transpile')).length).toBeGreaterThan(0);
});

test('a transpiled module read is marked used only when last marked a day ago or more; an entry another gitplane version names as its own (<key>.js) is kept while in use', () => {
  const cache = tempDir();
  const transpiled = path.join(cache, 'gitplane', 'transpile');
  const file = path.join(tempDir(), 'marked.ts');
  fs.writeFileSync(file, `export const name: string = ${JSON.stringify(`marked-gitplane-test-${Date.now()}-${Math.random()}`)};\n`);
  const load = (files: string[]) => {
    const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', files.map((f) => `require(${JSON.stringify(f)});`).join('')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
    expect(r.stderr).toBe('');
  };
  load([file]);
  const entries = fs.readdirSync(transpiled);
  expect(entries.every((e) => /^[0-9a-f]{40}\.json$/.test(e))).toBe(true);
  const entry = path.join(transpiled, entries.find((e) => fs.readFileSync(path.join(transpiled, e), 'utf8').includes('marked-gitplane-test'))!);
  const mtime = () => fs.statSync(entry).mtimeMs;
  const hoursAgo = new Date(Date.now() - 20 * 3_600_000);
  fs.utimesSync(entry, hoursAgo, hoursAgo);
  const marked = mtime();
  load([file]);
  expect(mtime()).toBe(marked);
  const daysAgo = new Date(Date.now() - 2 * 86_400_000);
  fs.utimesSync(entry, daysAgo, daysAgo);
  const before = Date.now();
  load([file]);
  expect(mtime()).toBeGreaterThanOrEqual(before - 1000);
  // An entry as earlier releases named it, written by one that shares the cache: the next write
  // prunes only what is unused for two weeks, so the two versions do not remove each other's entries.
  const theirs = `${path.basename(entry, '.json')}.js`;
  fs.writeFileSync(path.join(transpiled, theirs), 'module.exports = 1;');
  const other = path.join(tempDir(), 'other.ts');
  fs.writeFileSync(other, `export const name: string = ${JSON.stringify(`other-gitplane-test-${Date.now()}-${Math.random()}`)};\n`);
  load([other]);
  expect(fs.readdirSync(transpiled).filter((e) => !e.endsWith('.json'))).toEqual([theirs]);
});

test('transpiled modules are kept in the user\'s cache, and those unused for two weeks go when it next writes', () => {
  const cache = tempDir();
  const transpiled = path.join(cache, 'gitplane', 'transpile');
  const modules = ['used', 'new'].map((name) => {
    const file = path.join(tempDir(), `${name}.ts`);
    fs.writeFileSync(file, `export const name: string = ${JSON.stringify(`${name}-gitplane-test-${Date.now()}-${Math.random()}`)};\n`);
    return file;
  });
  const load = (files: string[]) => {
    const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'register.js'), '-e', files.map((f) => `require(${JSON.stringify(f)});`).join('')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
    expect(r.stderr).toBe('');
  };
  load([modules[0]]);
  const [used] = fs.readdirSync(transpiled);
  const weeksAgo = new Date(Date.now() - 15 * 86_400_000);
  fs.writeFileSync(path.join(transpiled, 'stale.js'), '');
  for (const file of [used, 'stale.js']) fs.utimesSync(path.join(transpiled, file), weeksAgo, weeksAgo);
  // Reading the used module marks it used; transpiling the new one prunes.
  load(modules);
  const after = fs.readdirSync(transpiled);
  expect(after).toContain(used);
  expect(after).not.toContain('stale.js');
  // The used module, the new one, and stacks/content-cache, which prunes, with the one module it loads.
  expect(after).toHaveLength(4);
});
