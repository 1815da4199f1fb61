/**
 * What an editor shows for environment files: the real yaml-language-server with the committed
 * environments/environment.schema.json, found through each file's `$schema` line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/cli';
import { Diagnostic, yamlDiagnostics } from '../support/yaml-language-server';

const ENVIRONMENTS = path.join(__dirname, '..', '..', 'environments');

/** Diagnostics per file name, each as "line: message" (lines counted from 1). */
async function diagnose(files: readonly string[]): Promise<Record<string, string[]>> {
  const published = await yamlDiagnostics(files);
  const show = (d: Diagnostic) => `${d.range.start.line + 1}: ${d.message}`;
  return Object.fromEntries(files.map((file) => [path.basename(file), (published.get(file) ?? []).map(show)]));
}

test('every shipped environment file gets no diagnostics from yaml-language-server', async () => {
  const names = fs.readdirSync(ENVIRONMENTS).filter((f) => f.endsWith('.yaml') && f !== 'versions.yaml');
  expect(names.length).toBeGreaterThanOrEqual(4);
  const diagnostics = await diagnose(names.map((name) => path.join(ENVIRONMENTS, name)));
  expect(diagnostics).toEqual(Object.fromEntries(names.map((name) => [name, []])));
});

test('fails when an environment file has an unknown field, a wrong value or leaves out a required field', async () => {
  const dir = tempDir('gitplane-editor-');
  fs.copyFileSync(path.join(ENVIRONMENTS, 'environment.schema.json'), path.join(dir, 'environment.schema.json'));
  const dev = fs.readFileSync(path.join(ENVIRONMENTS, 'dev.yaml'), 'utf8');
  const variants: Record<string, string> = {
    'unknown-field.yaml': dev.replace('numberOfReplicas: 1', 'numberOfReplica: 1'),
    'wrong-value.yaml': dev.replace('distribution: k3s', 'distribution: k8s'),
    'missing-required.yaml': dev.replace('  kubernetesVersion: 1.34.2\n', ''),
  };
  for (const [name, text] of Object.entries(variants)) {
    expect(text).not.toBe(dev);
    fs.writeFileSync(path.join(dir, name), text);
  }
  const diagnostics = await diagnose(Object.keys(variants).map((name) => path.join(dir, name)));
  expect(diagnostics).toEqual({
    'unknown-field.yaml': ['19: Property numberOfReplica is not allowed.'],
    'wrong-value.yaml': ['7: Value is not accepted. Valid values: "kubeadm", "k3s".'],
    'missing-required.yaml': ['5: Missing property "kubernetesVersion".'],
  });
});
