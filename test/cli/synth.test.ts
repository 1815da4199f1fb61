import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitplane, readTree, tempDir } from '../support/cli';
import { configuredCrds, kubectlList } from '../support/crds';
import { testWithMirrors, withoutMirrorWarnings } from '../support/mirrors';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

describe('gitplane synth', () => {
  const out = tempDir();

  test('--all writes every environment, and a second run leaves every byte as it was', () => {
    const first = gitplane(['synth', '--all', '--out', out]);
    expect(first.stderr).toContain('synth prod:');
    expect(first.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'pi-edge', 'prod', 'staging']);
    const before = readTree(out);
    const quiet = gitplane(['synth', '--all', '--out', out, '--quiet']);
    expect({ ...quiet, stderr: withoutMirrorWarnings(quiet.stderr) }).toMatchObject({ status: 0, stderr: '' });
    expect(readTree(out)).toEqual(before);
  });

  test('without --env it synthesizes dev', () => {
    const dir = tempDir();
    expect(gitplane(['synth', '--out', dir]).status).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['dev']);
  });

  test('removes files of objects that no longer exist', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'dev', 'apps', 'gone'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dev', 'apps', 'gone', 'stale.yaml'), 'kind: Stale\n');
    expect(gitplane(['synth', '--env', 'dev', '--out', dir]).status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'dev', 'apps', 'gone'))).toBe(false);
  });

  describe.each([
    ['an unknown key', 'name: dev\nbogus: 1\n', /bad\.yaml:2:\d+: bogus is not a known field/],
    ['a value of the wrong type', 'name: dev\ntier: 3\n', /bad\.yaml:2:\d+: tier must be a string \(got number 3\)/],
    ['unparseable YAML', 'name: dev\ncluster: [\n', /bad\.yaml:\d+:\d+: the file is not valid YAML/],
  ])('fails when the environment file has %s', (_, text, expected) => {
    test('exits 2 naming the file and field, and leaves --out as it was', () => {
      const dir = tempDir();
      const bad = path.join(dir, 'bad.yaml');
      fs.writeFileSync(bad, text);
      const target = path.join(dir, 'out');
      fs.mkdirSync(path.join(target, 'dev'), { recursive: true });
      fs.writeFileSync(path.join(target, 'dev', 'keep.yaml'), 'kept: true\n');
      const before = readTree(target);
      const r = gitplane(['synth', '--file', bad, '--out', target]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(readTree(target)).toEqual(before);
    });
  });

  testWithMirrors(['schemas'], 'fails with exit 1 and writes nothing when validation fails (the --crd-dir CRD, in kubectl List form, rejects a field)', () => {
    const dir = tempDir();
    const crds = path.join(dir, 'crds');
    fs.mkdirSync(crds);
    const job = configuredCrds().find((c) => (c.metadata as { name: string }).name === 'recurringjobs.longhorn.io') as any;
    for (const v of job.spec.versions) delete v.schema.openAPIV3Schema.properties.spec.properties.retain;
    fs.writeFileSync(path.join(crds, 'cluster.yaml'), kubectlList([job]));
    const r = gitplane(['synth', '--env', 'staging', '--out', path.join(dir, 'out'), '--crd-dir', crds]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('spec.retain: unknown field "retain"');
    expect(r.stderr).toContain('nothing was written');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  describe('fails with exit 2, naming the file, when a --crd-dir file cannot be read', () => {
    const APPLICATION_CRD = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: applications.argoproj.io\nspec:\n  group: argoproj.io\n  names:\n    kind: Application\n    plural: applications\n  scope: Namespaced\n';
    const VERSIONS = '  versions:\n    - name: v1alpha1\n      served: true\n      schema: {openAPIV3Schema: {type: object}}\n';
    const FIX = 'Fix the file or remove it from the CRD directories.';
    test.each([
      ['a kind: List whose aliases expand past the limit', `apiVersion: v1\nkind: List\nitems: []\n${ALIAS_BOMB}`, `1:1: ${ALIAS_BOMB_PROBLEM} ${FIX}`],
      ['a CRD whose aliases expand past the limit', `${APPLICATION_CRD}${VERSIONS}${ALIAS_BOMB}`, `1:1: ${ALIAS_BOMB_PROBLEM} ${FIX}`],
      ['a CRD without a versions list', APPLICATION_CRD, `6:3: spec.versions must list the served versions, each with a name (found null). ${FIX}`],
    ])('%s', (_, content, problem) => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'crd.yaml'), content);
      const r = gitplane(['synth', '--env', 'dev', '--out', path.join(dir, 'out'), '--crd-dir', dir, '--quiet']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${path.join(dir, 'crd.yaml')}:${problem}\n`);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    });
  });

  test('an unknown flag is a usage error with exit 2', () => {
    const r = gitplane(['synth', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });

  test('--all with --env is a usage error', () => {
    expect(gitplane(['synth', '--all', '--env', 'dev']).status).toBe(2);
  });
});

describe('gitplane', () => {
  test('--help lists every command and exits 0', () => {
    const r = gitplane(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/synth .*\n.*validate/);
  });

  test.each(['synth', 'validate', 'config', 'schema', 'schemas', 'publish', 'diff'])('%s --help prints usage and exits 0', (command) => {
    const r = gitplane([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: gitplane ${command}`);
  });

  test('an unknown command exits 2', () => {
    const r = gitplane(['synthesize']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "synthesize"');
  });

  test('no command prints help and exits 2', () => {
    expect(gitplane([]).status).toBe(2);
  });
});

describe('gitplane validate', () => {
  test('--dir checks manifests gitplane did not make', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndatta:\n  k: v\n',
    );
    const r = gitplane(['validate', '--dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${dir}/cm.yaml:12:1: ConfigMap/b: datta: unknown field "datta"`);
  });

  test('fails when a cluster-scoped object in --dir has a namespace', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  namespace: default\n');
    const r = gitplane(['validate', '--dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${dir}/ns.yaml:5:3: Namespace/default/apps: metadata.namespace: Namespace is cluster-scoped and takes no namespace (got "default"). Remove metadata.namespace.`);
  });

  testWithMirrors(['schemas', 'charts'], '--all passes on the shipped environments', () => {
    expect(gitplane(['validate', '--all', '--quiet'])).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
  });
});
