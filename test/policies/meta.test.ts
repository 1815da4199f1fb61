/** Every rule is complete: texts, docs, a test file with a must-not-fire case and failing cases, and a registry entry. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { updateDocs } from '../../policies/docs';
import { RULES } from '../../policies/registry';
import { ROOT } from '../support/cli';

const ruleFiles = fs.readdirSync(path.join(ROOT, 'policies', 'rules')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();

describe('rule registry', () => {
  test('every file under policies/rules/ is registered once, under its file name', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(ruleFiles);
  });
  test.each(RULES.map((r) => [r.id, r]))('%s is complete', (id, rule) => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const text of [rule.description, rule.rationale, rule.remediation]) expect(text).toMatch(/\S.*\.$/s);
    expect(rule.docsUrl).toBe(`docs/policies.md#${id}`);
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'policies.md'), 'utf8');
    expect(doc).toContain(`### ${id}\n`);
    const testFile = path.join(ROOT, 'test', 'policies', 'rules', `${id}.test.ts`);
    expect(fs.existsSync(testFile)).toBe(true);
    const tests = fs.readFileSync(testFile, 'utf8');
    expect(tests).toMatch(/must-not-fire/);
    expect(tests).toMatch(/test\('fails when /);
  });
  test('docs/policies.md carries the current generated rule reference (run gitplane policy --docs --output docs/policies.md)', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'policies.md'), 'utf8');
    expect(updateDocs(doc, RULES)).toBe(doc);
  });
});
