/** `gitplane init`: the scaffold of a platform repository, and every way it refuses a directory. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitplane, readTree, ROOT, tempDir } from '../support/cli';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('scaffolds a platform repository whose application and configuration import only the public module', () => {
  const dir = path.join(tempDir(), 'Orders Platform');
  const r = gitplane(['init', dir]);
  expect(r.stderr).toBe('wrote 12 files into ' + dir + '\n');
  expect(r.status).toBe(0);
  // Made beside its place and renamed into it whole: nothing of the making is left beside it.
  expect(fs.readdirSync(path.dirname(dir))).toEqual(['Orders Platform']);
  expect(r.stdout).toBe(`Next: cd ${dir} && npm install && npx gitplane synth\n`);
  const files = readTree(dir);
  expect(Object.keys(files).sort()).toEqual([
    '.github/workflows/gitplane.yml',
    '.gitignore',
    'Pulumi.dev.yaml',
    'Pulumi.yaml',
    'README.md',
    'apps/example-api/index.ts',
    'environments/dev.yaml',
    'gitplane.config.ts',
    'gitplane.yaml',
    'package.json',
    'renovate.json',
    'tsconfig.json',
  ]);
  const manifest = JSON.parse(files['package.json']);
  expect(manifest.name).toBe('orders-platform');
  expect(manifest.dependencies).toEqual({ gitplane: `^${VERSION}` });
  // The example is this repository's, importing gitplane by name instead of by path.
  const example = fs.readFileSync(path.join(ROOT, 'apps', 'example-api', 'index.ts'), 'utf8');
  expect(files['apps/example-api/index.ts']).toBe(example.replace("from '../../index';", "from 'gitplane';"));
  expect(files['gitplane.config.ts']).toContain("import { defineConfig } from 'gitplane';\nimport { exampleApi } from './apps/example-api';");
  expect(files['environments/dev.yaml'].split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/gitplane/environments/environment.schema.json');
  expect(files['Pulumi.yaml']).toContain('main: node_modules/gitplane/bin/pulumi.js');
  expect(files['.github/workflows/gitplane.yml']).toContain('npx gitplane policy --all');
});

test('--dependency sets how package.json depends on gitplane', () => {
  const dir = tempDir();
  expect(gitplane(['init', dir, '--dependency', 'file:../gitplane-0.1.0.tgz', '--quiet']).status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies).toEqual({ gitplane: 'file:../gitplane-0.1.0.tgz' });
});

test('--force writes into a directory that is not empty, replacing only files of the same name', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'README.md'), 'old\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'kept\n');
  expect(gitplane(['init', '--force', dir]).status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^# Platform\n/);
  expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('kept\n');
});

test('--help describes the command', () => {
  const r = gitplane(['init', '--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: gitplane init \[DIR\] \[--force\] \[--dependency SPEC\]/);
});

describe('fails with exit 2 and writes nothing', () => {
  test('fails when the directory is not empty', () => {
    const dir = tempDir();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) fs.writeFileSync(path.join(dir, name), '');
    const r = gitplane(['init', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${dir}: the directory is not empty (it holds a, b, c, d, e, and 2 more). Give a new or empty directory, or --force to write the scaffold into it (files of the same name are replaced).\n`);
    expect(fs.readdirSync(dir)).toHaveLength(7);
  });

  test('fails when the current directory is not empty and no DIR is given', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
    const r = gitplane(['init'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: .: the directory is not empty (it holds package.json).');
  });

  test('fails when DIR is a file', () => {
    const file = path.join(tempDir(), 'platform');
    fs.writeFileSync(file, '');
    const r = gitplane(['init', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${file}: is not a directory. Give a new or empty directory to scaffold into.\n`);
  });

  test('fails when DIR is under a file: exit 2 naming the file, where it crashed', () => {
    const file = path.join(tempDir(), 'platform');
    fs.writeFileSync(file, '');
    const r = gitplane(['init', path.join(file, 'sub')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${path.join(file, 'sub')}: ${file} is not a directory, so no directory can be made under it. Give a new or empty directory to scaffold into.\n`);
  });

  test('fails when DIR is on a kernel filesystem (/proc): exit 2 at once, where it never ended', () => {
    const r = gitplane(['init', '/proc/gitplane-test-platform']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: /proc/gitplane-test-platform: /proc is on the proc filesystem, which holds kernel state, not files. Give a new or empty directory to scaffold into.\n');
  });

  test('fails when two directories are given', () => {
    const r = gitplane(['init', 'one', 'two'], { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: init takes one directory (got 2: one two). Run "gitplane init --help" for usage.\n');
  });

  test('fails when --dependency is empty', () => {
    const dir = path.join(tempDir(), 'platform');
    const r = gitplane(['init', dir, '--dependency', '']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--dependency must be an npm dependency spec (got an empty string)');
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('fails when an option is unknown', () => {
    const r = gitplane(['init', '--yes'], { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Run "gitplane init --help" for usage.');
  });
});
