import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ChartArchiveError, chartSchemaFiles, detemplate } from '../../stacks/chart-archive';
import { tempDir, SHARED_DIR } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

const CHARTS = path.join(SHARED_DIR, 'charts');

/** A chart archive made by tar from `files` (path -> content) under `<name>/`. */
function archive(name: string, files: Record<string, string>): Buffer {
  const dir = tempDir();
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, name, file), content);
  }
  const out = path.join(dir, 'chart.tgz');
  expect(spawnSync('tar', ['-czf', out, '-C', dir, name]).status).toBe(0);
  return fs.readFileSync(out);
}

const CRD = (name: string, served = 'true') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}s.example.com
spec:
  group: example.com
  names: {kind: ${name[0].toUpperCase()}${name.slice(1)}, plural: ${name}s}
  scope: Namespaced
  versions:
    - name: v1
      served: ${served}
      schema: {openAPIV3Schema: {type: object}}
`;

testWithMirrors(['charts'], 'reads the CRDs a real chart ships as templates, and its default values (longhorn 1.12.1)', () => {
  const files = chartSchemaFiles(fs.readFileSync(path.join(CHARTS, 'longhorn-1.12.1.tgz')), 'longhorn', '1.12.1');
  expect([...files.keys()].filter((f) => f.startsWith('crds/'))).toHaveLength(25);
  expect(parse(files.get('crds/recurringjobs.longhorn.io.yaml')!.toString()).spec.names.kind).toBe('RecurringJob');
  expect(files.get('helm-values/longhorn-1.12.1.yaml')!.toString()).toContain('defaultClassReplicaCount');
});

test('takes CRDs from crds/ and from charts inside the chart, values.yaml and values.schema.json', () => {
  const files = chartSchemaFiles(
    archive('demo', { 'Chart.yaml': 'name: demo\n', 'values.yaml': 'a: 1\n', 'values.schema.json': '{}', 'crds/w.yaml': CRD('widget'), 'charts/sub/crds/g.yaml': `${CRD('gadget')}---\n${CRD('gizmo')}` }),
    'demo',
    '1.0.0',
  );
  expect([...files.keys()].sort()).toEqual(['crds/gadgets.example.com.yaml', 'crds/gizmos.example.com.yaml', 'crds/widgets.example.com.yaml', 'helm-values/demo-1.0.0.schema.json', 'helm-values/demo-1.0.0.yaml']);
});

test('a CRD template takes the chart\'s default for {{ .Values.x }} and drops lines of template actions', () => {
  const template = `{{- if .Values.installCRDs }}\n${CRD('widget', '{{ .Values.crds.serve }}').replace('  name: widgets.example.com\n', '  name: widgets.example.com\n  labels: {{- include "x.labels" . | nindent 4 }}\n')}{{- end }}\n`;
  const files = chartSchemaFiles(archive('demo', { 'Chart.yaml': 'name: demo\n', 'values.yaml': 'crds:\n  serve: false\n', 'templates/crd.yaml': template }), 'demo', '1.0.0');
  expect(parse(files.get('crds/widgets.example.com.yaml')!.toString()).spec.versions[0].served).toBe(false);
});

test('reads a (sub)chart\'s values.yaml only when one of its CRD templates refers to a value', () => {
  // Parsing this values.yaml would stop the pull; no template of the top chart needs it.
  const files = chartSchemaFiles(
    archive('demo', {
      'Chart.yaml': 'name: demo\n',
      'values.yaml': ALIAS_BOMB,
      'templates/w.yaml': `{{- if .Values.installCRDs }}\n${CRD('widget')}{{- end }}\n`,
      'charts/sub/values.yaml': 'serve: false\n',
      'charts/sub/templates/g.yaml': CRD('gadget', '{{ .Values.serve }}'),
      'charts/sub/templates/h.yaml': CRD('gizmo', '{{ .Values.serve }}'),
    }),
    'demo',
    '1.0.0',
  );
  expect(parse(files.get('crds/widgets.example.com.yaml')!.toString()).spec.versions[0].served).toBe(true);
  expect(parse(files.get('crds/gadgets.example.com.yaml')!.toString()).spec.versions[0].served).toBe(false);
  expect(parse(files.get('crds/gizmos.example.com.yaml')!.toString()).spec.versions[0].served).toBe(false);
});

test.each([
  ['a values.yaml a CRD template needs is an alias bomb', { 'values.yaml': ALIAS_BOMB }, `demo/values.yaml: ${ALIAS_BOMB_PROBLEM.slice(0, -1)}`],
  ['a values.yaml a CRD template needs is not valid YAML', { 'values.yaml': 'serve: [false\n' }, /^demo\/values\.yaml is not valid YAML \(.+\), and a CRD template needs its values$/],
  ['a CRD file is an alias bomb', { 'values.yaml': 'serve: false\n', 'crds/bomb.yaml': `${CRD('gadget')}${ALIAS_BOMB}` }, `demo/crds/bomb.yaml: ${ALIAS_BOMB_PROBLEM.slice(0, -1)}`],
])('fails when %s, with the file named, instead of crashing', (_, files, expected) => {
  const make = () => chartSchemaFiles(archive('demo', { 'Chart.yaml': 'name: demo\n', 'templates/w.yaml': CRD('widget', '{{ .Values.serve }}'), ...files }), 'demo', '1.0.0');
  expect(make).toThrow(ChartArchiveError);
  expect(make).toThrow(expected);
});

test('fails when a template action spans lines, rather than guess the schema', () => {
  expect(() => detemplate('spec:\n  group: {{ .Values.group\n  }}\n', 'templates/crd.yaml', () => undefined)).toThrow('templates/crd.yaml has a template action across lines that gitplane cannot read without Helm');
});

test.each([
  ['the archive is not gzip', () => Buffer.from('not a chart'), /not a gzip archive/],
  ['the archive has no Chart.yaml', () => archive('demo', { 'values.yaml': 'a: 1\n' }), /no <chart>\/Chart\.yaml in the archive/],
  ['the tar is truncated', () => gzipSync(gunzipSync(archive('demo', { 'Chart.yaml': `name: demo\ndescription: ${'x'.repeat(1000)}\n` })).subarray(0, 1600)), /truncated/],
  ['a CRD name is not <plural>.<group>', () => archive('demo', { 'Chart.yaml': 'name: demo\n', 'crds/w.yaml': CRD('widget').replace('widgets.example.com', '../../x') }), /metadata\.name is not <plural>\.<group> \(found "\.\.\/\.\.\/x"\)/],
])('fails when %s', (_, make, expected) => {
  expect(() => chartSchemaFiles(make(), 'demo', '1.0.0')).toThrow(ChartArchiveError);
  expect(() => chartSchemaFiles(make(), 'demo', '1.0.0')).toThrow(expected);
});
