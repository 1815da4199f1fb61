import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FindingsError, InputError } from '../../stacks/errors';
import { Manifest } from '../../stacks/objects';
import { buildEnvironment, loadSelected, validatorFor } from '../../stacks/pipeline';
import { loadSettings } from '../../stacks/settings';
import { formatProblems, Located } from '../../validation';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command } from '../command';
import { selectEnvironments } from '../select';
import { UsageError } from '../usage-error';

const OPTIONS = { ...COMMON_OPTIONS, ...ENVIRONMENT_OPTIONS, dir: { type: 'string', short: 'd' } } as const;

export const validate: Command = {
  name: 'validate',
  summary: 'Validate synthesized environments, or any directory of manifests, against Kubernetes and CRD schemas.',
  help: `Usage: gitplane validate [--env NAME]... [--all] [--env-file FILE]...
       gitplane validate --dir DIR

Checks every object against the Kubernetes schema (unknown fields rejected) or, for custom
resources, its CRD's openAPIV3Schema; a kind with no schema is an error, and so is a duplicate
apiVersion/kind/namespace/name. With --dir, checks every .yaml/.yml file under DIR, including
manifests gitplane did not make.

Options:
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment
      --env-file FILE   an environment file anywhere (repeatable)
  -d, --dir DIR         a directory of manifests instead of environments
      --crd-dir DIR     CRD directory for custom resources (repeatable; default: gitplane.yaml)
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 valid, 1 problems found, 2 usage or input error.`,
  async run(argv, io) {
    const { values } = parse('validate', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const settings = loadSettings({ crdDirs: values['crd-dir'] });
    let problems;
    if (values.dir !== undefined) {
      if (values.env || values.all || values['env-file']) throw new UsageError('--dir cannot be combined with --env, --all or --env-file.');
      const objects = readManifestDir(values.dir);
      problems = validatorFor(settings).validate(objects);
      out.progress(`validate ${values.dir}: ${objects.length} objects`);
    } else {
      problems = loadSelected(selectEnvironments(values)).flatMap((spec) => {
        const built = buildEnvironment(spec, settings);
        out.progress(`validate ${spec.name}: ${built.output.objects.length} objects`);
        return built.problems;
      });
    }
    if (problems.length > 0) throw new FindingsError([...formatProblems(problems), `${problems.length} problem(s) found.`]);
    out.out('all objects valid');
    return 0;
  },
};

/** Every object in every YAML file under `dir`, with its file relative to `dir`. */
export function readManifestDir(dir: string): Located[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError([`${dir}: not a directory. Give a directory of manifests.`]);
  const objects: Located[] = [];
  const problems: string[] = [];
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file);
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) {
        problems.push(`${rel}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
        continue;
      }
      const value = doc.toJS() as Manifest | null;
      if (value === null) continue;
      if (value.kind === 'List' && Array.isArray(value.items)) {
        for (const item of value.items as Manifest[]) objects.push({ manifest: item, file: rel });
      } else {
        objects.push({ manifest: value, file: rel });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return objects;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name.startsWith('.') ? [] : walk(full);
      return /\.ya?ml$/.test(e.name) ? [full] : [];
    });
}
