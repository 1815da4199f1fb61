import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { gitplane, readTree, ROOT, tempDir } from '../support/cli';

test('synth output is byte-identical whatever LANG and LC_ALL say (code-point order, never localeCompare)', () => {
  // In Danish and Norwegian collation "aa" is the letter å and sorts after "z"; code points put it first.
  const dir = tempDir();
  const file = path.join(dir, 'pi-edge.yaml');
  const shipped = fs.readFileSync(path.join(ROOT, 'environments', 'pi-edge.yaml'), 'utf8');
  fs.writeFileSync(file, shipped.replace('https://git.example.com/platform/gitops.git', 'https://aa.example.com/platform/gitops.git'));
  const trees = ['C.UTF-8', 'en_US.UTF-8', 'da_DK.UTF-8', 'sv_SE.UTF-8'].map((locale) => {
    const out = path.join(dir, `out-${locale}`);
    expect(gitplane(['synth', '--file', file, '--out', out, '--quiet'], { env: { LANG: locale, LC_ALL: locale } }).status).toBe(0);
    return readTree(out);
  });
  for (const tree of trees.slice(1)) expect(tree).toEqual(trees[0]);
  const project = parse(trees[0]['pi-edge/bootstrap/appproject-pi-edge.yaml']) as { spec: { sourceRepos: string[] } };
  expect(project.spec.sourceRepos).toEqual([
    'https://aa.example.com/platform/gitops.git',
    'https://charts.external-secrets.io',
    'https://charts.longhorn.io',
    'https://nats-io.github.io/k8s/helm/charts/',
    'https://prometheus-community.github.io/helm-charts',
  ]);
});
