/**
 * Environment files come from pull requests: whatever their size, kind or encoding, loading one
 * ends quickly in a spec or in exit 2 naming the file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { loadEnvironmentFile, MAX_ENVIRONMENT_BYTES, MAX_PROBLEMS, parseEnvironment } from '../../stacks/environment';
import { gitplaneArgv, ROOT, tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';

const DEV = fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8');

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected the environment to be rejected');
}

/** CPU time of this process, in seconds, that `run` takes. */
function cpuSeconds(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/**
 * The problems of the environment text `text(n)`, after checking that finding them grows linearly
 * with n: the whole input may take at most 8 times the CPU time of a quarter of it (a linear check
 * takes 4 times, a quadratic one 16). A ratio of two sizes holds on a slow machine as on a fast
 * one, and CPU time, unlike wall time, does not grow with the load other processes put on it.
 */
function problemsInLinearTime(text: (n: number) => string, n: number): string[] {
  const [quarter, whole] = [text(n / 4), text(n)];
  // Unmeasured: the first run also compiles (the schema, V8's optimized code).
  problems(() => parseEnvironment(quarter, 'qa.yaml'));
  const small = cpuSeconds(() => problems(() => parseEnvironment(quarter, 'qa.yaml')));
  let found: string[] = [];
  const large = cpuSeconds(() => (found = problems(() => parseEnvironment(whole, 'qa.yaml'))));
  expect(large / small).toBeLessThan(8);
  return found;
}

/** `gitplane validate --file file`, killed after HUNG_MS so a hang fails the test instead of the run. */
function validate(file: string) {
  const r = spawnSync(process.execPath, gitplaneArgv(['validate', '--quiet', '--file', file]), { cwd: ROOT, encoding: 'utf8', timeout: HUNG_MS, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('what is read', () => {
  test('fails when the file is a named pipe, without waiting for a writer', () => {
    const fifo = path.join(tempDir(), 'qa.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(validate(fifo)).toEqual({ status: 2, stdout: '', stderr: `error: ${fifo}: must be a regular file (found a named pipe). Give the path of an environment YAML file.\n` });
  });

  test('fails when the file is a device, without reading it', () => {
    expect(validate('/dev/zero')).toEqual({ status: 2, stdout: '', stderr: 'error: /dev/zero: must be a regular file (found a device). Give the path of an environment YAML file.\n' });
  });

  test('fails when the file is a directory', () => {
    const dir = tempDir();
    expect(problems(() => loadEnvironmentFile(dir))).toEqual([`${dir}: must be a regular file (found a directory). Give the path of an environment YAML file.`]);
  });

  test('fails when the file is larger than 4 MiB', () => {
    const file = path.join(tempDir(), 'qa.yaml');
    fs.writeFileSync(file, `${DEV}# ${'x'.repeat(MAX_ENVIRONMENT_BYTES)}\n`);
    expect(problems(() => loadEnvironmentFile(file))).toEqual([expect.stringMatching(/qa\.yaml: must be at most 4194304 bytes, 4 MiB \(found \d+ bytes\)\. An environment file is a few KiB/)]);
  });

  test('fails when a line is not UTF-8, naming the line', () => {
    const file = path.join(tempDir(), 'qa.yaml');
    const latin1 = Buffer.from(DEV.replace('# One local node', '# One local n\u00e9ud'), 'latin1');
    fs.writeFileSync(file, latin1);
    expect(problems(() => loadEnvironmentFile(file))).toEqual([expect.stringMatching(/qa\.yaml:2: the file must be UTF-8 text \(found a byte sequence that is not UTF-8 on line 2, e\.g\. Latin-1\)\. Save the file as UTF-8\.$/)]);
  });

  test('reads UTF-8 text with a byte order mark', () => {
    const file = path.join(tempDir(), 'dev.yaml');
    fs.writeFileSync(file, `\ufeff${DEV.replace('One local node', 'One local nœud')}`);
    expect(loadEnvironmentFile(file).name).toBe('dev');
  });
});

describe('how many problems are listed', () => {
  test('fails when 100,000 keys are unknown, listing the first 100 and counting the rest', () => {
    const found = problemsInLinearTime((n) => DEV + Array.from({ length: n }, (_, i) => `k${i}: 1\n`).join(''), 100_000);
    expect(found).toHaveLength(MAX_PROBLEMS + 1);
    const firstLine = DEV.split('\n').length;
    expect(found[0]).toMatch(new RegExp(`^qa\\.yaml:${firstLine}:\\d+: k0 is not a known field`));
    expect(found[MAX_PROBLEMS]).toBe('qa.yaml: 99900 more problem(s) not listed. Fix the ones above and run again.');
  });

  test('fails when one key is repeated 100,000 times, listing the first 100 and counting the rest', () => {
    const found = problemsInLinearTime((n) => DEV + 'x: 1\n'.repeat(n), 100_000);
    expect(found).toHaveLength(MAX_PROBLEMS + 1);
    expect(found[0]).toMatch(/^qa\.yaml:\d+:1: x is given twice/);
    expect(found[MAX_PROBLEMS]).toBe('qa.yaml: 99899 more problem(s) not listed. Fix the ones above and run again.');
  });
});
