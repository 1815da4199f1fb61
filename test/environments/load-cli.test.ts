/** The loader's refusals as users meet them: through the real `gitplane` process. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitplane, ROOT, tempDir } from '../support/cli';

const DEV = fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8');

function environmentFile(text: string): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'qa.yaml');
  fs.writeFileSync(file, text);
  return { dir, file };
}

describe.each(['synth', 'validate', 'policy'])('gitplane %s', (command) => {
  test('fails when gitops.path leaves the repository, naming the file given, line and field, and writes nothing', () => {
    const { dir, file } = environmentFile(DEV.replace('  branch: main\n', '  branch: main\n  path: ../../canary\n'));
    const out = path.join(dir, 'out');
    const r = gitplane([command, '--file', file, ...(command === 'synth' ? ['--out', out] : [])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:16:9: gitops\\.path must be a folder in the repository .*\\(got string "\\.\\./\\.\\./canary"\\)\\. It must stay inside the repository`));
    expect(r.stdout).toBe('');
    expect(fs.existsSync(out)).toBe(false);
  });
});

test('fails when a check made while building fails, naming the file given rather than environments/<name>.yaml', () => {
  const { dir, file } = environmentFile(DEV.replace('components:\n', 'components:\n  observability:\n    collector: { gatewayReplicas: 2 }\n'));
  const r = gitplane(['synth', '--file', file, '--out', path.join(dir, 'out')]);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`error: ${file}: components.observability.collector.gatewayReplicas must be 1 (got 2). The gateway tail-samples traces, which needs every span of a trace on one replica; scale it up (memory) instead.\n`);
});

test('fails when a construct refuses what the loader let through, as an input error naming the file and the .ts line that raised it, no stack trace', () => {
  // A platform application that feeds a real construct a value it refuses, run as the CLI runs.
  const script = `
    require('./bin/register');
    const { parseEnvironment } = require('./stacks/environment');
    const { synthEnvironment } = require('./stacks/synth');
    const { NodePreflight } = require('./constructs/node/preflight');
    const spec = parseEnvironment(require('fs').readFileSync('environments/dev.yaml', 'utf8'), 'qa.yaml');
    const app = { name: 'broken', namespace: 'broken', wave: 0, component: 'test', enabled: () => true,
      build: (chart) => new NodePreflight(chart, 'preflight', { app: { name: 'x', instance: 'x', component: 'x' }, script: 'true', architectures: [], image: 'x:1' }) };
    try { synthEnvironment(spec, [app]); } catch (e) { process.stdout.write(e.name + '\\n' + e.message); }
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  const source = fs.readFileSync(path.join(ROOT, 'constructs', 'node', 'preflight', 'node-preflight.ts'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes('architectures is empty')) + 1;
  expect(line).toBeGreaterThan(0);
  expect(r.stdout).toBe(
    `InputError\nqa.yaml: the environment cannot be built: NodePreflight: architectures is empty, so no node would be checked. Name at least one, e.g. arm64. gitplane raised this at constructs/node/preflight/node-preflight.ts:${line} after the file passed its checks; change the field the message names, and report the missing check to gitplane.`,
  );
});

describe('a directory without environment files', () => {
  const message = 'error: --all selects the environment files in environments/, and there are none. Add one there as <name>.yaml ("gitplane init" scaffolds a repository with environments/dev.yaml), or give a file with --file PATH.\n';
  test.each(['synth', 'validate', 'policy'])('%s --all fails with exit 2 saying where environments are read from, whether environments/ is missing or empty', (command) => {
    const cwd = tempDir();
    expect(gitplane([command, '--all'], { cwd })).toMatchObject({ status: 2, stdout: '', stderr: message });
    fs.mkdirSync(path.join(cwd, 'environments'));
    expect(gitplane([command, '--all'], { cwd })).toMatchObject({ status: 2, stdout: '', stderr: message });
  });
  test('policy --file judges the file given, with no environments/ to take fleet peers from', () => {
    // The repository's example application is not registered here: the file names none.
    const { dir, file } = environmentFile(DEV.replace('apps:\n  example-api:\n    replicas: 2\n', ''));
    // Outside CI: where no offline mirror is at hand, the charts are not rendered, which CI refuses.
    const r = gitplane(['policy', '--file', file], { cwd: dir, env: { CI: '' } });
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^dev: 0 mandatory, \d+ advisory finding\(s\)/m)]);
  });
});
