/**
 * Symbolic links out of the directory gitplane reads (stacks/out-of-bounds.ts): refused before
 * anything is read, so a tree from a pull request cannot make gitplane quote a file of the
 * machine it runs on. The target below holds a marked fake credential; no message may show it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvironment } from '../../stacks/environment';
import { InputError } from '../../stacks/errors';
import { outOfBounds } from '../../stacks/out-of-bounds';
import { copyOfRepository, tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';

const MARK = 'GITPLANE_TEST_FAKE_TOKEN=gitplane-test-fake-0123456789';

/** A file outside any tree the tests give gitplane, holding a fake credential. */
function outsideFile(): string {
  const file = path.join(tempDir('gitplane-outside-'), 'environ');
  fs.writeFileSync(file, `${MARK}\n`);
  return file;
}

test('a link that stays inside the directory is followed; one that leads out is reported with where it leads', () => {
  const root = tempDir('gitplane-tree-');
  fs.mkdirSync(path.join(root, 'apps', 'a'), { recursive: true });
  fs.writeFileSync(path.join(root, 'apps', 'a', 'real.yaml'), 'kind: ConfigMap\n');
  fs.writeFileSync(path.join(root, '..foo.yaml'), 'kind: ConfigMap\n');
  fs.symlinkSync('../a/real.yaml', path.join(root, 'apps', 'a', 'inside.yaml'));
  const outside = outsideFile();
  fs.symlinkSync(outside, path.join(root, 'apps', 'a', 'leak.yaml'));
  fs.symlinkSync(path.dirname(outside), path.join(root, 'apps', 'dir'));
  fs.symlinkSync('/nonexistent/file', path.join(root, 'apps', 'a', 'dangling.yaml'));

  expect(outOfBounds(root, path.join(root, 'apps', 'a', 'real.yaml'))).toBeUndefined();
  expect(outOfBounds(root, path.join(root, 'apps', 'a', 'inside.yaml'))).toBeUndefined();
  expect(outOfBounds(root, path.join(root, '..foo.yaml'))).toBeUndefined();
  expect(outOfBounds(root, path.join(root, 'apps', 'a', 'leak.yaml'))).toBe(fs.realpathSync(outside));
  expect(outOfBounds(root, path.join(root, 'apps', 'dir', 'environ'))).toBe(fs.realpathSync(outside));
  // A dangling link reads as a missing file.
  expect(outOfBounds(root, path.join(root, 'apps', 'a', 'dangling.yaml'))).toBeUndefined();
});

test('fails when an environment file of the project is a link out of it: exit 2 before it is read', () => {
  const project = tempDir('gitplane-project-');
  const dir = path.join(project, 'environments');
  fs.mkdirSync(dir);
  const outside = outsideFile();
  fs.symlinkSync(outside, path.join(dir, 'leak.yaml'));
  let error: unknown;
  try {
    loadEnvironment('leak', dir);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).problems).toEqual([
    `${path.join(dir, 'leak.yaml')}: a symbolic link to ${fs.realpathSync(outside)}, outside ${project}. gitplane reads no file outside the directory it is given (Argo CD refuses such links in a repository too); put the file itself there instead of the link.`,
  ]);
});

test('fails when synth --all meets an environment file linked out of the repository, and shows nothing of the file', () => {
  const project = copyOfRepository(tempDir('gitplane-links-'));
  const outside = outsideFile();
  fs.symlinkSync(outside, path.join(project, 'environments', 'leak.yaml'));
  const out = path.join(tempDir(), 'out');
  const r = spawnSync(process.execPath, [path.join(project, 'bin', 'gitplane.js'), 'synth', '--all', '--out', out], {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: HUNG_MS,
  });
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
  expect(r.stderr).toContain(`error: environments/leak.yaml: a symbolic link to ${fs.realpathSync(outside)}, outside ${project}.`);
  expect(`${r.stdout}${r.stderr}`).not.toContain('gitplane-test-fake-0123456789');
  expect(fs.existsSync(out)).toBe(false);
});
