/**
 * CRD directories (schemas.crdDirs, --crd-dir) are read whole whenever a command reads them: a
 * file that is not valid YAML, a document that is not a Kubernetes object and a CRD without the
 * fields validation reads are input errors (exit 2) naming the file, the line and column and the
 * field, not files silently left out until an object of their kind is validated. Objects of
 * other kinds are skipped, so an operator's release manifest can serve as it is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../stacks/errors';
import { Manifest } from '../../stacks/objects';
import { CrdRegistry, Validator } from '../../validation';
import { gitplane, tempDir } from '../support/cli';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

const FIX = 'Fix the file or remove it from the CRD directories.';

const widgetCrd = (schema: Record<string, unknown> = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } }) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
});

const widget = (spec: Record<string, unknown>): Manifest => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec });

/** A CRD directory holding `files` (name -> text). */
function crdDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The problems of reading `dir` as a CRD directory (its index cached in a fresh directory); none when it reads. */
function readProblems(dir: string): string[] {
  try {
    new CrdRegistry([dir], tempDir());
    return [];
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.problems;
  }
}

function messages(dir: string, manifest: Manifest): string[] {
  return new Validator(new CrdRegistry([dir], tempDir())).validate([{ manifest, file: 'f.yaml' }]).map((p) => p.message);
}

describe('a broken file is an error whenever the directory is read', () => {
  test('fails when a CRD file is not valid YAML, naming the file, line and column', () => {
    const dir = crdDir({ 'widget.yaml': stringify(widgetCrd()), 'broken.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: [\n' });
    expect(readProblems(dir)).toEqual([expect.stringMatching(new RegExp(`^${path.join(dir, 'broken.yaml')}:4:1: the file is not valid YAML: .+\\. Fix the syntax\\.$`))]);
  });

  test('fails when a document of a CRD file is not a Kubernetes object (a values file), naming the kind field', () => {
    const dir = crdDir({ 'values.yaml': 'replicas: 3\nimage: nginx\n', 'list.yaml': '- 1\n- 2\n' });
    expect(readProblems(dir)).toEqual([
      `${path.join(dir, 'list.yaml')}:1:1: document 1 is not a Kubernetes object (found a list of 2). A CRD directory holds CustomResourceDefinitions (objects of other kinds are skipped); remove the file from the CRD directories, or give the document its kind.`,
      `${path.join(dir, 'values.yaml')}:1:1: document 1 is not a Kubernetes object (found kind nothing). A CRD directory holds CustomResourceDefinitions (objects of other kinds are skipped); remove the file from the CRD directories, or give the document its kind.`,
    ]);
  });

  test.each([
    ['has no scope', (crd: any) => delete crd.spec.scope, '7:3', 'spec.scope must be Namespaced or Cluster (found null).'],
    ['has no kind name', (crd: any) => delete crd.spec.names.kind, '9:5', 'spec.names.kind and spec.names.plural must be set (found {"plural":"widgets"}).'],
    ['has no versions', (crd: any) => (crd.spec.versions = []), '12:13', 'spec.versions must list the served versions, each with a name (found []).'],
    ['has a schema that is not a mapping', (crd: any) => (crd.spec.versions[0].schema = 'open'), '16:15', 'spec.versions[0].schema must be a mapping (found string "open").'],
    ['has an openAPIV3Schema that is not a mapping', (crd: any) => (crd.spec.versions[0].schema.openAPIV3Schema = ['object']), '18:11', 'spec.versions[0].schema.openAPIV3Schema must be a mapping (found a list of 1).'],
    ['has properties that are not a mapping', (crd: any) => (crd.spec.versions[0].schema.openAPIV3Schema.properties = 'spec'), '19:23', 'spec.versions[0].schema.openAPIV3Schema.properties must be a mapping (found string "spec").'],
    ['is served by an older API', (crd: any) => (crd.apiVersion = 'apiextensions.k8s.io/v1beta1'), '2:13', 'apiVersion must be apiextensions.k8s.io/v1 (found "apiextensions.k8s.io/v1beta1"). Export the CRD from a cluster that serves apiextensions.k8s.io/v1.'],
  ])('fails when a CRD %s, naming the field and where its value is (its parent\'s when it is missing)', (_, change, at, problem) => {
    const crd = widgetCrd();
    change(crd);
    const text = stringify({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: crd.metadata, spec: crd.spec });
    const dir = crdDir({ 'widget.yaml': `# a CRD of our own\n${text}` });
    expect(readProblems(dir)).toEqual([`${path.join(dir, 'widget.yaml')}:${at}: ${problem} ${FIX}`]);
  });

  test('fails when an item of a kind: List is not a Kubernetes object, naming it', () => {
    const dir = crdDir({ 'cluster.yaml': `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify(widgetCrd())}\n  - 5\n` });
    expect(readProblems(dir)).toEqual([
      `${path.join(dir, 'cluster.yaml')}:5:5: items[1] of document 1 is not a Kubernetes object (found number 5). A CRD directory holds CustomResourceDefinitions (objects of other kinds are skipped); remove the file from the CRD directories, or give the document its kind.`,
    ]);
  });

  test('fails when a kind: List has no list of items, naming the field', () => {
    const dir = crdDir({ 'cluster.yaml': 'apiVersion: v1\nkind: List\nitems: {}\n' });
    expect(readProblems(dir)).toEqual([`${path.join(dir, 'cluster.yaml')}:3:8: items must be a list of CustomResourceDefinitions (found a mapping). ${FIX}`]);
  });

  test('fails when a CRD file\'s aliases expand past the limit, naming the file and line', () => {
    const dir = crdDir({ 'laughs.yaml': `${stringify(widgetCrd())}---\n${ALIAS_BOMB}` });
    expect(readProblems(dir)).toEqual([expect.stringMatching(new RegExp(`^${path.join(dir, 'laughs.yaml')}:\\d+:1: ${ALIAS_BOMB_PROBLEM.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${FIX}$`))]);
  });

  test('fails when a CRD file that read before is broken since: the index is cached by the file\'s content, never used for another', () => {
    const dir = crdDir({ 'widget.yaml': stringify(widgetCrd()) });
    const cache = tempDir();
    expect(new CrdRegistry([dir], cache).size).toBe(1);
    expect(new CrdRegistry([dir], cache).size).toBe(1);
    fs.writeFileSync(path.join(dir, 'widget.yaml'), stringify(widgetCrd()).replace('scope: Namespaced', 'scope: Everywhere'));
    expect(() => new CrdRegistry([dir], cache)).toThrow(`${path.join(dir, 'widget.yaml')}:`);
  });
});

