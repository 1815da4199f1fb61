import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { LOCK_FILE, STORE_DIR } from '../../stacks/project';
import { PROJECT_ROOT } from '../../stacks/paths';
import type { Settings } from '../../stacks/settings';
import type { ValidationProblem } from '../../validation';
import { uncheckedSummary } from '../../validation/unchecked';
import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import type { Io } from '../io';
import { UsageError } from '../usage-error';

/** What went unchecked for want of a schema, with the fix and any configured source that is missing; empty when nothing did. */
export function uncheckedReport(problems: readonly ValidationProblem[], settings: Settings): string[] {
  const summary = uncheckedSummary(problems);
  return summary.length > 0 ? [...summary, ...settings.missing] : [];
}

/** For the commands that go on without a schema: warns about what went unchecked and returns the other problems. */
export function warnUnchecked(problems: readonly ValidationProblem[], settings: Settings, io: Io): ValidationProblem[] {
  for (const line of uncheckedReport(problems, settings)) io.warn(line);
  return problems.filter((p) => !p.unchecked);
}

/** True on a CI runner (CI=true), where what could not be checked or rendered is refused. */
export function inCi(): boolean {
  return ['true', '1'].includes(process.env.CI ?? '');
}

/** For validate outside CI: warns about the charts that could not be rendered and returns the other problems. */
export function warnUnrendered(problems: readonly ValidationProblem[], io: Io): ValidationProblem[] {
  const unrendered = (p: ValidationProblem) => Boolean(p.unchecked && p.fix);
  for (const line of uncheckedSummary(problems.filter(unrendered))) io.warn(line);
  return problems.filter((p) => !unrendered(p));
}

export const schemas: Command = {
  name: 'schemas',
  summary: 'Fetch the pinned charts\' CRDs and default values (pull), or add CRDs from a cluster (import).',
  help: `Usage: gitplane schemas pull [--repository URL] [--locked]
       gitplane schemas import FILE|-

Custom resources are checked against their CRDs and Helm values against the pinned charts'
defaults. They come from, in order: schemas.crdDirs in gitplane.yaml; the project's ${STORE_DIR}/
folder; the charts "schemas pull" cached; and the offline mirror (schemas.mirror in
gitplane.yaml, or GITPLANE_SCHEMA_MIRROR). --crd-dir or GITPLANE_CRD_DIRS replace every CRD source.
A CRD directory's files may hold CRDs, kind: List of them, and objects of other kinds (skipped);
a file that is not valid YAML, a document without a kind or a CRD missing what validation reads
is refused (exit 2) with its file, line and field by every command that validates.

  pull     downloads each chart pinned in environments/versions.yaml from its Helm repository
           (repoURL), checks the archive's sha256 against the repository's index.yaml and against
           ${LOCK_FILE}, and caches the archive (validate and policy render it with Helm), its
           CRDs (crds/, and CRD templates), values.yaml and values.schema.json under
           $XDG_CACHE_HOME/gitplane (default ~/.cache/gitplane).
           ${LOCK_FILE} records every digest; commit it. Charts whose cache matches the lock are
           not downloaded again. A digest that does not match is refused (exit 2).
           Behind a mirror or proxy of the charts' repositories (an Artifactory virtual or Nexus
           group Helm repository, a Harbor proxy), --repository URL, or the variable
           GITPLANE_CHART_REPOSITORY, downloads every chart from that one repository instead;
           the archives are checked against its index.yaml and against ${LOCK_FILE}, which
           keeps each pin's own repoURL.
           With --locked (for CI, as npm ci treats package-lock.json) ${LOCK_FILE} must lock
           exactly the pinned charts: it is never written, and a lock that is out of date with
           the pins (a chart bumped, added or removed) is refused (exit 2) before any download.
  import   adds the CustomResourceDefinitions in FILE (- for stdin), e.g. the output of
           "kubectl get crd -o yaml" (a kind: List), to ${STORE_DIR}/crds/, one file per CRD, to
           commit. Status, managed fields and conversion settings are left out.

Options:
      --repository URL  pull: the Helm repository to download every chart from
                        (default: GITPLANE_CHART_REPOSITORY, else each pin's repoURL)
      --locked          pull: refuse a ${LOCK_FILE} out of date with the pins; never write it
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 done, 2 usage or input error, a download that failed or a digest that does not match,
${CRASHED}.`,
  async run(argv, io) {
    const { values, positionals } = parse('schemas', argv, { ...COMMON_OPTIONS, repository: { type: 'string' }, locked: { type: 'boolean' } }, true);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const [action, ...rest] = positionals;
    for (const option of ['repository', 'locked'] as const) {
      if (values[option] !== undefined && action !== 'pull') throw new UsageError(`--${option} goes with "pull" only. Run "gitplane schemas --help" for usage.`);
    }
    if (action === 'pull' && rest.length === 0) {
      const { chartRepository, pullSchemas } = await import('../../stacks/schema-pull');
      const result = await pullSchemas(PROJECT_ROOT, (line) => out.progress(line), chartRepository(values.repository), { locked: values.locked });
      const downloaded = result.charts.filter((c) => c.downloaded).length;
      out.out(`${result.charts.length} chart(s) pinned, ${downloaded} downloaded, ${result.charts.reduce((n, c) => n + c.crds, 0)} CRDs; ${result.lockChanged ? `wrote ${path.relative(process.cwd(), result.lockFile) || result.lockFile}` : `${LOCK_FILE} unchanged`}`);
      return 0;
    }
    if (action === 'import' && rest.length === 1) {
      const file = rest[0];
      const { importCrds } = await import('../../stacks/crd-import');
      const result = importCrds(file === '-' ? 'stdin' : file, await readInput(file), path.join(PROJECT_ROOT, STORE_DIR, 'crds'));
      out.out(`imported ${result.added.length + result.replaced.length} CustomResourceDefinition(s) into ${STORE_DIR}/crds/ (${result.added.length} new, ${result.replaced.length} replaced)`);
      return 0;
    }
    throw new UsageError('give "pull", or "import FILE". Run "gitplane schemas --help" for usage.');
  },
};

/** The file (a regular file, or - for stdin), at most MAX_IMPORT bytes. */
async function readInput(file: string): Promise<string> {
  const { MAX_IMPORT } = await import('../../stacks/crd-import');
  const tooLarge = () => new InputError([`${file === '-' ? 'stdin' : file}: larger than ${MAX_IMPORT / 1024 / 1024} MiB. Import the CRDs in parts.`]);
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_IMPORT) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError([`${file}: no such file. Give the output of "kubectl get crd -o yaml" saved to a file, or - for stdin.`]);
  }
  if (!stat.isFile()) throw new InputError([`${file}: not a regular file. Give a file, or - for stdin.`]);
  if (stat.size > MAX_IMPORT) throw tooLarge();
  return fs.readFileSync(file, 'utf8');
}
