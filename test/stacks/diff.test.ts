import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffEnvironment, formatMarkdown, formatText } from '../../stacks/diff';
import { synthEnvironment } from '../../stacks/synth';
import { gitplane, tempDir } from '../support/cli';
import { built, variant } from '../support/environments';

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

describe('gitplane diff', () => {
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

  test('--base HEAD on an unchanged environment reports no changes', () => {
    const r = gitplane(['diff', '--env', 'dev', '--base', 'HEAD', '--exit-code']);
    expect(r).toMatchObject({ status: 0, stdout: 'dev: no changes\n' });
  });

  test('fails when --base names no commit', () => {
    const r = gitplane(['diff', '--base', 'no-such-ref']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--base no-such-ref: not a commit of this repository');
  });

  test('fails when neither or both of --base and --against are given', () => {
    expect(gitplane(['diff']).status).toBe(2);
    expect(gitplane(['diff', '--base', 'HEAD', '--against', '.']).stderr).toContain('give exactly one of --base REF or --against DIR');
  });

  test('fails when --format is unknown', () => {
    expect(gitplane(['diff', '--base', 'HEAD', '--format', 'html']).stderr).toContain('--format must be text or markdown (got "html").');
  });
});
