/**
 * The path every command shares once its environments are loaded (stacks/environment.ts,
 * loadSelected): synthesize them, validate the result. Everything happens in memory; writing is
 * the caller's choice.
 */
import * as path from 'node:path';
import { EnvironmentSpec } from '../environments/schema';
import { chartDefaultsFile, checkHelmValues, ValidationProblem, validatorFor } from '../validation';
import { archiveDefaultsDir } from './chart-source';
import { checkWiring } from '../validation/wiring';
import { AppDescriptor, externalServicesFor } from './application';
import { platformContext, projectApps } from './platform';
import { Settings } from './settings';
import { renderCharts, RenderedCharts, validateCharts } from './helm-render';
import { EnvironmentOutput, synthEnvironment } from './synth';
import { versionsFor } from './versions';

export interface BuiltEnvironment {
  readonly spec: EnvironmentSpec;
  /** The applications it was built with. */
  readonly apps: readonly AppDescriptor[];
  readonly output: EnvironmentOutput;
  readonly problems: ValidationProblem[];
  /** The Helm applications rendered as Argo CD renders them, when asked for (renderEnvironment). */
  readonly charts?: RenderedCharts;
}

/** Synthesizes and validates one environment: its objects, and its Helm values against the pinned charts. */
export function buildEnvironment(spec: EnvironmentSpec, settings: Settings, apps: readonly AppDescriptor[] = projectApps()): BuiltEnvironment {
  const output = synthEnvironment(spec, apps);
  const problems = [
    ...validatorFor(settings).validate(output.objects.map((o) => ({ manifest: o.manifest, file: `${spec.name}/${o.file}` }))),
    ...checkWiring(output.objects, output.configs, externalServicesFor(platformContext(spec, apps)), spec.name),
  ];
  const charts = versionsFor(spec).charts;
  for (const [app, release] of output.releases) {
    const pin = charts[release.chart];
    const dirs = chartDefaultsFile(settings.helmValuesDirs, pin.chart, pin.version) ? settings.helmValuesDirs : [...settings.helmValuesDirs, ...[archiveDefaultsDir(pin.chart, pin.version, settings.charts)].filter((d): d is string => d !== undefined)];
    problems.push(...checkHelmValues({ chart: pin.chart, version: pin.version, values: release.values, openKeys: release.openKeys, file: `${spec.name}/values/${app}.yaml` }, dirs, path.join(settings.charts.cache, 'chart-values')));
  }
  return { spec, apps, output, problems };
}

/**
 * An environment as Argo CD will apply it: built, then every Helm application rendered
 * (stacks/helm-render.ts) and its objects validated like gitplane's own. A chart that could not
 * be rendered (no Helm, no archive) is an unchecked problem naming the fix; `times: 2` renders
 * twice, for the render-deterministic rule.
 */
export function renderEnvironment(built: BuiltEnvironment, settings: Settings, times: 1 | 2 = 1): BuiltEnvironment {
  const { spec, output } = built;
  const charts = renderCharts({ objects: output.objects, files: output.files, root: spec.name, kubeVersion: spec.cluster.kubernetesVersion, clusterName: spec.cluster.name }, settings, times);
  return { ...built, charts, problems: [...built.problems, ...charts.problems, ...validateCharts(charts, settings, spec.name)] };
}
