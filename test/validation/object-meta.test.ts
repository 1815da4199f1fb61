/**
 * Names, namespaces, labels and annotations as the API server judges them (validation/object-meta.ts); that the
 * server refuses exactly these is shown against a real kube-apiserver in
 * test/conformance/kube-apiserver.test.ts.
 */
import { metadataProblems as problemsWithPaths } from '../../validation/object-meta';

const metadataProblems = (manifest: Parameters<typeof problemsWithPaths>[0], builtIn: boolean) => problemsWithPaths(manifest, builtIn).map((p) => p.message);

const REFUSED = 'the API server refuses the object';

test('labels and annotations the API server accepts give no problem', () => {
  const metadata = { name: 'x', labels: { a: '', 'example.com/a_b.c-d': 'V'.repeat(63) }, annotations: { 'Example.com/Note': 'any text at all' } };
  expect(metadataProblems({ kind: 'ConfigMap', metadata }, true)).toEqual([]);
});

test.each([
  [
    'a label value is a tag and digest',
    { kind: 'ConfigMap', metadata: { labels: { 'app.kubernetes.io/version': `2.14.2-alpine@sha256:${'0'.repeat(64)}` } } },
    [
      `metadata.labels["app.kubernetes.io/version"]: the value "2.14.2-alpine@sha256:${'0'.repeat(64)}" is not a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (it has 85 characters); ${REFUSED}. Shorten or change the value, or move it to an annotation.`,
    ],
  ],
  [
    'a label key has two "/"',
    { kind: 'ConfigMap', metadata: { labels: { 'a/b/c': 'v' } } },
    [`metadata.labels["a/b/c"]: the key is not a label key: "a/b/c" has more than one "/"; ${REFUSED}. Fix the key.`],
  ],
  [
    'a label key has an upper-case prefix',
    { kind: 'ConfigMap', metadata: { labels: { 'Example.com/a': 'v' } } },
    [`metadata.labels["Example.com/a"]: the key is not a label key: its prefix "Example.com" must be a DNS subdomain: at most 253 lower-case letters, digits, "-" and ".", such as example.com; ${REFUSED}. Fix the key.`],
  ],
  [
    'a label key name is 64 characters',
    { kind: 'ConfigMap', metadata: { labels: { ['k'.repeat(64)]: 'v' } } },
    [`metadata.labels["${'k'.repeat(64)}"]: the key is not a label key: its name "${'k'.repeat(64)}" must be at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit; ${REFUSED}. Fix the key.`],
  ],
  [
    'an annotation key has a space',
    { kind: 'ConfigMap', metadata: { annotations: { 'a note': 'v' } } },
    [`metadata.annotations["a note"]: the key is not an annotation key: its name "a note" must be at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit; ${REFUSED}. Fix the key.`],
  ],
  [
    'annotations hold more than 256 KiB',
    { kind: 'ConfigMap', metadata: { annotations: { a: 'x'.repeat(256 * 1024) } } },
    [`metadata.annotations: its keys and values hold 262145 bytes, more than the 262144 the API server accepts; ${REFUSED}. Move the large values into a ConfigMap.`],
  ],
  [
    'a CronJob\'s pod template has a bad label value',
    { kind: 'CronJob', metadata: {}, spec: { jobTemplate: { spec: { template: { metadata: { labels: { b: '-v' } } } } } } },
    [`spec.jobTemplate.spec.template.metadata.labels["b"]: the value "-v" is not a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (it has 2 characters); ${REFUSED}. Shorten or change the value, or move it to an annotation.`],
  ],
  [
    'a StatefulSet\'s second claim template has a bad label value',
    { kind: 'StatefulSet', metadata: {}, spec: { volumeClaimTemplates: [{ metadata: {} }, { metadata: { labels: { b: 'v.' } } }] } },
    [`spec.volumeClaimTemplates[1].metadata.labels["b"]: the value "v." is not a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (it has 2 characters); ${REFUSED}. Shorten or change the value, or move it to an annotation.`],
  ],
  [
    'a ConfigMap name has "_" and capitals',
    { kind: 'ConfigMap', metadata: { name: 'Bad_Name' } },
    [`metadata.name: "Bad_Name" is not a ConfigMap name: it must be a DNS subdomain: at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit; ${REFUSED}. Rename it.`],
  ],
  [
    'a Service name has a "."',
    { kind: 'Service', metadata: { name: 'svc.a' } },
    [`metadata.name: "svc.a" is not a Service name: it must be a DNS-1035 label: at most 63 lower-case letters, digits and "-", starting with a letter and ending with a letter or digit; ${REFUSED}. Rename it.`],
  ],
  [
    'a StatefulSet name has a "."',
    { kind: 'StatefulSet', metadata: { name: 'a.b' } },
    [`metadata.name: "a.b" is not a StatefulSet name: it must be a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit; ${REFUSED}. Rename it.`],
  ],
  [
    'a CronJob name has 53 characters',
    { kind: 'CronJob', metadata: { name: 'c'.repeat(53) } },
    [`metadata.name: "${'c'.repeat(53)}" has 53 characters; a CronJob's name has at most 52, as its Jobs add 11; ${REFUSED}. Shorten it.`],
  ],
  [
    'a namespace has capitals',
    { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'Default' } },
    [`metadata.namespace: "Default" is not a namespace name: it must be a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit; ${REFUSED}. Fix the namespace.`],
  ],
  [
    'a Role name has a "/"',
    { kind: 'Role', metadata: { name: 'a/b' } },
    [`metadata.name: "a/b" is not a Role name: it must be a name without "/" or "%", and not "." or ".."; ${REFUSED}. Rename it.`],
  ],
])('fails when %s', (_, manifest, expected) => {
  expect(metadataProblems(manifest, true)).toEqual(expected);
});

test('each problem names the path of its field, so a file read from a directory gives its line', () => {
  const manifest = { kind: 'StatefulSet', metadata: { name: 'a.b', labels: { 'a/b/c': 'v' } }, spec: { volumeClaimTemplates: [{ metadata: { annotations: { 'a b': '' } } }] } };
  expect(problemsWithPaths(manifest, true).map((p) => p.path)).toEqual([
    ['metadata', 'name'],
    ['metadata', 'labels', 'a/b/c'],
    ['spec', 'volumeClaimTemplates', '0', 'metadata', 'annotations', 'a b'],
  ]);
});

test('a custom resource\'s spec is not read for templates (its schema is its CRD\'s), and its name is a DNS subdomain', () => {
  const manifest = { kind: 'Deployment', metadata: { name: 'a.b:c' }, spec: { template: { metadata: { labels: { b: '-v' } } } } };
  expect(metadataProblems(manifest, false)).toEqual([`metadata.name: "a.b:c" is not a Deployment name: it must be a DNS subdomain: at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit; ${REFUSED}. Rename it.`]);
  expect(metadataProblems({ ...manifest, metadata: { name: 'a.b' } }, false)).toEqual([]);
  expect(metadataProblems({ ...manifest, metadata: { name: 'a.b' } }, true)).toHaveLength(1);
});
