/**
 * `validate --dir` and `policy --dir` on a folder of environment folders, as `gitplane synth --all
 * --out DIR` writes it: each environment is judged apart, as Argo CD applies each to its own
 * cluster, so the objects every environment shares are not duplicates of each other.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentDirs } from '../../policies/inputs';
import { gitplane, tempDir } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';

test('a folder whose every folder holds apps/ or bootstrap/ is a set of environments; anything else is one directory', () => {
  const dir = tempDir('gitplane-dirs-');
  for (const env of ['prod', 'dev']) fs.mkdirSync(path.join(dir, env, 'apps'), { recursive: true });
  fs.mkdirSync(path.join(dir, '.git'));
  expect(environmentDirs(dir)).toEqual([path.join(dir, 'dev'), path.join(dir, 'prod')]);
  // A manifest of its own, or a folder that is no environment, makes it one directory of manifests.
  fs.writeFileSync(path.join(dir, 'extra.yaml'), 'kind: ConfigMap\n');
  expect(environmentDirs(dir)).toEqual([dir]);
  fs.rmSync(path.join(dir, 'extra.yaml'));
  fs.mkdirSync(path.join(dir, 'shared'));
  expect(environmentDirs(dir)).toEqual([dir]);
  // An environment folder itself is one environment; what is not a directory is left to the reader to refuse.
  expect(environmentDirs(path.join(dir, 'dev'))).toEqual([path.join(dir, 'dev')]);
  expect(environmentDirs(path.join(dir, 'missing'))).toEqual([path.join(dir, 'missing')]);
  fs.writeFileSync(path.join(dir, 'file.yaml'), '');
  expect(environmentDirs(path.join(dir, 'file.yaml'))).toEqual([path.join(dir, 'file.yaml')]);
});

testWithMirrors(['schemas', 'charts'], 'validate --dir and policy --dir on synth --all --out DIR judge each environment apart, as each alone', () => {
  const dir = path.join(tempDir('gitplane-all-'), 'dist');
  expect(gitplane(['synth', '--all', '--out', dir, '--quiet']).status).toBe(0);
  const envs = fs.readdirSync(dir).sort();
  expect(envs.length).toBeGreaterThan(1);

  const validate = gitplane(['validate', '--dir', dir]);
  expect({ status: validate.status, stdout: validate.stdout }).toEqual({ status: 0, stdout: 'all objects valid\n' });
  for (const env of envs) expect(validate.stderr).toContain(`validate ${path.join(dir, env)}: `);

  const policy = gitplane(['policy', '--dir', dir]);
  expect(policy.status).toBe(0);
  const summaries = policy.stdout.split('\n').filter((l) => / mandatory, \d+ advisory finding/.test(l));
  const alone = envs.map((env) => gitplane(['policy', '--dir', path.join(dir, env)]).stdout.split('\n').find((l) => / mandatory, \d+ advisory finding/.test(l)));
  expect(summaries).toEqual(alone);
});
