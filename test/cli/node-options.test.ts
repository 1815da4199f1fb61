/**
 * Environment files come from pull requests: no argument may make Node.js load one as its own
 * configuration (Node 20 reads --env-file even after the script, nodejs/node#54232).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitplane, tempDir } from '../support/cli';

/** A file that runs code when Node loads it as an env file: it creates `marker`. */
function hostileFile(dir: string): { file: string; marker: string } {
  const marker = path.join(dir, 'ran');
  const code = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x")`;
  const file = path.join(dir, 'qa.yaml');
  fs.writeFileSync(file, `NODE_OPTIONS=--require=${path.join(dir, 'payload.js')}\n`);
  fs.writeFileSync(path.join(dir, 'payload.js'), `${code};\n`);
  return { file, marker };
}

describe.each(['synth', 'validate', 'policy'])('gitplane %s', (command) => {
  test('reads --file FILE as an environment file and never lets Node load it', () => {
    const dir = tempDir();
    const { file, marker } = hostileFile(dir);
    const r = gitplane([command, '--file', file, ...(command === 'synth' ? ['--out', path.join(dir, 'out')] : [])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('qa.yaml: expected a mapping of environment fields');
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('-f is the short form of --file', () => {
    const dir = tempDir();
    const { file } = hostileFile(dir);
    const r = gitplane([command, '-f', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('qa.yaml: expected a mapping of environment fields');
  });

  test('fails when given --env-file, which Node.js owns, with exit 2 and the option to use', () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain.yaml');
    fs.writeFileSync(file, 'GITPLANE_HARMLESS=1\n');
    for (const args of [['--env-file', file], [`--env-file=${file}`]]) {
      const r = gitplane([command, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('gitplane has no --env-file option');
      expect(r.stderr).toContain('--file FILE');
    }
  });
});

test('policy -f is --file, not --format: one short flag, one meaning in every command', () => {
  const dir = tempDir();
  const { file } = hostileFile(dir);
  const r = gitplane(['policy', '-f', file, '--format', 'json']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('qa.yaml: expected a mapping of environment fields');
});
