import { filepathMatch, globMatch } from '../../policies/lib/globs';

describe('globMatch (gobwas/glob, as Argo CD matches repositories and destinations)', () => {
  test.each([
    ['*', 'a/b', '', true],
    ['*', 'a/b', '/', false],
    ['**', 'a/b', '/', true],
    ['https://h/*/x', 'https://h/a/x', '/', true],
    ['https://h/*/x', 'https://h/a/b/x', '/', false],
    ['?', '/', '/', false],
    ['kube-?ystem', 'kube-system', '', true],
    ['{dev,prod}-*', 'prod-nats', '', true],
    ['{dev,prod}-*', 'stage-nats', '', false],
    ['[a-c]x', 'bx', '', true],
    ['[!a-c]x', 'bx', '', false],
    ['[xyz]', 'y', '', true],
    ['a\\*', 'a*', '', true],
    ['a\\*', 'ab', '', false],
    ['a.b', 'axb', '', false],
    ['[', '[', '', false],
    ['[]', '', '', false],
    ['[c-a]', 'b', '', false],
  ])('%s against %s (separators %j) is %s', (pattern, text, separators, expected) => {
    expect(globMatch(pattern, text, separators)).toBe(expected);
  });
});

describe("filepathMatch (Go's path/filepath.Match, as Argo CD matches groups and kinds)", () => {
  test.each([
    ['*', '', true],
    ['', '', true],
    ['', 'apps', false],
    ['Cluster*', 'ClusterRole', true],
    ['*.k8s.io', 'rbac.authorization.k8s.io', true],
    ['Config?ap', 'ConfigMap', true],
    ['[^A-Z]*', 'Role', false],
    ['[A-Z]ole', 'Role', true],
    ['\\*', '*', true],
    ['[]a]', 'a', false],
    ['[a', 'a', false],
    ['a\\', 'a', false],
    ['*', 'a/b', false],
    ['[c-a]', 'b', false],
    ['[^c-a]', 'b', true],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(filepathMatch(pattern, name)).toBe(expected);
  });
});
