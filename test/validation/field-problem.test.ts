/**
 * Every schema problem says how to fix it: each kind of check a Kubernetes or CRD schema makes
 * (required fields, types, enums, patterns, formats, limits) has its own fix, after the field and
 * the value found. Judged by the real validators: kubernetes-models' for built-in kinds, and one
 * compiled from a CRD for custom resources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { Manifest } from '../../stacks/objects';
import { CrdRegistry, Validator } from '../../validation';
import { tempDir } from '../support/cli';

const WIDGET_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 9 },
        name: { type: 'string', minLength: 3, maxLength: 5, pattern: '^[a-z]+$' },
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        port: { 'x-kubernetes-int-or-string': true },
        enabled: { type: 'boolean' },
        tags: { type: 'array', minItems: 1, maxItems: 2, uniqueItems: true, items: { type: 'string' } },
        labels: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
        step: { type: 'number', multipleOf: 5 },
        target: { anyOf: [{ type: 'object', required: ['host'], properties: { host: { type: 'string' } } }, { type: 'object', required: ['ip'], properties: { ip: { type: 'string' } } }] },
      },
    },
  },
};

/** A Widget CRD in a directory of its own, its validator compiled into a cache of its own. */
function widgetValidator(): Validator {
  const crds = tempDir();
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: WIDGET_SCHEMA } }] },
  };
  fs.writeFileSync(path.join(crds, 'widget.yaml'), stringify(crd));
  return new Validator(new CrdRegistry([crds], tempDir()));
}

const validator = widgetValidator();

function messages(manifest: Manifest): string[] {
  return validator.validate([{ manifest, file: 'f.yaml' }]).map((p) => p.message);
}

const widget = (spec: Record<string, unknown>): Manifest => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec: { size: 3, ...spec } });

test('a Widget within every limit passes (fixture that must not fire)', () => {
  expect(messages(widget({ name: 'abc', mode: 'Fast', port: 'http', enabled: true, tags: ['a'], labels: { a: 'x' }, step: 10, target: { host: 'h' } }))).toEqual([]);
});

describe('custom resources (a validator compiled from a CRD)', () => {
  test.each([
    ['a required field is missing', { size: undefined }, 'spec: must have required property size. Add spec.size.'],
    ['a string is given where a number is wanted', { size: '3' }, 'spec.size: must be integer (got string "3"). Write the number without quotes: 3.'],
    ['a number is given where a string is wanted', { name: 5 }, 'spec.name: must be string (got number 5). Quote the value: "5".'],
    ['a word is given where a number is wanted', { size: 'three' }, 'spec.size: must be integer (got string "three"). Give a whole number.'],
    ['a boolean is written as a string', { enabled: 'true' }, 'spec.enabled: must be boolean (got string "true"). Write true without quotes.'],
    ['a list is given where a map is wanted', { labels: ['a'] }, 'spec.labels: must be object (got a list of 1). Give a mapping of fields.'],
    ['a value is not one of the allowed ones', { mode: 'Medium' }, 'spec.mode: must be equal to one of the allowed values (got string "Medium"). Use one of: Fast, Slow.'],
    ['a value differs from an allowed one in case only', { mode: 'fast' }, 'spec.mode: must be equal to one of the allowed values (got string "fast"). Did you mean Fast? Use one of: Fast, Slow.'],
    ['a value does not match the pattern', { name: 'aBc' }, 'spec.name: must match pattern "^[a-z]+$" (got string "aBc"). Change the value to one the pattern matches.'],
    ['a number is below the minimum', { size: 0 }, 'spec.size: must be >= 1 (got number 0). Use a number of at least 1.'],
    ['a number is above the maximum', { size: 12 }, 'spec.size: must be <= 9 (got number 12). Use a number of at most 9.'],
    ['a number is not a multiple of the step', { step: 7 }, 'spec.step: must be multiple of 5 (got number 7). Use a multiple of 5.'],
    ['a string is too short', { name: 'ab' }, 'spec.name: must NOT have fewer than 3 characters (got string "ab"). Make it at least 3 characters long.'],
    ['a string is too long', { name: 'abcdefg' }, 'spec.name: must NOT have more than 5 characters (got string "abcdefg"). Shorten it to at most 5 characters.'],
    ['a list is empty where an item is wanted', { tags: [] }, 'spec.tags: must NOT have fewer than 1 items. Give at least 1 item.'],
    ['a list has too many items', { tags: ['a', 'b', 'c'] }, 'spec.tags: must NOT have more than 2 items. Give at most 2 items.'],
    ['a list repeats an item', { tags: ['a', 'a'] }, 'spec.tags: must NOT have duplicate items (items ## 1 and 0 are identical). Remove item [1], which repeats item [0], or change it.'],
    ['a map has too many entries', { labels: { a: 'x', b: 'y' } }, 'spec.labels: must NOT have more than 1 properties. Give at most 1 entry.'],
    ['a field is unknown', { sise: 3 }, 'spec.sise: unknown field "sise". Remove it or correct its name.'],
  ])('fails when %s', (_, spec, message) => {
    expect(messages(widget(spec))).toEqual([message]);
  });

  test('fails when an int-or-string field is given a list: one problem naming both types, not one per type and one for the anyOf', () => {
    expect(messages(widget({ port: [80] }))).toEqual(['spec.port: must be integer or string (got a list of 1). Give a whole number or a string.']);
  });

  test('fails when a value matches none of the forms an anyOf allows: each form\'s problem, then the anyOf\'s with its fix', () => {
    expect(messages(widget({ target: {} }))).toEqual([
      'spec.target: must have required property host. Add spec.target.host.',
      'spec.target: must have required property ip. Add spec.target.ip.',
      'spec.target: must match a schema in anyOf. Change the value to one of the forms the schema allows (the other problems of this field say how it differs from each).',
    ]);
  });
});

