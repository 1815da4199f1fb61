/**
 * imports/ holds the typed custom-resource constructs `cdk8s import` generates from the pinned
 * CRDs: the committed code is what `npm run imports` writes, and a misspelt field does not compile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { IMPORTS_DIR, generateImports } from '../../tools/imports';
import { loadSettings } from '../../stacks/settings';
import { readTree, tempDir } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';

const ROOT = path.join(__dirname, '..', '..');
const crdDirs = loadSettings().crdDirs;
testWithMirrors(['schemas'], 'imports/ is what npm run imports generates from the pinned CRDs', () => {
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

const application = (syncPolicy: string) => `
import { App, Chart } from 'cdk8s';
import { Application } from '../../../imports/argoproj.io';
new Application(new Chart(new App(), 'c'), 'a', {
  metadata: { name: 'gitplane-test-fake' },
  spec: { project: 'dev', destination: { server: 'https://kubernetes.default.svc', namespace: 'dev' }, syncPolicy: ${syncPolicy} },
});
`;

const SNIPPETS = {
  'spelt-right.ts': application('{ automated: { prune: true, selfHeal: true } }'),
  'misspelt.ts': application('{ automatic: { prune: true, selfHeal: true } }'),
};
type Snippet = keyof typeof SNIPPETS;

let compiled: Map<Snippet, string[]> | undefined;
/**
 * Type-checks each snippet as a file of constructs/ with the project's compiler options, all in one
 * program (each program parses and checks imports/argoproj.io.ts, 3.5 MB, again). The error
 * messages of a snippet include those of no file or another file, which must be none.
 */
function errors(snippet: Snippet): string[] {
  if (!compiled) {
    const dir = path.join(ROOT, 'constructs', 'gitops', 'argocd');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    const snippetOf = (name: string) => Object.keys(SNIPPETS).find((s) => path.join(dir, s) === path.resolve(name)) as Snippet | undefined;
    host.getSourceFile = (name, version) => {
      const snippet = snippetOf(name);
      return snippet ? ts.createSourceFile(name, SNIPPETS[snippet], version) : getSourceFile(name, version);
    };
    host.fileExists = (name) => snippetOf(name) !== undefined || fs.existsSync(name);
    const program = ts.createProgram(Object.keys(SNIPPETS).map((s) => path.join(dir, s)), { ...config.options, noEmit: true, types: ['node'] }, host);
    const diagnostics = ts.getPreEmitDiagnostics(program);
    compiled = new Map(Object.keys(SNIPPETS).map((s) => [s as Snippet, diagnostics.filter((d) => !d.file || snippetOf(d.file.fileName) === undefined || snippetOf(d.file.fileName) === s).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))]));
  }
  return compiled.get(snippet)!;
}

test('an Application with its fields spelt right compiles', () => {
  expect(errors('spelt-right.ts')).toEqual([]);
});

test('fails when a field of an Application is misspelt: the compiler refuses it', () => {
  expect(errors('misspelt.ts')).toEqual([expect.stringContaining("'automatic' does not exist in type 'ApplicationSpecSyncPolicy'")]);
});
