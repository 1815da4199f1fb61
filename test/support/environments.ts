/**
 * Shipped environments, built once per run of the tests (test/support/run-cache.ts): 60 test files
 * read them, 32 of them all four, and a build (synth, validation, the chart values checks)
 * costs 0.5 to 0.7 s of CPU in a test file. A build is keyed by the environment as loaded, the
 * settings (schema directories, mirrors, chart cache, Helm) and the applications.
 */
import { EnvironmentSpec } from '../../environments/schema';
import { HelmRelease } from '../../stacks/application';
import { listEnvironments, loadEnvironment, parseEnvironment } from '../../stacks/environment';
import { InputError } from '../../stacks/errors';
import { BuiltEnvironment, buildEnvironment } from '../../stacks/pipeline';
import { projectApps } from '../../stacks/platform';
import { loadSettings } from '../../stacks/settings';
import { sharedInRun } from './run-cache';

export const ENVIRONMENTS = listEnvironments();

const cache = new Map<string, BuiltEnvironment>();

export function built(name: string): BuiltEnvironment {
  let b = cache.get(name);
  if (!b) {
    b = buildOnce(loadEnvironment(name));
    cache.set(name, b);
  }
  return b;
}

/** The output and problems of a build, as JSON (its Maps as entry lists): a round trip gives them back exactly. */
interface StoredBuild {
  env: string;
  objects: BuiltEnvironment['output']['objects'];
  files: [string, string][];
  configs: [string, { description: string; content: string }][];
  releases: [string, HelmRelease][];
  problems: BuiltEnvironment['problems'];
}

function buildOnce(spec: EnvironmentSpec): BuiltEnvironment {
  const settings = loadSettings();
  const apps = projectApps();
  let fresh: BuiltEnvironment | undefined;
  const stored = sharedInRun<StoredBuild>(['built environment', spec, settings, apps.map((a) => a.name)], () => {
    fresh = buildEnvironment(spec, settings, apps);
    const { output, problems } = fresh;
    return { env: output.env, objects: output.objects, files: [...output.files], configs: [...output.configs], releases: [...output.releases], problems };
  });
  if (fresh) return fresh;
  const output = { env: stored.env, objects: stored.objects, files: new Map(stored.files), configs: new Map(stored.configs), releases: new Map(stored.releases) };
  return { spec, apps, output, problems: stored.problems };
}

/** A shipped environment with some fields replaced, for tests of variations. */
export function variant(name: string, change: (spec: EnvironmentSpec) => void): EnvironmentSpec {
  const spec = structuredClone(loadEnvironment(name)) as EnvironmentSpec;
  change(spec);
  return spec;
}

export function manifests(name: string) {
  return built(name).output.objects.map((o) => o.manifest);
}

/** The problems the loader reports for environment text it must refuse; throws when it loads. */
export function loadProblems(text: string, file: string): string[] {
  try {
    parseEnvironment(text, file);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected the environment to be rejected');
}
