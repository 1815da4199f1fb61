/**
 * Symbolic links out of the directory gitplane reads (stacks/out-of-bounds.ts): refused before
 * anything is read, so a tree from a pull request cannot make gitplane quote a file of the
 * machine it runs on. The target below holds a marked fake credential; no message may show it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvironment } from '../../stacks/environment';
import { InputError } from '../../stacks/errors';
import { outOfBounds } from '../../stacks/out-of-bounds';
import { copyOfRepository, gitplane, tempDir } from '../support/cli';

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
  const r = gitplane(['synth', '--all', '--out', out], { project });
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
  expect(r.stderr).toContain(`error: environments/leak.yaml: a symbolic link to ${fs.realpathSync(outside)}, outside ${project}.`);
  expect(`${r.stdout}${r.stderr}`).not.toContain('gitplane-test-fake-0123456789');
  expect(fs.existsSync(out)).toBe(false);
});

/** A tree under a fresh directory with `link` (a path in it) a symbolic link to a file outside holding a fake credential. */
function treeWithLinkOut(link: string): { root: string; file: string; target: string } {
  const root = tempDir('gitplane-given-');
  const file = path.join(root, link);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const target = outsideFile();
  fs.symlinkSync(target, file);
  return { root, file, target: fs.realpathSync(target) };
}

const refusal = (file: string, target: string, root: string) =>
  `error: ${file}: a symbolic link to ${target}, outside ${root}. gitplane reads no file outside the directory it is given (Argo CD refuses such links in a repository too); put the file itself there instead of the link.\n`;

test.each([
  ['validate --dir', 'apps/x/leak.yaml', (root: string) => ['validate', '--dir', root]],
  ['policy --dir', 'apps/x/leak.yaml', (root: string) => ['policy', '--dir', root]],
  ['diff --against', 'dev/apps/x/leak.yaml', (root: string) => ['diff', '--env', 'dev', '--against', root]],
  ['diff --rendered', 'dev/apps/x/leak.yaml', (root: string) => ['diff', '--env', 'dev', '--against', root, '--rendered', root]],
  ['a CRD directory (--crd-dir)', 'leak.yaml', (root: string) => ['validate', '--env', 'dev', '--crd-dir', root]],
])('fails with exit 2 when %s meets a link out of the directory given, and shows nothing of the file', (_, link, args) => {
  const { root, file, target } = treeWithLinkOut(link);
  const r = gitplane(args(root), { env: { GITPLANE_HELM: '' } });
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error: ')).join('\n') + '\n').toBe(refusal(file, target, root));
  expect(`${r.stdout}${r.stderr}`).not.toContain('gitplane-test-fake-0123456789');
});

test('fails with exit 2 when a link under --dir leads to no file (dangling, or a loop of links), naming each', () => {
  const root = tempDir('gitplane-given-');
  fs.symlinkSync(path.join(root, 'nothing.yaml'), path.join(root, 'dangling.yaml'));
  fs.symlinkSync('loop-b.yaml', path.join(root, 'loop-a.yaml'));
  fs.symlinkSync('loop-a.yaml', path.join(root, 'loop-b.yaml'));
  const r = gitplane(['validate', '--dir', root]);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([
    `error: ${path.join(root, 'dangling.yaml')}: a symbolic link to ${path.join(root, 'nothing.yaml')}, which leads to no file (ENOENT). Remove the link, or put the file itself there.`,
    `error: ${path.join(root, 'loop-a.yaml')}: a symbolic link to loop-b.yaml, which leads to no file (ELOOP). Remove the link, or put the file itself there.`,
    `error: ${path.join(root, 'loop-b.yaml')}: a symbolic link to loop-a.yaml, which leads to no file (ELOOP). Remove the link, or put the file itself there.`,
  ]);
});

test('a link that stays inside the directory given is read as the file it leads to', () => {
  const root = tempDir('gitplane-given-');
  fs.mkdirSync(path.join(root, 'apps', 'x'), { recursive: true });
  fs.writeFileSync(path.join(root, 'apps', 'x', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: a\n');
  fs.symlinkSync('../x/configmap.yaml', path.join(root, 'apps', 'x', 'again.yaml'));
  const r = gitplane(['validate', '--dir', root]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`error: ${path.join(root, 'apps', 'x', 'configmap.yaml')}:1:1: ConfigMap/a/a: duplicate object`);
});