describe('built-in kinds (kubernetes-models\' validators)', () => {
  const deployment = (spec: Record<string, unknown>): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }, ...spec },
  });
  const builtIn = (manifest: Manifest) => validator.validate([{ manifest, file: 'f.yaml' }]).map((p) => p.message);

  test.each([
    ['a required field is missing: the fix says what kind of value it takes', { selector: undefined }, 'spec: must have required property selector. Add spec.selector, a LabelSelector mapping.'],
    ['a required list is missing', { template: { spec: {} } }, 'spec.template.spec: must have required property containers. Add spec.template.spec.containers, a list of Container mappings.'],
    ['a number is given where a string is wanted', { template: { spec: { containers: [{ name: 'web', image: 1 }] } } }, 'spec.template.spec.containers[0].image: must be string (got number 1). Quote the value: "1".'],
    ['a value is not one of the allowed ones', { template: { spec: { restartPolicy: 'Sometimes', containers: [{ name: 'web', image: 'nginx:1.27' }] } } }, 'spec.template.spec.restartPolicy: must be equal to one of the allowed values (got string "Sometimes"). Use one of: Always, Never, OnFailure.'],
    ['a quantity is not one', { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { memory: '1 GB' } } }] } } }, 'spec.template.spec.containers[0].resources.limits.memory: must match format "quantity" (got string "1 GB"). Write a Kubernetes quantity, such as 100m, 1, 512Mi or 2Gi.'],
    ['a quantity is neither a string nor a number', { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { cpu: true } } }] } } }, 'spec.template.spec.containers[0].resources.limits.cpu: must be number or string (got boolean true). Quote the value: "true".'],
    ['a field is unknown', { replica: 2 }, expect.stringMatching(/^spec\.replica: unknown field "replica" \(known: .*\)\. Remove it or correct its name\.$/)],
  ])('fails when %s', (_, spec, message) => {
    const m = deployment(spec);
    for (const [k, v] of Object.entries(m.spec as Record<string, unknown>)) if (v === undefined) delete (m.spec as Record<string, unknown>)[k];
    expect(builtIn(m)).toEqual([message]);
  });
});