describe('what the directory holds besides CRDs', () => {
  test('an operator\'s release manifest serves as it is: objects of other kinds are skipped, its CRD is read', () => {
    const release = [
      stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'widgets' } }),
      stringify(widgetCrd()),
      stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'widget-operator', namespace: 'widgets' }, spec: {} }),
      '',
    ].join('---\n');
    const dir = crdDir({ 'release.yaml': release });
    expect(readProblems(dir)).toEqual([]);
    expect(messages(dir, widget({ size: 'large' }))).toEqual(['spec.size: must be integer (got string "large"). Give a whole number.']);
  });

  test.each([
    ['in flow style', () => stringify(widgetCrd(), { collectionStyle: 'flow' })],
    ['indented by four spaces', () => stringify(widgetCrd(), { indent: 4 })],
  ])('fails when an object breaks a CRD written %s: the CRD is read as YAML, not found by its indentation', (_, write) => {
    const dir = crdDir({ 'widget.yaml': write() });
    expect(messages(dir, widget({ size: 'large' }))).toEqual(['spec.size: must be integer (got string "large"). Give a whole number.']);
  });
});

describe('schemas that compile', () => {
  test('fails when a value reaches a bound the CRD makes exclusive the OpenAPI 3.0 way (exclusiveMinimum: true)', () => {
    const dir = crdDir({ 'widget.yaml': stringify(widgetCrd({ type: 'object', properties: { spec: { type: 'object', properties: { ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: false } } } } })) });
    expect(messages(dir, widget({ ratio: 1 }))).toEqual([]);
    expect(messages(dir, widget({ ratio: 0 }))).toEqual(['spec.ratio: must be > 0 (got number 0). Use a number greater than 0.']);
  });

  test('fails when a nullable int-or-string field is given a boolean; null passes, and so does null where the schema has no type', () => {
    const properties = { port: { 'x-kubernetes-int-or-string': true, nullable: true }, extra: { 'x-kubernetes-preserve-unknown-fields': true, nullable: true } };
    const dir = crdDir({ 'widget.yaml': stringify(widgetCrd({ type: 'object', properties: { spec: { type: 'object', properties } } })) });
    expect(messages(dir, widget({ port: null, extra: null }))).toEqual([]);
    expect(messages(dir, widget({ port: 8080, extra: { any: 'thing' } }))).toEqual([]);
    expect(messages(dir, widget({ port: true }))).toEqual(['spec.port: must be integer or string or null (got boolean true). Quote the value: "true".']);
  });

  test('fails when a CRD\'s schema is not one ajv can compile (a pattern that is no regular expression), naming the file and kind', () => {
    const dir = crdDir({ 'widget.yaml': stringify(widgetCrd({ type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern: '([a-z]' } } } } })) });
    expect(() => messages(dir, widget({ name: 'a' }))).toThrow(new RegExp(`^${path.join(dir, 'widget.yaml')}: the openAPIV3Schema of Widget v1 is not a schema gitplane can check against: .+\\. ${FIX}$`));
  });
});

test('fails with exit 2 when validate --dir reads a CRD directory with a broken file, naming it as given with its line, though no object needs it', () => {
  const cwd = tempDir();
  fs.mkdirSync(path.join(cwd, 'crds'));
  fs.mkdirSync(path.join(cwd, 'manifests'));
  fs.writeFileSync(path.join(cwd, 'crds', 'widget.yaml'), `${stringify(widgetCrd())}  scope: [\n`);
  fs.writeFileSync(path.join(cwd, 'manifests', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: demo\ndata:\n  a: b\n');
  const r = gitplane(['validate', '--dir', 'manifests', '--crd-dir', 'crds', '--quiet'], { cwd });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^error: crds\/widget\.yaml:\d+:\d+: the file is not valid YAML: .+\. Fix the syntax\.\n$/);
});
