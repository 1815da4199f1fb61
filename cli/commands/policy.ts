import * as fs from 'node:fs';
import * as path from 'node:path';
import { FindingsError } from '../../stacks/errors';
import { checkOutputFile, writeOutputFile } from '../../stacks/output-file';
import { Format, FORMATS } from '../../policies/formats/names';
import type { PolicyEnvironment } from '../../policies/types';
import type { Settings } from '../../stacks/settings';
import type { ValidationProblem } from '../../validation';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import type { Io } from '../io';
import { UsageError } from '../usage-error';
import { inCi, uncheckedReport, warnUnchecked } from './schemas';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...ENVIRONMENT_OPTIONS,
  dir: { type: 'string', short: 'd' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  report: { type: 'string', multiple: true },
  out: { type: 'string' },
  docs: { type: 'boolean' },
  strict: { type: 'boolean' },
  base: { type: 'string' },
} as const;

export const policy: Command = {
  name: 'policy',
  summary: 'Check synthesized environments, or any directory of manifests, against the policy rules.',
  help: `Usage: gitplane policy [--env NAME]... [--all] [--file FILE]... [--base REF] [--format FORMAT] [--output FILE]
                       [--report FORMAT=FILE]... [--out DIR]
       gitplane policy --dir DIR [--format FORMAT] [--output FILE] [--report FORMAT=FILE]...
       gitplane policy --docs [--output docs/policies.md]

Synthesizes each selected environment in memory, renders its Helm applications twice as Argo CD
renders them (see "gitplane validate --help"; the rules judge the rendered objects too, and
render-deterministic compares the two renders), and runs the rules of the packs it chooses
(policy.packs; production runs every pack, all mandatory; core and secrets always run).
Exemptions come from policy.exemptions; expired ones are findings; the secrets pack's rules
cannot be exempted (exit 2). With --dir, judges every manifest under DIR (and
its runbooks/ and values/ files, and the charts its Applications install) with every rule; a
document without apiVersion, kind and metadata.name is an input error (exit 2) naming the line
and column of the field. Fleet
rules compare each environment with the others of its tier under environments/. Findings of
synthesized environments point at the line of the environment file that configures the object
(sarif, github), the output file beside it; with --dir, at the object's line in its file. One run can write every format (--report) and the
synthesized output (--out), so a pull-request check synthesizes once: validation failures stop
the run before anything is written.

Options:
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment
  -f, --file FILE       an environment file anywhere (repeatable)
      --base REF        also judge the change from environments/<env>.yaml as it was at REF (a
                        branch, tag or commit), synthesized by the current code: a JetStream
                        stream that must be recreated needs an acknowledgement (nats-stream-recreate)
  -d, --dir DIR         a directory of manifests instead of environments; a folder of
                        environment folders (synth --all --out DIR) is judged per folder
      --format FORMAT   ${FORMATS.join(', ')} (default: text)
  -o, --output FILE     write the report to FILE instead of stdout
      --report F=FILE   also write the report in format F to FILE (repeatable), e.g.
                        --report sarif=gitplane.sarif --report junit=gitplane-junit.xml
      --out DIR         also write the synthesized environments to DIR, as gitplane synth --out
                        does (for gitplane diff --rendered DIR and publishing)
      --docs            write the generated rule reference (into --output's marked section, or stdout)
      --crd-dir DIR     CRD directory for validating synthesized objects (repeatable)
      --strict          refuse custom resources and chart values that could not be schema-checked
                        (no CRD or chart defaults available) and charts that could not be rendered
                        (no Helm or no archive); on when CI=true. Without it they are named in a
                        warning and the policies still run.
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 no mandatory finding, 1 mandatory findings (or invalid objects), 2 usage or input error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('policy', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const format = (values.format ?? 'text') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${values.format}").`);
    const reports = parseReports(values.report ?? [], values.output);
    if (values.docs) {
      if (values.dir || values.env || values.all || values.file || values.report || values.out) {
        throw new UsageError('--docs cannot be combined with --dir, --env, --all, --file, --report or --out.');
      }
      const target = values.output;
      const { updateDocs } = await import('../../policies/docs');
      const { RULES } = await import('../../policies/registry');
      const current = target && fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      const doc = updateDocs(current, RULES);
      if (target) writeOutputFile(`--output ${target}`, target, doc);
      else out.out(doc);
      return 0;
    }
    let environments: PolicyEnvironment[];
    let peers: PolicyEnvironment[] = [];
    if (values.dir !== undefined) {
      if (values.env || values.all || values.file || values.out || values.base) throw new UsageError('--dir cannot be combined with --env, --all, --file, --out or --base.');
      const { environmentDirs, fromDir, refuseUnidentified, withCharts } = await import('../../policies/inputs');
      const { renderCharts, validateCharts } = await import('../../stacks/helm-render');
      const { loadSettings } = await import('../../stacks/settings');
      const settings = loadSettings({ crdDirs: values['crd-dir'] });
      // A folder of environment folders (synth --all --out DIR): each is judged as an environment of its own.
      const envs = environmentDirs(values.dir).map((dir) => {
        const env = fromDir(dir);
        refuseUnidentified(env);
        return { dir, env, charts: renderCharts(env, settings, 2) };
      });
      await refuseInvalid(envs.flatMap(({ dir, charts }) => [...charts.problems, ...validateCharts(charts, settings, dir)]), settings, Boolean(values.strict), out);
      environments = envs.map(({ env, charts }) => withCharts(env, charts));
    } else {
      const { listEnvironments, loadEnvironment, loadSelected } = await import('../../stacks/environment');
      const { loadSettings } = await import('../../stacks/settings');
      const { selectEnvironments } = await import('../select');
      const { checkOutDir, writeOutput } = await import('../../stacks/output');
      const outDir = values.out === undefined ? undefined : checkOutDir(values.out);
      const settings = loadSettings({ crdDirs: values['crd-dir'] });
      const specs = loadSelected(selectEnvironments(values));
      const { buildEnvironment, renderEnvironment } = await import('../../stacks/pipeline');
      const { fromBuilt } = await import('../../policies/inputs');
      const built = specs.map((spec) => renderEnvironment(buildEnvironment(spec, settings), settings, 2));
      await refuseInvalid(built.flatMap((b) => b.problems), settings, Boolean(values.strict), out);
      if (outDir) {
        writeOutput(outDir, new Map(built.map((b) => [b.spec.name, b.output.files])));
        for (const b of built) out.progress(`wrote ${path.join(outDir.given, b.spec.name)}`);
      }
      environments = built.map((b) => fromBuilt(b, outDir?.given));
      if (values.base !== undefined) {
        const ref = values.base;
        const { baseTree, treeObjects } = await import('../../stacks/diff');
        environments = environments.map((e, i) => ({ ...e, base: { ref, objects: treeObjects(baseTree(ref, specs[i].name)) } }));
      }
      const tiers = new Set(specs.map((s) => s.tier));
      peers = listEnvironments()
        .filter((n) => !specs.some((s) => s.name === n))
        .map((n) => loadEnvironment(n))
        .filter((s) => tiers.has(s.tier))
        .map((s) => fromBuilt(renderEnvironment(buildEnvironment(s, settings), settings)));
    }
    const { hasMandatory, runPolicies } = await import('../../policies/engine');
    const { keepParsedIn } = await import('../../policies/lib/embedded');
    const { cacheDir } = await import('../../stacks/settings');
    keepParsedIn(path.join(cacheDir(), 'embedded'));
    const report = runPolicies(environments, { peers });
    for (const env of report.environments) out.progress(`policy ${env.name}: ${env.rules.length} rules, ${env.findings.length} finding(s), ${env.exemptions.length} exemption(s) in force`);
    const { render } = await import('../../policies/formats');
    const tool = (await import('../../stacks/paths')).packageVersion();
    const text = render(report, format, tool);
    for (const r of reports) writeOutputFile(`--report ${r.format}=${r.file}`, r.file, render(report, r.format, tool));
    if (values.output) writeOutputFile(`--output ${values.output}`, values.output, text);
    else process.stdout.write(text);
    return hasMandatory(report) ? 1 : 0;
  },
};

