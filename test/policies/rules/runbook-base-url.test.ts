import { check, env, messages, spec } from '../support';

const withGitops = (gitops: Record<string, string>) =>
  env([], {
    spec: spec((s) => {
      Object.assign(s.gitops, gitops);
    }),
  });

describe('runbook-base-url', () => {
  test('passes prod, whose runbooks are its folder in the Forgejo web view of its repository (must-not-fire)', () => {
    expect(check('runbook-base-url', env([]))).toEqual([]);
  });

  test.each([
    ['GitHub blob view of an scp-style remote', { repoURL: 'git@github.com:example/gitops.git', runbookBaseUrl: 'https://github.com/example/gitops/blob/main/prod/runbooks' }],
    ['GitLab tree view under a path, trailing slash', { repoURL: 'ssh://git@gitlab.com/group/gitops.git', path: 'clusters', runbookBaseUrl: 'https://gitlab.com/group/gitops/-/tree/main/clusters/prod/runbooks/' }],
    ['Bitbucket src view of an https remote with a user', { repoURL: 'https://ci@bitbucket.org/example/gitops.git', branch: 'release', runbookBaseUrl: 'https://bitbucket.org/example/gitops/src/release/prod/runbooks' }],
  ])('passes the %s (must-not-fire)', (_, gitops) => {
    expect(check('runbook-base-url', withGitops(gitops))).toEqual([]);
  });

  test('is not applicable to a directory of manifests, which has no environment file', () => {
    expect(check('runbook-base-url', env([], { spec: null }))).toEqual([]);
  });

  test('fails when the base URL is on another host and repository, with the URL to use', () => {
    const [finding] = check('runbook-base-url', withGitops({ runbookBaseUrl: 'https://git.exmaple.com/nosuch/gitops/src/branch/main/prod/runbooks' }));
    expect(messages([finding])).toEqual([
      'runbook-base-url: gitops.runbookBaseUrl is https://git.exmaple.com/nosuch/gitops/src/branch/main/prod/runbooks, which is not the runbooks/ folder of environment prod in the web view of gitops.repoURL https://git.example.com/platform/gitops.git at branch main; every runbook link of its alerts would be dead.',
    ]);
    expect(finding.fix).toBe('Set gitops.runbookBaseUrl to https://git.example.com/platform/gitops/src/branch/main/prod/runbooks.');
    expect(finding.file).toBe('environments/prod.yaml');
  });

  test('fails when the base URL names another branch', () => {
    expect(check('runbook-base-url', withGitops({ branch: 'release' })).map((f) => f.fix)).toEqual(['Set gitops.runbookBaseUrl to https://git.example.com/platform/gitops/src/branch/release/prod/runbooks.']);
  });

  test('fails when the base URL leaves out gitops.path', () => {
    expect(check('runbook-base-url', withGitops({ path: 'clusters' })).map((f) => f.message)).toEqual([
      'gitops.runbookBaseUrl is https://git.example.com/platform/gitops/src/branch/main/prod/runbooks, which is not the runbooks/ folder of environment prod in the web view of gitops.repoURL https://git.example.com/platform/gitops.git at branch main under path clusters; every runbook link of its alerts would be dead.',
    ]);
  });

  test('fails when the base URL names another environment\'s folder', () => {
    expect(check('runbook-base-url', withGitops({ runbookBaseUrl: 'https://github.com/example/gitops/blob/main/staging/runbooks', repoURL: 'https://github.com/example/gitops.git' })).map((f) => f.fix)).toEqual([
      'Set gitops.runbookBaseUrl to https://github.com/example/gitops/blob/main/prod/runbooks.',
    ]);
  });
});
