import * as path from 'node:path';
import { FindingsError } from '../../stacks/errors';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { warnUnchecked } from './schemas';

const OPTIONS = { ...COMMON_OPTIONS, ...ENVIRONMENT_OPTIONS, out: { type: 'string', short: 'o' } } as const;

export const synth: Command = {
  name: 'synth',
  summary: 'Synthesize environments into manifests, runbooks and bootstrap under dist/.',
  help: `Usage: gitplane synth [--env NAME]... [--all] [--file FILE]... [--out DIR]

Checks --out, synthesizes each selected environment, validates every object against the
Kubernetes and CRD schemas and every output path against the filesystem's limits, and only then
switches DIR in one step to a complete new tree: the selected environments as synthesized, every
other environment DIR held unchanged. DIR is a symbolic link to that tree (a hidden directory
beside it); readers never see a mix of old and new, or no DIR. When anything fails, or the run is
killed, DIR is left as it was; the next run removes what a killed run left beside it. Files are
written 0644 and directories 0755, whatever the umask.
Custom resources whose CRD, and chart values whose defaults, gitplane has not got are written
unchecked, with a warning naming them and the fix ("gitplane schemas --help").

Options:
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment under environments/
  -f, --file FILE       an environment file anywhere (repeatable)
  -o, --out DIR         output directory (default: dist); a new or empty directory, one
                        gitplane wrote, or a link to one; not on /proc or /sys
      --crd-dir DIR     CRD directory for custom resources (repeatable; default: gitplane.yaml)
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 written, 1 validation failed, 2 usage, environment file or --out error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('synth', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const { checkOutDir, writeOutput } = await import('../../stacks/output');
    const { loadSelected } = await import('../../stacks/environment');
    const { loadSettings } = await import('../../stacks/settings');
    const { selectEnvironments } = await import('../select');
    const outDir = checkOutDir(values.out ?? 'dist');
    const settings = loadSettings({ crdDirs: values['crd-dir'] });
    const specs = loadSelected(selectEnvironments(values));
    // What builds is loaded once every file has loaded: a bad one fails without it.
    const { buildEnvironment } = await import('../../stacks/pipeline');
    const { formatProblems } = await import('../../validation');
    const built = specs.map((spec) => {
      const started = Date.now();
      const result = buildEnvironment(spec, settings);
      out.progress(`synth ${spec.name}: ${result.output.objects.length} objects, ${result.output.files.size} files (${Date.now() - started} ms)`);
      return result;
    });
    const problems = warnUnchecked(built.flatMap((b) => b.problems), settings, out);
    if (problems.length > 0) {
      throw new FindingsError([...formatProblems(problems), `validation failed: ${problems.length} problem(s); nothing was written to ${outDir.given}.`]);
    }
    writeOutput(outDir, new Map(built.map((b) => [b.spec.name, b.output.files])));
    for (const b of built) out.progress(`wrote ${path.join(outDir.given, b.spec.name)}`);
    return 0;
  },
};
