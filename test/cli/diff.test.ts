import * as path from 'node:path';
import { gitplane, tempDir } from '../support/cli';

describe('gitplane diff --against', () => {
  test('fails when the directory does not exist: exit 2 naming it, instead of showing everything as added', () => {
    const missing = path.join(tempDir(), 'nonexistent');
    const r = gitplane(['diff', '--env', 'dev', '--against', missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--against ${missing}: no such directory. Give a checkout of the Argo CD repository or the --out directory of an earlier gitplane synth.`);
    expect(r.stdout).toBe('');
  });

  test('an environment missing under an existing directory shows as added', () => {
    const r = gitplane(['diff', '--env', 'dev', '--against', tempDir()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dev:\n {2}\S+:\n {4}\+ /);
  });
});

describe('gitplane diff --rendered', () => {
  test('fails when the directory does not exist: exit 2 naming it', () => {
    const missing = path.join(tempDir(), 'nonexistent');
    const r = gitplane(['diff', '--env', 'dev', '--against', tempDir(), '--rendered', missing]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--rendered ${missing}: no such directory. Give the --out directory of an earlier gitplane synth.`);
  });

  test('fails when the environment was not rendered there, instead of showing everything as removed', () => {
    const dir = tempDir();
    const r = gitplane(['diff', '--env', 'dev', '--against', tempDir(), '--rendered', dir]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--rendered ${dir}: no environment dev in it (${path.join(dir, 'dev')} is missing or empty). Synthesize it there first: gitplane synth --env dev --out ${dir}.`);
  });
});
