/** The project configuration, gitplane.config.ts in the current directory, and its applications. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { PLATFORM_APPS, projectApps } from '../../stacks/platform';
import { gitplane, ROOT, tempDir } from '../support/cli';

/** A project directory whose gitplane.config.ts has this text. */
function project(config: string): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'gitplane.config.ts'), config);
  return dir;
}

const problemsOf = (dir: string): string[] => {
  try {
    projectApps(dir);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  return [];
};

const app = (fields: string) => `{ name: 'orders-api', namespace: 'orders', wave: 0, component: 'api', build: () => undefined, ${fields} }`;

test('the built-in applications come first, then the ones gitplane.config.ts registers', () => {
  const apps = projectApps(ROOT);
  expect(apps.slice(0, PLATFORM_APPS.length)).toEqual(PLATFORM_APPS);
  expect(apps.slice(PLATFORM_APPS.length).map((a) => a.name)).toEqual(['example-api']);
});

test('a directory without gitplane.config.ts has only the built-in applications', () => {
  expect(projectApps(tempDir())).toBe(PLATFORM_APPS);
});

test('fails when gitplane.config.ts throws while loading', () => {
  expect(problemsOf(project("throw new Error('no such module ./apps/orders.');\n"))).toEqual([
    expect.stringMatching(/gitplane\.config\.ts: the project configuration failed to load: no such module \.\/apps\/orders\. Fix the error in the file or in the application it imports\.$/),
  ]);
});

test('fails when gitplane.config.ts has no default export', () => {
  expect(problemsOf(project('export const apps = [];\n'))).toEqual([expect.stringMatching(/gitplane\.config\.ts: expected `export default defineConfig\(\{ apps: \[\.\.\.\] \}\)`, found no default export\. Export the configuration as the default\.$/)]);
});

test('fails when an application name is not a DNS label, is taken, or its wave is off the ladder', () => {
  const dir = project(`export default { apps: [${app("name: 'Orders_API'")}, ${app("name: 'nats'")}, ${app('wave: 5')}] };\n`);
  expect(problemsOf(dir)).toEqual([
    'gitplane.config.ts: apps[0].name must be a DNS-1123 label: lower-case letters, digits and "-" (got "Orders_API"). Rename it.',
    'gitplane.config.ts: apps[1].name "nats" is already the name of another application. Rename the application.',
    'gitplane.config.ts: apps[2].wave must be a wave of the ladder (Wave.Preflight = -30, Wave.Foundation = -20, Wave.Secrets = -15, Wave.Operators = -10, Wave.Services = 0, Wave.CustomResources = 10, Wave.Jobs = 20) (got 5). Use one of them.',
  ]);
});

test('fails when an application\'s owner is not a team name usable as a label value', () => {
  const dir = project(`export default { apps: [${app("owner: 'Shop Team'")}] };\n`);
  expect(problemsOf(dir)).toEqual([
    'gitplane.config.ts: apps[0].owner must be a team name usable as a label value: up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (got "Shop Team"). Rename it.',
  ]);
});

test('fails when an entry is not a descriptor', () => {
  expect(problemsOf(project("export default { apps: ['orders-api'] };\n"))).toEqual([
    'gitplane.config.ts: apps[0] is not an application descriptor (found "orders-api"). Register the descriptor an apps/<name>/index.ts exports.',
  ]);
});

describe('the CLI reads gitplane.config.ts from the current directory', () => {
  const dev = path.join(ROOT, 'environments', 'dev.yaml');

  test('a project that registers example-api synthesizes it', () => {
    const dir = project(`import { defineConfig } from ${JSON.stringify(path.join(ROOT, 'index'))};\nimport { exampleApi } from ${JSON.stringify(path.join(ROOT, 'apps', 'example-api'))};\nexport default defineConfig({ apps: [exampleApi] });\n`);
    const out = path.join(dir, 'out');
    const r = gitplane(['synth', '-f', dev, '--out', out], { cwd: dir });
    expect(r.stderr).toContain('synth dev:');
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(out, 'dev', 'apps', 'example-api', 'deployment-example-api.yaml'))).toBe(true);
  });

  test('fails when the current directory registers no example-api: exit 2 naming the entry', () => {
    const r = gitplane(['synth', '-f', dev, '--out', path.join(tempDir(), 'out')], { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/dev\.yaml:\d+:\d+: apps\.example-api is not an application of this project \(found key "example-api"\)\. Applications registered in gitplane\.config\.ts: none\. Register it there, or remove the entry\./);
  });

  test('fails when gitplane.config.ts is broken: exit 2 naming the file', () => {
    const r = gitplane(['synth', '-f', dev, '--out', path.join(tempDir(), 'out')], { cwd: project('export default 42;\n') });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('gitplane.config.ts: expected `export default defineConfig({ apps: [...] })`, found another value. Export the configuration as the default.');
  });
});