interface ReportTarget {
  readonly format: Format;
  readonly file: string;
}

/** The --report FORMAT=FILE arguments; each file once, none that --output writes, each one that can be written. */
function parseReports(args: readonly string[], output: string | undefined): ReportTarget[] {
  const targets = args.map((arg) => {
    const eq = arg.indexOf('=');
    const format = arg.slice(0, Math.max(eq, 0)) as Format;
    const file = arg.slice(eq + 1);
    if (eq < 0 || !FORMATS.includes(format) || file === '') {
      throw new UsageError(`--report must be FORMAT=FILE with FORMAT one of ${FORMATS.join(', ')} (got "${arg}"), e.g. --report sarif=gitplane.sarif.`);
    }
    return { format, file };
  });
  const files = [...targets.map((t) => t.file), ...(output === undefined ? [] : [output])];
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice !== undefined) throw new UsageError(`${twice} is named by two reports (--report, --output). Give each report its own file.`);
  for (const t of targets) checkOutputFile(`--report ${t.format}=${t.file}`, t.file);
  if (output !== undefined) checkOutputFile(`--output ${output}`, output);
  return targets;
}

/**
 * Refuses to judge invalid objects. What could not be checked or rendered (no schema, no Helm,
 * no chart archive) is refused too with --strict or in CI; otherwise it is named in a warning.
 */
async function refuseInvalid(all: readonly ValidationProblem[], settings: Settings, strict: boolean, out: Io): Promise<void> {
  const problems = strict || inCi() ? all : warnUnchecked(all, settings, out);
  if (problems.length > 0) {
    const { formatProblems } = await import('../../validation');
    throw new FindingsError([...formatProblems(problems), ...uncheckedReport(problems, settings), `validation failed: ${problems.length} problem(s); fix them before policies can judge the output.`]);
  }
}

