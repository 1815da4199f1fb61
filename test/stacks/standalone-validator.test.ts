/**
 * A validator kept as ajv's standalone code is ASCII whatever text its schema holds, and judges as
 * the compiled one does.
 */
import Ajv from 'ajv';
import { loadStandalone, standaloneCode } from '../../stacks/standalone-validator';

const schema = {
  type: 'object',
  description: 'a CRD’s description with “curly quotes”, µs and an emoji 🚀',
  properties: {
    unit: { enum: ['ns', 'µs', 'ms'] },
    name: { type: 'string', pattern: '^[a-zé]+$' },
    'grüße': { type: 'string', const: 'grüße 🚀' },
  },
  additionalProperties: false,
};

test('standalone code is ASCII and judges as the compiled validator does', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  const compiled = ajv.compile(schema);
  const code = standaloneCode(ajv, compiled);
  expect(code).toMatch(/^[\x00-\x7f]*$/);
  const loaded = loadStandalone(code);
  for (const value of [{ unit: 'µs', name: 'café', grüße: 'grüße 🚀' }, { unit: 'us' }, { name: 'cafe' }, { name: 'cafè' }, { grüße: 'grüße' }, { größe: 1 }, { unit: 'µs', name: 'é' }]) {
    const verdict = compiled(value);
    expect([value, loaded(value)]).toEqual([value, verdict]);
    expect(loaded.errors ?? null).toEqual(compiled.errors ?? null);
  }
});
