import { environmentPath } from '../../stacks/gitops-names';
import { docsUrl } from '../lib/docs-url';
import { EnvironmentRule } from '../types';

/**
 * How the web views of Git forges address a folder at a branch, after the repository's own URL:
 * Gitea and Forgejo (`/src/branch/`), GitHub (`/blob/`, `/tree/`), GitLab (`/-/blob/`, `/-/tree/`),
 * Bitbucket (`/src/`).
 */
const BRANCH_MARKERS = ['/src/branch/', '/blob/', '/tree/', '/-/blob/', '/-/tree/', '/src/'] as const;

export const rule: EnvironmentRule = {
  id: 'runbook-base-url',
  scope: 'environment',
  // Mandatory in production (and with policy.mandatory); advisory where a copied environment file
  // is still being set up.
  severity: 'warning',
  pack: 'runbooks',
  description:
    'gitops.runbookBaseUrl is the web view of the environment\'s runbooks/ folder in the GitOps repository: gitops.repoURL without .git, a forge\'s branch marker, gitops.branch, then gitops.path and the environment name.',
  rationale:
    'Every runbook_url of the environment\'s alerts is built from it; a base URL on another host, repository, branch or folder links every notification to a page that does not exist, and the person paged finds out at the worst moment.',
  remediation: 'Set gitops.runbookBaseUrl to the runbooks/ folder of the environment in the web view of gitops.repoURL at gitops.branch.',
  docsUrl: docsUrl('runbook-base-url'),
  kinds: [],
  check(ctx) {
    const spec = ctx.spec;
    if (!spec) return 'not-applicable';
    const web = webUrl(spec.gitops.repoURL);
    const folder = `${spec.gitops.branch}/${environmentPath(spec)}/runbooks`;
    const given = spec.gitops.runbookBaseUrl.replace(/\/+$/, '');
    if (BRANCH_MARKERS.some((marker) => given === `${web}${marker}${folder}`)) return [];
    const marker = BRANCH_MARKERS.find((m) => given.includes(m)) ?? (web.startsWith('https://github.com/') ? '/blob/' : web.startsWith('https://gitlab.com/') ? '/-/blob/' : '/src/branch/');
    const expected = `${web}${marker}${folder}`;
    return [
      {
        message: `gitops.runbookBaseUrl is ${spec.gitops.runbookBaseUrl}, which is not the runbooks/ folder of environment ${spec.name} in the web view of gitops.repoURL ${spec.gitops.repoURL} at branch ${spec.gitops.branch}${spec.gitops.path ? ` under path ${spec.gitops.path}` : ''}; every runbook link of its alerts would be dead.`,
        value: spec.gitops.runbookBaseUrl,
        fix: `Set gitops.runbookBaseUrl to ${expected}.`,
      },
    ];
  },
};

/** `https://user@host/owner/repo.git`, `ssh://git@host/owner/repo.git` or `git@host:owner/repo.git` -> `https://host/owner/repo`. */
function webUrl(repoURL: string): string {
  const scp = /^[^@/]+@([^:/]+):(.+)$/.exec(repoURL);
  const url = scp ? `https://${scp[1]}/${scp[2]}` : repoURL.replace(/^ssh:\/\//, 'https://');
  return url
    .replace(/^https:\/\/[^@/]+@/, 'https://')
    .replace(/^(https:\/\/[^/:]+):\d+\//, '$1/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
