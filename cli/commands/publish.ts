import * as path from 'node:path';
import type { PublishGate } from '../../stacks/publish';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
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
  help: `Usage: gitplane publish --repo PATH|URL [--branch B] [--env NAME]... [--all] [--file FILE]... [--message M]

Synthesizes and validates each selected environment, runs the blocking checks, then makes one
commit on the environments' gitops.branch (the branch their root Application tracks) whose <env>/
trees (under gitops.path when set) equal the synthesized ones: added, changed and removed files.
Files outside those trees are untouched. Nothing changed, no commit. The commit message lists the
changed applications per environment. When validation fails or a policy has a mandatory finding,
nothing is published. A gitops.path or name that would leave the repository (.., an absolute
path, .git, a symbolic link on the branch) is refused before anything is written.

The commit is built with git plumbing, without a work tree: into a local bare repository
directly, or for a URL in a private repository under the temporary directory that is removed when
publish ends (and by the next publish if the process was killed). The branch is then moved only
if it still points where the commit was built (compare-and-swap); when another publish moved it,
publish waits a short random, growing delay and builds again on the new tip, up to 10 attempts.
Each commit records when its environment files were read (trailer Gitplane-Read-At); an
environment the branch already holds from a file read later is left as it is (superseded), so
the newest change wins, not the last push. A publish killed at any point leaves the branch at
the old commit or the new one, never half-written; stopped by SIGINT, SIGTERM or SIGHUP while it
moves the branch of a local repository, it lets that update finish first.

Options:
  -r, --repo PATH|URL   the Argo CD repository: a bare repository's path, or a URL (required)
  -b, --branch B        must equal gitops.branch of every selected environment (default: that
                        branch, created when missing); a different branch is an error
  -m, --message M       first line of the commit message (default: "gitplane publish: <envs>")
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment (all must share one gitops.branch)
  -f, --file FILE       an environment file anywhere (repeatable)
      --crd-dir DIR     CRD directory for custom resources (repeatable; default: gitplane.yaml)
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 published, nothing to publish or superseded, 1 validation or a blocking check
failed, 2 usage, input or git error (including a branch that kept moving for 10 attempts, or
that a lock file left behind by a git that died kept locked: the error names the file),
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('publish', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if (!values.repo) throw new UsageError('--repo is required: the path or URL of the Argo CD repository. Run "gitplane publish --help" for usage.');
    const { ENVIRONMENTS_DIR, loadSelected } = await import('../../stacks/environment');
    const { displayPath } = await import('../../stacks/paths');
    const { loadSettings } = await import('../../stacks/settings');
    const { selectEnvironments } = await import('../select');
    const settings = loadSettings({ crdDirs: values['crd-dir'] });
    const selection = selectEnvironments(values);
    const readAt = new Date();
    const specs = loadSelected(selection);
    const { buildEnvironment } = await import('../../stacks/pipeline');
    const { publish: publishEnvironments } = await import('../../stacks/publish');
    // loadSelected returns the named environments first, then the files, each in the order given.
    const shown = [...selection.names.map((name) => displayPath(path.join(ENVIRONMENTS_DIR, `${name}.yaml`))), ...selection.files.map(displayPath)];
    const files = new Map(specs.map((spec, i) => [spec.name, shown[i]]));
    const built = specs.map((spec) => buildEnvironment(spec, settings));
    const result = await publishEnvironments(built, { repo: values.repo, branch: values.branch, message: values.message, gates: PUBLISH_GATES, files, readAt });
    for (const s of result.superseded) {
      out.out(`superseded: ${s.env} is left as published by ${s.commit.slice(0, 12)}, from an environment file read at ${s.readAt}, after this one (${readAt.toISOString()})`);
    }
    if (!result.commit) {
      const current = built.filter((b) => !result.superseded.some((s) => s.env === b.spec.name));
      if (current.length > 0) out.out(`nothing to publish: ${values.repo} already holds ${current.map((b) => b.spec.name).join(', ')} as synthesized`);
      return 0;
    }
    out.out(`published ${result.commit.slice(0, 12)} to ${values.repo} (${result.branch})`);
    for (const c of result.changes) out.out(`  ${c.env}: ${c.applications.join(', ')} (${c.added.length} added, ${c.modified.length} changed, ${c.removed.length} removed)`);
    return 0;
  },
};
