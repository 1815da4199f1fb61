/**
 * `gitplane --help` and `gitplane <command> --help` load each command's metadata, never its
 * implementation or any package: help stays cheap however large the platform code grows.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../cli/main';
import { BIN, ROOT, tempDir } from '../support/cli';

/** Runs gitplane and returns, besides its output, every module file the process loaded. */
function gitplaneLoading(args: string[]) {
  const preload = path.join(tempDir(), 'loaded.js');
  const report = path.join(path.dirname(preload), 'loaded.json');
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const r = spawnSync(process.execPath, ['-r', preload, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const loaded = (JSON.parse(fs.readFileSync(report, 'utf8')) as string[]).map((f) => path.relative(ROOT, f));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

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

test('fails when the command is unknown: exit 2, the commands named, no dependency loaded', () => {
  const r = gitplaneLoading(['synthesize']);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`error: unknown command "synthesize". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run "gitplane --help".\n`);
  expect(dependencies(r.loaded)).toEqual([]);
});
