import { FindingsError } from '../../stacks/errors';
import type { ValidationProblem } from '../../validation';
import { COMMON_OPTIONS, ENVIRONMENT_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { UsageError } from '../usage-error';
import { inCi, uncheckedReport, warnUnrendered } from './schemas';

const OPTIONS = { ...COMMON_OPTIONS, ...ENVIRONMENT_OPTIONS, dir: { type: 'string', short: 'd' } } as const;

export const validate: Command = {
  name: 'validate',
  summary: 'Validate synthesized environments, or any directory of manifests, against Kubernetes and CRD schemas.',
  help: `Usage: gitplane validate [--env NAME]... [--all] [--file FILE]...
       gitplane validate --dir DIR

Checks every object against the Kubernetes schema (unknown fields rejected) or, for custom
resources, its CRD's openAPIV3Schema, and Helm values against the pinned chart's defaults. A
kind with no schema is an error, so is a custom resource or chart gitplane has no schema for
(see "gitplane schemas --help"), so is a duplicate apiVersion/kind/namespace/name, and so is a
namespace on a cluster-scoped kind. With --dir, checks every .yaml/.yml file under DIR, including
manifests gitplane did not make; the Helm values under values/, at the top of DIR or beside apps/
or bootstrap/ below it (as gitplane writes an environment), are not manifests and are skipped. A
problem names its file under DIR as given, with the line and column of the field (of its
object when the field is missing):
  error: vd/a.yaml:6:3: ConfigMap/x: data.a: must be string (got number 1). Quote the value: "1".

Each Helm application is rendered as Argo CD renders it (helm template with the Application's
chart, version, release name, namespace and values file, the environment's Kubernetes version,
the API versions of its CRDs, --include-crds) and the rendered objects are checked too. Helm is
the helm on PATH or GITPLANE_HELM; the chart archives come from "gitplane schemas pull" or the
offline Helm repository (charts.mirror in gitplane.yaml, or GITPLANE_CHART_MIRROR). A chart that
cannot be rendered is named in a warning with the fix, and is an error in CI (CI=true). With --dir, the charts of the Applications under
DIR are rendered with their values/ files and Helm's default Kubernetes version.

Options:
  -e, --env NAME        environment under environments/ (repeatable; default: dev)
      --all             every environment
  -f, --file FILE       an environment file anywhere (repeatable)
  -d, --dir DIR         a directory of manifests instead of environments; a folder of
                        environment folders (synth --all --out DIR) is judged per folder
      --crd-dir DIR     CRD directory for custom resources (repeatable; default: gitplane.yaml)
  -q, --quiet           no progress lines
  -h, --help            this help

Exit status: 0 valid, 1 problems found, 2 usage or input error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('validate', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if (values.dir !== undefined && (values.env || values.all || values.file)) throw new UsageError('--dir cannot be combined with --env, --all or --file.');
    const { loadSettings } = await import('../../stacks/settings');
    const { formatProblems, validatorFor } = await import('../../validation');
    const settings = loadSettings({ crdDirs: values['crd-dir'] });
    let problems: ValidationProblem[];
    if (values.dir !== undefined) {
      const { environmentDirs, fromDir } = await import('../../policies/inputs');
      const { joinPath, renderCharts, validateCharts } = await import('../../stacks/helm-render');
      // A folder of environment folders (synth --all --out DIR): each is validated apart.
      problems = environmentDirs(values.dir).flatMap((dir) => {
        const env = fromDir(dir);
        const charts = renderCharts(env, settings);
        const objects = env.objects.map((o) => ({ ...o, file: joinPath(env.root, o.file) }));
        out.progress(`validate ${dir}: ${env.objects.length} object(s), ${charts.objects.length} rendered from ${charts.releases.length} chart(s)`);
        return [...validatorFor(settings).validate(objects), ...charts.problems, ...validateCharts(charts, settings, dir)];
      });
    } else {
      const { loadSelected } = await import('../../stacks/environment');
      const { selectEnvironments } = await import('../select');
      const specs = loadSelected(selectEnvironments(values));
      const { buildEnvironment, renderEnvironment } = await import('../../stacks/pipeline');
      problems = specs.flatMap((spec) => {
        const built = renderEnvironment(buildEnvironment(spec, settings), settings);
        out.progress(`validate ${spec.name}: ${built.output.objects.length} object(s), ${built.charts?.objects.length} rendered from ${built.charts?.releases.length} chart(s)`);
        return built.problems;
      });
    }
    // A chart that could not be rendered (no Helm, no archive) is refused in CI, named elsewhere.
    if (!inCi()) problems = warnUnrendered(problems, out);
    if (problems.length > 0) throw new FindingsError([...formatProblems(problems), ...uncheckedReport(problems, settings), `${problems.length} problem(s) found.`]);
    out.out('all objects valid');
    return 0;
  },
};
