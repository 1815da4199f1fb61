import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffEnvironment, formatMarkdown, formatText } from '../../stacks/diff';
import { synthEnvironment } from '../../stacks/synth';
import { gitplane, tempDir } from '../support/cli';
import { built, variant } from '../support/environments';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';

describe('diffEnvironment', () => {
  const before = built('prod').output.files;
  const after = synthEnvironment(
    variant('prod', (s) => {
      (s.components.nats as { memoryStorage: string }).memoryStorage = '2Gi';
    }),
  ).files;
  const diff = diffEnvironment('prod', before, after);

  test('a change to one environment file shows exactly the objects that change, per application', () => {
    expect(diff.applications.map((a) => [a.app, a.objects.map((o) => `${o.change} ${o.ref}`)])).toEqual([
      ['nats', ['changed ConfigMap/nats/nats-config', 'changed StatefulSet/nats/nats']],
    ]);
  });

  test('changed objects list each changed field with its path, old and new value', () => {
    const sts = diff.applications[0].objects.find((o) => o.ref === 'StatefulSet/nats/nats')!;
    expect(sts.fields.map((f) => f.path)).toEqual([
      'spec.template.metadata.annotations.gitplane.dev/config-sha256',
      'spec.template.spec.containers[0].resources.limits.memory',
      'spec.template.spec.containers[0].resources.requests.memory',
    ]);
    expect(sts.fields[1]).toEqual({ path: 'spec.template.spec.containers[0].resources.limits.memory', before: '1280Mi', after: '2304Mi' });
  });

  test('identical trees have no differences', () => {
    expect(diffEnvironment('prod', before, before).applications).toEqual([]);
  });

  test('renders as text and as a Markdown table', () => {
    expect(formatText([diff])).toContain('  nats:\n    ~ ConfigMap/nats/nats-config');
    expect(formatText([diff])).toContain('        spec.template.spec.containers[0].resources.limits.memory: "1280Mi" -> "2304Mi"');
    expect(formatMarkdown([diff])).toContain('| changed | `StatefulSet/nats/nats` | `spec.template.spec.containers[0].resources.limits.memory` | `"1280Mi"` | `"2304Mi"` |');
    expect(formatText([diffEnvironment('dev', before, before)])).toBe('dev: no changes');
  });
});

describe('diffEnvironment: JetStream streams that must be recreated', () => {
  const before = built('prod').output.files;
  const toWorkqueue = (acknowledge: boolean) =>
    synthEnvironment(
      variant('prod', (s) => {
        const audit = s.components.nats.streams.find((x) => x.name === 'AUDIT')! as { retention: string; acknowledgeRecreate: unknown[] };
        audit.retention = 'workqueue';
        if (acknowledge) audit.acknowledgeRecreate = [{ field: 'retention', from: 'limits', to: 'workqueue' }];
      }),
    ).files;
  const warning =
    'changing retention from limits to workqueue recreates the stream, loses messages: nats-server refuses it in place ("stream configuration update can not change retention policy to/from workqueue"), so the old stream must be deleted first';

  test('a retention change to workqueue says it recreates the stream and loses messages, and that nobody acknowledged it', () => {
    const diff = diffEnvironment('prod', before, toWorkqueue(false));
    const audit = diff.applications.find((a) => a.app === 'nats')!.objects.find((o) => o.ref === 'Stream/nats/stream-audit')!;
    expect(audit.warnings).toEqual([`${warning} (not acknowledged).`]);
    expect(formatText([diff])).toContain(`        spec.retention: "limits" -> "workqueue"\n        ! ${warning} (not acknowledged).`);
    expect(formatMarkdown([diff])).toContain(`- **Warning** \`Stream/nats/stream-audit\`: ${warning} (not acknowledged).`);
  });

  test('an acknowledged change still shows, marked acknowledged', () => {
    const audit = diffEnvironment('prod', before, toWorkqueue(true)).applications.find((a) => a.app === 'nats')!.objects.find((o) => o.ref === 'Stream/nats/stream-audit')!;
    expect(audit.warnings).toEqual([`${warning} (acknowledged in the environment).`]);
  });

  test('a change nats-server makes in place carries no warning', () => {
    const changed = synthEnvironment(variant('prod', (s) => ((s.components.nats.streams.find((x) => x.name === 'AUDIT')! as { maxBytes?: string }).maxBytes = '1Gi'))).files;
    const audit = diffEnvironment('prod', before, changed).applications.find((a) => a.app === 'nats')!.objects.find((o) => o.ref === 'Stream/nats/stream-audit')!;
    expect(audit.fields.map((f) => f.path)).toEqual(['spec.maxBytes']);
    expect(audit.warnings).toBeUndefined();
  });
});

