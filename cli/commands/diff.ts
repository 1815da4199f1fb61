import * as path from 'node:path';
import type { EnvironmentDiff } from '../../stacks/diff';
import { InputError } from '../../stacks/errors';
import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { UsageError } from '../usage-error';

const OPTIONS = {
  ...COMMON_OPTIONS,
  env: { type: 'string', short: 'e', multiple: true },
  all: { type: 'boolean' },
  base: { type: 'string' },
  against: { type: 'string' },
  rendered: { type: 'string' },
  format: { type: 'string' },
  'exit-code': { type: 'boolean' },
} as const;

export const diff: Command = {
  name: 'diff',
  summary: 'Show the rendered difference, object by object, against a Git ref or a rendered tree.',
  help: `Usage: gitplane diff [--env NAME]... [--all] --base REF [--rendered DIR] [--format text|markdown] [--exit-code]
       gitplane diff [--env NAME]... [--all] --against DIR [--rendered DIR] [--format text|markdown] [--exit-code]

Synthesizes each selected environment from the working tree and compares it, per application,
object by object: objects added (+), removed (-) and changed (~, with each changed field's path,
old and new value). A JetStream stream change that nats-server cannot apply in place (storage,
retention to or from workqueue, a rename) is marked (!) "recreates the stream, loses messages",
with whether the environment acknowledges it (components.nats.streams[].acknowledgeRecreate).

  --base REF     compares with environments/<env>.yaml as it was at REF (a branch, tag or
                 commit of this repository), synthesized by the current code: it shows what the
                 change to the environment data does. Changes to constructs show with --against.
  --against DIR  compares with a rendered tree, DIR/<env>/ (a checkout of the Argo CD
                 repository, or an earlier gitplane synth --out DIR). DIR must exist; an
                 environment missing under it shows as added.
  --rendered DIR takes the working tree's side from DIR/<env>/ (what gitplane synth --out DIR
                 or gitplane policy --out DIR wrote) instead of synthesizing it again.

A file of DIR/<env>/ that is not valid YAML, or whose aliases expand past 100 copies, is an
input error (exit 2) naming it under DIR as given, with its line.

Options:
  -e, --env NAME     environment (repeatable; default: dev)
      --all          every environment
      --format F     text (default) or markdown, for a pull-request comment
      --exit-code    exit 1 when there are differences
  -h, --help         this help

Exit status: 0 done (or no differences with --exit-code), 1 differences with --exit-code,
2 usage or input error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('diff', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if ((values.base === undefined) === (values.against === undefined)) throw new UsageError('give exactly one of --base REF or --against DIR. Run "gitplane diff --help" for usage.');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'markdown') throw new UsageError(`--format must be text or markdown (got "${format}").`);
    if (values.against !== undefined) await checkRenderedTree('--against', values.against);
    if (values.rendered !== undefined) await checkRenderedTree('--rendered', values.rendered);
    const { loadEnvironment } = await import('../../stacks/environment');
    const { selectEnvironments } = await import('../select');
    const { names } = selectEnvironments(values);
    // The environments are read before what builds is loaded: a bad file fails without it.
    const specs = values.rendered === undefined ? names.map((name) => loadEnvironment(name)) : undefined;
    const { baseTree, diffEnvironment, formatMarkdown, formatText, readTree } = await import('../../stacks/diff');
    const { synthEnvironment } = await import('../../stacks/synth');
    const diffs: EnvironmentDiff[] = [];
    for (const [i, name] of names.entries()) {
      const head = specs === undefined ? renderedTree(values.rendered!, name, readTree) : synthEnvironment(specs[i]).files;
      const before = values.base !== undefined ? baseTree(values.base, name) : readTree(path.join(values.against!, name), values.against!);
      // Messages about a file of a tree read from disk name it under the directory given.
      const roots = { before: values.against === undefined ? undefined : path.join(values.against, name), after: values.rendered === undefined ? undefined : path.join(values.rendered, name) };
      diffs.push(diffEnvironment(name, before, head, roots));
    }
    out.out(format === 'markdown' ? formatMarkdown(diffs) : formatText(diffs));
    const differs = diffs.some((d) => d.applications.length > 0);
    return values['exit-code'] && differs ? 1 : 0;
  },
};

/** --against and --rendered must name a directory: a missing one would show every object as added or removed. */
async function checkRenderedTree(option: string, dir: string): Promise<void> {
  const { isDirectory } = await import('../../stacks/output');
  if (!isDirectory(dir)) {
    throw new InputError([`${option} ${dir}: no such directory. Give ${option === '--against' ? 'a checkout of the Argo CD repository or ' : ''}the --out directory of an earlier gitplane synth.`]);
  }
}

/** DIR/<env>/ as --rendered names it; an environment not rendered there is an input error, not a removal. */
function renderedTree(dir: string, name: string, readTree: (dir: string, root: string) => Map<string, string>): Map<string, string> {
  const envDir = path.join(dir, name);
  const tree = readTree(envDir, dir);
  if (tree.size === 0) throw new InputError([`--rendered ${dir}: no environment ${name} in it (${envDir} is missing or empty). Synthesize it there first: gitplane synth --env ${name} --out ${dir}.`]);
  return tree;
}
