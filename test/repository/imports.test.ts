/**
 * imports/ holds the typed custom-resource constructs `cdk8s import` generates from the pinned
 * CRDs: the committed code is what `npm run imports` writes, and a misspelt field does not compile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { IMPORTS_DIR, findCrds, generateImports, missingKinds } from '../../tools/imports';
import { loadSettings } from '../../stacks/settings';
import { readTree, tempDir } from '../support/cli';

const ROOT = path.join(__dirname, '..', '..');
const crdDirs = loadSettings().crdDirs;
const absent = missingKinds(findCrds(crdDirs));

if (absent.length > 0 && process.env.CI !== 'true') {
  // eslint-disable-next-line no-console
  console.warn(`skipping "imports/ is current": no CRD for ${absent.join(', ')} (the offline mirror ../shared/schemas is absent; run "gitplane schemas pull").`);
}
(absent.length > 0 && process.env.CI !== 'true' ? test.skip : test)('imports/ is what npm run imports generates from the pinned CRDs', () => {
  const out = tempDir('gitplane-imports-');
  generateImports(crdDirs, out);
  const committed = readTree(IMPORTS_DIR);
  const generated = readTree(out);
  expect(Object.keys(generated)).toEqual(Object.keys(committed));
  for (const [file, text] of Object.entries(generated)) {
    if (text !== committed[file]) throw new Error(`imports/${file} is not what "npm run imports" generates from the pinned CRDs. Run "npm run imports" and commit the result.`);
  }
});

test('fails when a CRD of an imported kind is missing', () => {
  const empty = tempDir('gitplane-imports-crds-');
  expect(() => generateImports([empty], tempDir('gitplane-imports-out-'))).toThrow(
    `No CRD found for argoproj.io/AppProject, argoproj.io/Application, argoproj.io/ApplicationSet, external-secrets.io/ClusterSecretStore, external-secrets.io/ExternalSecret, jetstream.nats.io/Consumer, jetstream.nats.io/Stream, monitoring.coreos.com/PodMonitor, monitoring.coreos.com/PrometheusRule, monitoring.coreos.com/ServiceMonitor in ${empty}. Run "gitplane schemas pull", or give the directory holding them with --crd-dir.`,
  );
});

/** Type-checks `source` as a file of constructs/ with the project's compiler options; returns the error messages. */
function compile(source: string): string[] {
  const file = path.join(ROOT, 'constructs', 'gitops', 'argocd', 'snippet.ts');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => (path.resolve(name) === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version));
  host.fileExists = (name) => path.resolve(name) === file || fs.existsSync(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true, types: ['node'] }, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const application = (syncPolicy: string) => `
import { App, Chart } from 'cdk8s';
import { Application } from '../../../imports/argoproj.io';
new Application(new Chart(new App(), 'c'), 'a', {
  metadata: { name: 'gitplane-test-fake' },
  spec: { project: 'dev', destination: { server: 'https://kubernetes.default.svc', namespace: 'dev' }, syncPolicy: ${syncPolicy} },
});
`;

test('an Application with its fields spelt right compiles', () => {
  expect(compile(application('{ automated: { prune: true, selfHeal: true } }'))).toEqual([]);
});

test('fails when a field of an Application is misspelt: the compiler refuses it', () => {
  expect(compile(application('{ automatic: { prune: true, selfHeal: true } }'))).toEqual([
    expect.stringContaining("'automatic' does not exist in type 'ApplicationSpecSyncPolicy'"),
  ]);
});