describe('gitplane diff', () => {
  test('--against a tree whose stream had another storage warns that the stream is recreated', () => {
    const dir = tempDir();
    expect(gitplane(['synth', '--env', 'prod', '--out', dir, '--quiet']).status).toBe(0);
    const file = fs.readdirSync(path.join(dir, 'prod', 'apps', 'nats')).find((f) => /stream.*audit/.test(f))!;
    const stream = path.join(dir, 'prod', 'apps', 'nats', file);
    fs.writeFileSync(stream, fs.readFileSync(stream, 'utf8').replace('storage: file', 'storage: memory'));
    const r = gitplane(['diff', '--env', 'prod', '--against', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '    ~ Stream/nats/stream-audit\n        spec.storage: "memory" -> "file"\n        ! changing storage from memory to file recreates the stream, loses messages: nats-server refuses it in place ("stream configuration update can not change storage type"), so the old stream must be deleted first (not acknowledged).\n',
    );
  });

  test('--against a rendered tree shows added, removed and changed objects', () => {
    const dir = tempDir();
    expect(gitplane(['synth', '--env', 'dev', '--out', dir, '--quiet']).status).toBe(0);
    fs.rmSync(path.join(dir, 'dev', 'apps', 'namespaces', 'namespace-nats.yaml'));
    const root = path.join(dir, 'dev', 'bootstrap', 'application-dev-root.yaml');
    fs.writeFileSync(root, fs.readFileSync(root, 'utf8').replace('targetRevision: main', 'targetRevision: old'));
    fs.mkdirSync(path.join(dir, 'dev', 'apps', 'gone'));
    fs.writeFileSync(path.join(dir, 'dev', 'apps', 'gone', 'configmap-gone.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n  namespace: nats\n');
    const r = gitplane(['diff', '--env', 'dev', '--against', dir, '--exit-code']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        'dev:',
        '  bootstrap:',
        '    ~ Application/argocd/dev-root',
        '        spec.source.targetRevision: "old" -> "main"',
        '  gone:',
        '    - ConfigMap/nats/gone',
        '  namespaces:',
        '    + Namespace/nats',
        '',
      ].join('\n'),
    );
  });

  test.each([['an object file', 'apps/gone/configmap-laughs.yaml'], ['a values file', 'values/laughs.yaml']])('fails with exit 2 when %s of the other tree has aliases past the limit, naming it, instead of crashing', (_, file) => {
    const dir = tempDir();
    fs.mkdirSync(path.dirname(path.join(dir, 'dev', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dev', file), ALIAS_BOMB);
    const r = gitplane(['diff', '--env', 'dev', '--against', dir]);
    expect([r.status, r.stderr]).toEqual([2, `error: ${path.join(dir, 'dev', file)}:1: ${ALIAS_BOMB_PROBLEM}\n`]);
  });

  test.each([
    ['an object file of the --against tree', '--against', 'apps/x/f.yaml'],
    ['a values file of the --against tree', '--against', 'values/x.yaml'],
    ['an object file of the --rendered tree', '--rendered', 'apps/x/f.yaml'],
  ])('fails with exit 2 when %s is not valid YAML, naming it under the directory given, with its line and column', (_, option, file) => {
    const [against, rendered] = [tempDir(), tempDir()];
    const bad = path.join(option === '--against' ? against : rendered, 'dev', file);
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n');
    const good = path.join(rendered, 'dev', 'apps', 'y', 'g.yaml');
    fs.mkdirSync(path.dirname(good), { recursive: true });
    fs.writeFileSync(good, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n');
    const r = gitplane(['diff', '--env', 'dev', '--against', against, '--rendered', rendered]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: the file is not valid YAML: [^\\n]+\\. Fix the syntax\\.\\n$`));
  });

  test('--against a tree whose Stream fields have other shapes reads them as absent, warning of nothing it cannot read, instead of crashing', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'dev', 'apps', 'nats'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'dev', 'apps', 'nats', 'streams.yaml'),
      'apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata: {name: stream-old, namespace: nats}\nspec: {name: OLD, subjects: 7, storage: {a: 1}, retention: 5}\n---\napiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata: {name: stream-odd, namespace: nats}\nspec: [1]\n',
    );
    const r = gitplane(['diff', '--env', 'dev', '--against', dir]);
    expect(r.stderr).not.toMatch(/Error:|\n {4}at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('    + Stream/nats/stream-events\n    - Stream/nats/stream-odd\n    - Stream/nats/stream-old\n');
    expect(r.stdout).not.toContain('!');
  });

  test('--base HEAD on an unchanged environment reports no changes', () => {
    const r = gitplane(['diff', '--env', 'dev', '--base', 'HEAD', '--exit-code']);
    expect(r).toMatchObject({ status: 0, stdout: 'dev: no changes\n' });
  });

  test('fails when --base names no commit', () => {
    const r = gitplane(['diff', '--base', 'no-such-ref']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--base no-such-ref: not a commit of this repository');
  });

  test('fails when the project is not a Git repository (a fresh scaffold), naming the fix', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, 'environments'));
    // The reference dev environment without the application only this repository registers.
    const dev = fs.readFileSync(path.join(__dirname, '..', '..', 'environments', 'dev.yaml'), 'utf8');
    fs.writeFileSync(path.join(project, 'environments', 'dev.yaml'), dev.slice(0, dev.indexOf('\napps:\n') + 1));
    const r = gitplane(['diff', '--base', 'HEAD'], { cwd: project });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('error: --base HEAD: environments/ is not in a Git repository, so it has no commit to compare with. Run "git init" and commit the environment files, then give a branch, tag or commit.\n');
  });

  test('fails when neither or both of --base and --against are given', () => {
    expect(gitplane(['diff']).status).toBe(2);
    expect(gitplane(['diff', '--base', 'HEAD', '--against', '.']).stderr).toContain('give exactly one of --base REF or --against DIR');
  });

  test('fails when --format is unknown', () => {
    expect(gitplane(['diff', '--base', 'HEAD', '--format', 'html']).stderr).toContain('--format must be text or markdown (got "html").');
  });
});
