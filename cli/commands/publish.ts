import type { PublishGate } from '../../stacks/publish';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command } from '../command';
import { UsageError } from '../usage-error';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...ENVIRONMENT_OPTIONS,
  repo: { type: 'string', short: 'r' },
  branch: { type: 'string', short: 'b' },
  message: { type: 'string', short: 'm' },
} as const;

/** Mandatory policy findings block a publish, as they fail a pull request. */
export const policyGate: PublishGate = (built) => {
  // Loaded here, not at the top: `gitplane --help` loads this file and must stay cheap.
  const { runPolicies } = require('../../policies/engine') as typeof import('../../policies/engine');
  const { fromBuilt } = require('../../policies/inputs') as typeof import('../../policies/inputs');
  return runPolicies(built.map((b) => fromBuilt(b)))
    .environments.flatMap((env) => env.findings)
    .filter((f) => f.level === 'mandatory')
    .map((f) => `${f.file}: ${f.ref}: [${f.rule}] ${f.message} Fix: ${f.fix}`);
};

/** Checks that must pass before publishing, besides validation. */
export const PUBLISH_GATES: PublishGate[] = [policyGate];

export const publish: Command = {
  name: 'publish',
  summary: 'Commit synthesized environments to the Git repository Argo CD watches.',
  help: `Usage: gitplane publish --repo PATH|URL [--branch B] [--env NAME]... [--all] [--message M]

Synthesizes and validates each selected environment, runs the blocking checks, then makes one
commit on BRANCH of the repository whose <env>/ trees (under gitops.path when set) equal the
synthesized ones: added, changed and removed files. Files outside those trees are untouched.
Nothing changed, no commit. The commit message lists the changed applications per environment.
When validation fails or a policy has a mandatory finding, nothing is published.

The repository is cloned to a temporary directory and the commit is pushed, so REPO must be a
bare repository or a remote (a non-bare checkout refuses pushes to its checked-out branch).
When the branch moved meanwhile (another publish), publish starts again from the new tip.

Options:
  -r, --repo PATH|URL   the Argo CD repository (required)
  -b, --branch B        branch to commit to (default: main; created when missing)
  -m, --message M       first line of the commit message (default: "gitplane publish: <envs>")
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment
  -f, --file FILE       an environment file anywhere (repeatable)
      --crd-dir DIR     CRD directory for custom resources (repeatable; default: gitplane.yaml)
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 published or nothing to publish, 1 validation or a blocking check failed,
2 usage, input or git error.`,
  async run(argv, io) {
    const { values } = parse('publish', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if (!values.repo) throw new UsageError('--repo is required: the path or URL of the Argo CD repository. Run "gitplane publish --help" for usage.');
    const { buildEnvironment, loadSelected } = await import('../../stacks/pipeline');
    const { publish: publishEnvironments } = await import('../../stacks/publish');
    const { loadSettings } = await import('../../stacks/settings');
    const { selectEnvironments } = await import('../select');
    const settings = loadSettings({ crdDirs: values['crd-dir'] });
    const built = loadSelected(selectEnvironments(values)).map((spec) => buildEnvironment(spec, settings));
    const result = publishEnvironments(built, { repo: values.repo, branch: values.branch, message: values.message, gates: PUBLISH_GATES });
    if (!result.commit) {
      out.out(`nothing to publish: ${values.repo} already holds ${built.map((b) => b.spec.name).join(', ')} as synthesized`);
      return 0;
    }
    out.out(`published ${result.commit.slice(0, 12)} to ${values.repo} (${values.branch ?? 'main'})`);
    for (const c of result.changes) out.out(`  ${c.env}: ${c.applications.join(', ')} (${c.added.length} added, ${c.modified.length} changed, ${c.removed.length} removed)`);
    return 0;
  },
};
