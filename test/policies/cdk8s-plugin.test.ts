import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitplaneValidation } from '../../policies/cdk8s-plugin';
import { tempDir } from '../support/cli';

function run(yaml: string) {
  const file = path.join(tempDir(), 'chart.k8s.yaml');
  fs.writeFileSync(file, yaml);
  const violations: { ruleName: string; recommendation: string; violatingResources: { manifestPath: string }[] }[] = [];
  let status = '';
  return new GitplaneValidation({ packs: ['secrets'] })
    .validate({ manifests: [file], report: { addViolation: (v) => violations.push(v), submit: (s) => (status = s) } })
    .then(() => ({ violations, status, file }));
}

describe('cdk8s validation plugin', () => {
  test('approves manifests without findings (must-not-fire)', async () => {
    const r = await run('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: demo}\ndata: {level: info}\n');
    expect([r.status, r.violations]).toEqual(['success', []]);
  });
  test('fails when a synthesized Secret carries stringData', async () => {
    const r = await run('apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: demo}\nstringData: {password: fixture-not-a-secret}\n');
    expect(r.status).toBe('failure');
    expect(r.violations.map((v) => [v.ruleName, v.recommendation, v.violatingResources[0].manifestPath])).toEqual([['no-secret-data', 'Secret/demo/s: Secret has stringData with key(s) password; secret values must not be in Git.', r.file]]);
  });
});
