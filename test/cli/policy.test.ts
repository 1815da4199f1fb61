import { RULES } from '../../policies/registry';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, gitplane, tempDir } from '../support/cli';
import { missingMirrors, testWithMirrors, withoutMirrorWarnings } from '../support/mirrors';
import { describeWithTool } from '../support/tools';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

/**
 * Without the offline mirrors, policy in CI refuses what it could not check (test/cli/schemas.test.ts);
 * the tests of its other behaviour then run it as outside CI, where it warns about that and judges the rest.
 */
const JUDGING = missingMirrors(['schemas', 'charts']).length === 0 ? {} : { CI: '' };

describeWithTool('helm', 'gitplane policy over the rendered charts', () => {
  testWithMirrors(['schemas', 'charts'], 'passes every shipped environment, its Helm applications rendered, with zero mandatory findings', () => {
    const r = gitplane(['policy', '--all', '--quiet', '--strict']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^prod: 0 mandatory, 0 advisory finding\\(s\\); ${RULES.length} rules run; 0 exemption\\(s\\) in force\\.$`, 'm'));
  });
  testWithMirrors(['schemas', 'charts'], 'with --dir, renders the charts the Applications under DIR install, with the values files beside them', () => {
    const out = tempDir();
    expect(gitplane(['synth', '--env', 'dev', '--out', out, '--quiet']).status).toBe(0);
    const validate = gitplane(['validate', '--dir', path.join(out, 'dev')]);
    expect(validate.stderr).toMatch(/^validate .*dev: \d+ object\(s\), \d+ rendered from 3 chart\(s\)$/m);
    expect(validate).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
    const policy = gitplane(['policy', '--dir', path.join(out, 'dev'), '--format', 'json', '--quiet']);
    const judged = JSON.parse(policy.stdout).environments[0];
    expect(judged.rules).toContain('render-deterministic');
    expect(judged.findings.filter((f: { rule: string }) => f.rule === 'render-deterministic')).toEqual([]);
  });
});

describe('charts that cannot be rendered (no helm)', () => {
  const noHelm = { GITPLANE_HELM: '', PATH: path.dirname(process.execPath) };
  const warning = 'not rendered, so not judged: the chart kube-prometheus-stack 88.5.3 of application observability-prometheus (1), the chart longhorn 1.12.1 of application longhorn (1), the chart nack 0.34.0 of application nats (1). Install Helm v4.1.4 on PATH (https://helm.sh/docs/intro/install/; in a gitplane checkout "bash tools/install.sh helm" builds it), or point GITPLANE_HELM at it.';
  testWithMirrors(['schemas', 'charts'], 'validate and policy name them and the fix in a warning, and judge the rest', () => {
    for (const command of ['validate', 'policy']) {
      const r = gitplane([command, '--env', 'dev', '--quiet'], { env: { ...noHelm, CI: '' } });
      expect(r.stderr).toBe(`warning: ${warning}\n`);
      expect(r.status).toBe(0);
    }
  });
  testWithMirrors(['charts'], 'fails in CI: validate and policy refuse them (exit 1), naming each chart\'s values file and Application', () => {
    for (const command of ['validate', 'policy']) {
      const r = gitplane([command, '--env', 'dev', '--quiet'], { env: { ...noHelm, CI: 'true' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error: dev/values/longhorn.yaml: Application/argocd/dev-longhorn: the chart longhorn 1.12.1 of application longhorn was not rendered, so what it adds was not judged: no helm on PATH and GITPLANE_HELM is not set.');
      expect(r.stderr).toContain(`error: ${warning}`);
      expect(r.stdout).toBe('');
    }
  });
});

describe('gitplane policy', () => {
  test('writes SARIF to --output', () => {
    const out = path.join(tempDir(), 'policy.sarif');
    expect(gitplane(['policy', '--env', 'prod', '--format', 'sarif', '--output', out, '--quiet'], { env: JUDGING }).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).version).toBe('2.1.0');
  });
  test('one run writes every --report format and the synthesized output (--out), which diff --rendered reuses', () => {
    const dir = tempDir();
    const file = (name: string) => path.join(dir, name);
    const r = gitplane(['policy', '--env', 'dev', '--env', 'prod', '--quiet', '--out', file('dist'), '--format', 'json', '--report', `sarif=${file('p.sarif')}`, '--report', `junit=${file('p.xml')}`, '--report', `markdown=${file('p.md')}`], { env: JUDGING });
    expect([r.status, withoutMirrorWarnings(r.stderr)]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'prod']);
    expect(JSON.parse(fs.readFileSync(file('p.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(fs.readFileSync(file('p.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(fs.readFileSync(file('p.md'), 'utf8')).toContain('| dev |');
    expect(fs.readdirSync(file('dist')).sort()).toEqual(['dev', 'prod']);
    const d = gitplane(['diff', '--env', 'prod', '--against', file('dist'), '--rendered', file('dist'), '--exit-code']);
    expect([d.status, d.stderr]).toEqual([0, '']);
  });
  test('fails with exit 2 on a --report that is not FORMAT=FILE, or two reports to one file', () => {
    for (const [args, message] of [
      [['--report', 'xml=a.xml'], '--report must be FORMAT=FILE with FORMAT one of text, json, sarif, junit, github, markdown (got "xml=a.xml"), e.g. --report sarif=gitplane.sarif.'],
      [['--report', 'sarif'], '--report must be FORMAT=FILE with FORMAT one of text, json, sarif, junit, github, markdown (got "sarif")'],
      [['--report', 'sarif=', '--env', 'dev'], '(got "sarif=")'],
      [['--report', 'sarif=a', '--output', 'a'], 'a is named by two reports (--report, --output). Give each report its own file.'],
      [['--dir', '.', '--out', 'x'], '--dir cannot be combined with --env, --all, --file, --out or --base.'],
    ] as const) {
      const r = gitplane(['policy', ...args]);
      expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
  });
  test('fails with exit 1 on mandatory findings in a directory of manifests, each located at its object\'s line in its file (github, sarif)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n# gitplane-test-fake\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: demo}\nstringData: {password: fixture-not-a-secret}\n');
    const r = gitplane(['policy', '--dir', dir, '--format', 'github', '--report', `sarif=${path.join(dir, 'report.sarif')}`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`::error file=${dir}/secret.yaml,line=6,title=no-secret-data (${dir.replace(/:/g, '%3A')})::Secret/demo/s: Secret has stringData with key(s) password`);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'report.sarif'), 'utf8')).runs[0].results;
    const secret = results.find((x: { ruleId: string }) => x.ruleId === 'no-secret-data');
    expect(secret.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: `${dir}/secret.yaml` }, region: { startLine: 6 } });
  });
  test('fails with exit 2 on an unknown format', () => {
    const r = gitplane(['policy', '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--format must be one of text, json, sarif, junit, github, markdown (got "xml").');
  });
  test('--base judges the change: an unacknowledged stream recreation is a mandatory finding', () => {
    const file = path.join(tempDir(), 'prod.yaml');
    const prod = fs.readFileSync(path.join(ROOT, 'environments', 'prod.yaml'), 'utf8');
    const workqueue = prod.replace('        subjects: ["audit.>"]\n        retention: limits\n', '        subjects: ["audit.>"]\n        retention: workqueue\n');
    expect(workqueue).not.toBe(prod);
    fs.writeFileSync(file, workqueue);
    const r = gitplane(['policy', '--file', file, '--base', 'HEAD', '--quiet'], { env: JUDGING });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('nats-stream-recreate');
    expect(r.stdout).toContain('Against HEAD, changing retention from limits to workqueue recreates the stream, loses messages');
    // Without --base there is nothing to compare with.
    expect(gitplane(['policy', '--file', file, '--quiet'], { env: JUDGING }).status).toBe(0);
    fs.writeFileSync(file, workqueue.replace('        retention: workqueue\n', '        retention: workqueue\n        acknowledgeRecreate: [{ field: retention, from: limits, to: workqueue }]\n'));
    expect(gitplane(['policy', '--file', file, '--base', 'HEAD', '--quiet'], { env: JUDGING }).status).toBe(0);
  });
  test('fails with exit 2 when --base names no commit, or is combined with --dir', () => {
    const r = gitplane(['policy', '--env', 'dev', '--base', 'no-such-ref'], { env: JUDGING });
    expect([r.status, withoutMirrorWarnings(r.stderr)]).toEqual([2, 'error: --base no-such-ref: not a commit of this repository. Give a branch, tag or commit (e.g. origin/main).\n']);
    expect(gitplane(['policy', '--dir', '.', '--base', 'HEAD']).stderr).toContain('--dir cannot be combined with --env, --all, --file, --out or --base.');
  });
  test('fails with exit 2 when --dir is combined with --env', () => {
    expect(gitplane(['policy', '--dir', '.', '--env', 'prod']).status).toBe(2);
  });
  test('fails with exit 2 when --dir is not a directory', () => {
    const r = gitplane(['policy', '--dir', 'no/such/dir']);
    expect([r.status, r.stderr]).toEqual([2, 'error: no/such/dir: not a directory. Give a directory of manifests.\n']);
  });
  test.each([['policy'], ['validate']])('fails with exit 2 when a file under %s --dir is not valid YAML, naming the file as given, its line and column', (command) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'good.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n');
    fs.mkdirSync(path.join(dir, 'apps'));
    fs.writeFileSync(path.join(dir, 'apps', 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n');
    const r = gitplane([command, '--dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${path.join(dir, 'apps', 'bad.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: the file is not valid YAML: [^\\n]+\\. Fix the syntax\\.\n`, 'm'));
  });
  test.each([['policy'], ['validate']])('fails with exit 2 when a document under %s --dir has aliases past the limit, naming the file and its line, instead of crashing', (command) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'laughs.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\ndata:\n${ALIAS_BOMB.replace(/^/gm, '  ').trimEnd()}\n`);
    const r = gitplane([command, '--dir', dir]);
    expect([r.status, r.stderr]).toEqual([
      2,
      `error: ${path.join(dir, 'laughs.yaml')}:6: ${ALIAS_BOMB_PROBLEM}\n`,
    ]);
  });
  test('fails when objects under validate --dir break their schema: each problem names the file as given, the line and column of the field (the object\'s when the field is missing) and the value found; a duplicate names the line of the first', () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'vd'));
    fs.writeFileSync(
      path.join(cwd, 'vd', 'a.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: "3"\n  selector: {}\n---\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n',
    );
    const r = gitplane(['validate', '--dir', 'vd', '--quiet'], { cwd });
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(
      [
        'error: vd/a.yaml:6:3: ConfigMap/x: data.a: must be string (got number 1). Quote the value: "1".',
        'error: vd/a.yaml:12:1: Deployment/d: spec: must have required property template. Add spec.template, a PodTemplateSpec mapping.',
        'error: vd/a.yaml:13:3: Deployment/d: spec.replicas: must be integer (got string "3"). Write the number without quotes: 3.',
        'error: vd/a.yaml:18:5: ConfigMap without a name: metadata.name: required; every object needs a name. Add metadata.name.',
        'error: vd/a.yaml:19:5: ConfigMap/x: duplicate object: v1 ConfigMap/x is also defined in vd/a.yaml:1. Rename or remove one of them.',
        'error: 5 problem(s) found.',
        '',
      ].join('\n'),
    );
  });
  test.each([['policy'], ['validate']])('%s --dir reads values/ at the top of DIR as the Helm values it is, not as manifests, also without apps/ or bootstrap/ beside it', (command) => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'values'));
    fs.writeFileSync(path.join(dir, 'settings.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: demo\ndata:\n  a: "1"\n');
    fs.writeFileSync(path.join(dir, 'values', 'web.yaml'), 'replicas: 1\nimage:\n  tag: "1.0"\n');
    const r = gitplane([command, '--dir', dir, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('values/web.yaml');
    expect(r.stdout).toContain(command === 'validate' ? 'all objects valid' : `${dir}/settings.yaml: ConfigMap/demo/settings: [namespace-before-objects]`);
  });
  describe('validate --dir reports documents of any shape as problems of their file, never crashing', () => {
    const APP = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x, namespace: argocd}\n';
    const HELM = 'chart: c, repoURL: https://charts.example.com, targetRevision: 1.0.0';
    const validateDir = (content: string, status: number, expected: string) => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'apps', 'x'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'values'));
      fs.writeFileSync(path.join(dir, 'apps', 'x', 'f.yaml'), content);
      fs.writeFileSync(path.join(dir, 'values', 'x.yaml'), 'replicas: 1\n');
      const r = gitplane(['validate', '--dir', dir]);
      expect(r.stderr).not.toMatch(/Error:|\n {4}at /);
      expect(r.status).toBe(status);
      expect(r.stderr).toContain(expected);
    };
    test.each([
      ['a List of scalars', 'kind: List\nitems: [1, "x", null]\n', 1, 'apps/x/f.yaml:2:17: a document: is null, not a Kubernetes object. Write each document as a map with apiVersion, kind and metadata, or remove it.'],
      ['a number as apiVersion', 'apiVersion: 5\nkind: ConfigMap\nmetadata: {name: a}\n', 1, 'apps/x/f.yaml:1:1: ConfigMap/a: apiVersion and kind must both be strings; every Kubernetes object needs them (got apiVersion number 5, kind string "ConfigMap"). Set them, e.g. apiVersion: v1 and kind: ConfigMap.'],
      ['an Application whose value files are not a list', `${APP}spec: {source: {${HELM}, helm: {valueFiles: 5}}}\n`, 2, 'installs chart c with value files 5;'],
    ])('%s', (_, content, status, expected) => validateDir(content, status, expected));
    // The Application's schema check, which names the field, needs its CRD.
    testWithMirrors(['schemas'], 'an Application whose sources is not a list', () => validateDir(`${APP}spec: {sources: 5}\n`, 1, 'apps/x/f.yaml:4:8: Application/argocd/x: spec.sources: must be array (got number 5). Give a list.'));
    testWithMirrors(['schemas'], 'an Application whose helm parameters are not maps of strings', () =>
      validateDir(`${APP}spec: {source: {${HELM}, helm: {valueFiles: [$values/x/values/x.yaml], parameters: [5, null, {name: 5, value: [1]}]}}}\n`, 1, 'spec.source.helm.parameters[2].value: must be string (got a list of 1). Give a string.'),
    );
  });
  test('--docs prints the generated rule reference', () => {
    const r = gitplane(['policy', '--docs']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('### no-secret-data\n');
  });
});
