/**
 * `gitplane init [DIR]`: scaffolds a platform repository that depends on gitplane.
 *
 * The scaffold is made of the package's own files wherever this repository already has them:
 * example-api, gitplane.config.ts, environments/dev.yaml, Pulumi.dev.yaml and the pull-request
 * workflow are the reference platform's, with their imports of the public module by path
 * rewritten to `gitplane`; the rest is in templates/init/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { kernelFilesystem } from '../../stacks/output';
import { PACKAGE_ROOT } from '../../stacks/paths';
import { systemError } from '../../stacks/output-file';
import { makeDirectories, writeWhole } from '../../stacks/write-whole';
import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { UsageError } from '../usage-error';

const OPTIONS = { ...COMMON_OPTIONS, force: { type: 'boolean' }, dependency: { type: 'string' } } as const;


/** The files of a new platform repository named `name`, by path, depending on gitplane as `dependency`. */
export function scaffold(name: string, dependency?: string): Map<string, string> {
  const read = (file: string) => fs.readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
  const template = (file: string) => read(path.join('templates', 'init', file));
  const own = JSON.parse(read('package.json')) as { version: string; dependencies: Record<string, string> };
  const manifest = {
    name,
    version: '0.0.0',
    private: true,
    description: 'Our Kubernetes platform, described with gitplane.',
    scripts: { synth: 'gitplane synth --all', validate: 'gitplane validate --all', policy: 'gitplane policy --all', typecheck: 'tsc -p tsconfig.json' },
    dependencies: { gitplane: dependency ?? `^${own.version}` },
    devDependencies: { typescript: own.dependencies.typescript },
  };
  return new Map([
    ['.github/workflows/gitplane.yml', read('.github/workflows/gitplane.yml')],
    ['.gitignore', template('gitignore')],
    ['Pulumi.dev.yaml', read('Pulumi.dev.yaml')],
    ['Pulumi.yaml', template('Pulumi.yaml')],
    ['README.md', template('README.md')],
    ['apps/example-api/index.ts', rewrite(read('apps/example-api/index.ts'), "from '../../index';", "from 'gitplane';")],
    // The editor schema is the installed package's.
    ['environments/dev.yaml', rewrite(read('environments/dev.yaml'), '$schema=./environment.schema.json', '$schema=../node_modules/gitplane/environments/environment.schema.json')],
    ['gitplane.config.ts', rewrite(read('gitplane.config.ts'), "from './index';", "from 'gitplane';")],
    ['gitplane.yaml', template('gitplane.yaml')],
    ['package.json', `${JSON.stringify(manifest, null, 2)}\n`],
    ['renovate.json', template('renovate.json')],
    ['tsconfig.json', template('tsconfig.json')],
  ]);
}

/**
 * `source` with every `from` replaced by `to`: the public module imported by path in this repository
 * (`from '../../index'`) becomes `from 'gitplane'`, as a platform repository writes it.
 */
function rewrite(source: string, from: string, to: string): string {
  if (!source.includes(from)) throw new Error(`a file the scaffold is made of no longer holds ${from}`);
  return source.split(from).join(to);
}

/** An npm package name from a directory name: lower case, URL-safe, `platform` when nothing is left. */
function packageName(dir: string): string {
  const name = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214);
  return name || 'platform';
}

export const init: Command = {
  name: 'init',
  summary: 'Scaffold a platform repository that depends on gitplane.',
  help: `Usage: gitplane init [DIR] [--force] [--dependency SPEC]

Writes a new platform repository into DIR (default: the current directory), which must be new or
empty: package.json depending on gitplane, tsconfig.json, gitplane.config.ts registering one
application of the team's own (apps/example-api: a Deployment and Service with probes, resources
and a locked-down security context, a NetworkPolicy, a ServiceMonitor and an alert with its
runbook), environments/dev.yaml with its editor schema line, gitplane.yaml, Pulumi.yaml and
Pulumi.dev.yaml running gitplane's Pulumi program, the pull-request workflow
(.github/workflows/gitplane.yml), renovate.json and a README. Then:

  cd DIR && npm install && npx gitplane synth

Options:
      --force            write into a directory that is not empty; files of the same name are replaced
      --dependency SPEC  how package.json depends on gitplane (default ^VERSION, this gitplane's
                         version); while gitplane is not on the npm registry, the packed
                         tarball as a path from DIR, e.g. file:../gitplane-0.1.0.tgz
  -h, --help             this help

Exit status: 0 written, 2 usage error or a directory that is not new or empty,
${CRASHED}.`,
  async run(argv, io) {
    const { values, positionals } = parse('init', argv, OPTIONS, true);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`init takes one directory (got ${positionals.length}: ${positionals.join(' ')}). Run "gitplane init --help" for usage.`);
    if (values.dependency === '') throw new UsageError('--dependency must be an npm dependency spec (got an empty string), e.g. ^0.1.0 or file:../gitplane-0.1.0.tgz.');
    const given = positionals[0] ?? '.';
    const dir = path.resolve(given);
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) throw new InputError([`${given}: is not a directory. Give a new or empty directory to scaffold into.`]);
      const entries = fs.readdirSync(dir).sort();
      if (entries.length > 0 && !values.force) {
        const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
        throw new InputError([`${given}: the directory is not empty (it holds ${shown}). Give a new or empty directory, or --force to write the scaffold into it (files of the same name are replaced).`]);
      }
    }
    const files = scaffold(packageName(dir), values.dependency);
    writeScaffold(given, dir, files);
    out.progress(`wrote ${files.size} files into ${given}`);
    out.out(`Next: ${given === '.' ? '' : `cd ${given} && `}npm install && npx gitplane synth`);
    return 0;
  },
};

/**
 * Writes the scaffold, each file whole. A new DIR is made beside its place and renamed into it
 * once complete, so a killed init leaves no half scaffold there; an existing (empty, or with
 * --force) DIR, which may be a shell's current directory, is written file by file. A place where
 * no directory can be made (under a file, on a kernel filesystem such as /proc) or a write the
 * system refuses is an input error naming DIR.
 */
function writeScaffold(given: string, dir: string, files: ReadonlyMap<string, string>): void {
  const fail = (problem: string): never => {
    throw new InputError([`${given}: ${problem} Give a new or empty directory to scaffold into.`]);
  };
  let existing = dir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) fail(`${existing} is not a directory, so no directory can be made under it.`);
  const kernel = kernelFilesystem(existing);
  if (kernel) fail(`${existing} is on the ${kernel} filesystem, which holds kernel state, not files.`);
  const fresh = existing !== dir;
  const root = fresh ? path.join(path.dirname(dir), `.${path.basename(dir)}.gitplane-init-${process.pid}`) : dir;
  try {
    for (const [file, content] of files) {
      makeDirectories(path.dirname(path.join(root, file)));
      writeWhole(path.join(root, file), content, 0o644);
    }
    if (fresh) fs.renameSync(root, dir);
  } catch (e) {
    if (fresh) fs.rmSync(root, { recursive: true, force: true });
    fail(`cannot write the scaffold (${systemError(e)}).`);
  }
}
