/**
 * Shipped environments, built once per run of the tests: 31 test files read all four and 24 more
 * one or two, and a build (synth, validation, the chart values checks) costs 0.5 to 0.7 s of CPU
 * in a test file. The first file to build an environment stores its output and problems in the
 * run's temporary directory (test/support/temporary-setup.js), under the digest of everything the
 * build reads besides the code: the environment as loaded, the settings (schema directories,
 * mirrors, chart cache, Helm) and the applications; the others read it back, whatever order jest
 * runs them in. The code cannot change during a run, and the directory goes with the run.
 */
import * as path from 'node:path';
import { EnvironmentSpec } from '../../environments/schema';
import { HelmRelease } from '../../stacks/application';
import { contentKey, readEntry, writeEntry } from '../../stacks/content-cache';
import { listEnvironments, loadEnvironment, parseEnvironment } from '../../stacks/environment';
import { InputError } from '../../stacks/errors';
import { BuiltEnvironment, buildEnvironment } from '../../stacks/pipeline';
import { projectApps } from '../../stacks/platform';
import { loadSettings } from '../../stacks/settings';

export const ENVIRONMENTS = listEnvironments();

const cache = new Map<string, BuiltEnvironment>();

/** Where builds are shared between the run's test files; none outside a jest run. */
const SHARED = process.env.GITPLANE_TEST_TMPDIR && path.join(process.env.GITPLANE_TEST_TMPDIR, 'built-environments');

export function built(name: string): BuiltEnvironment {
  let b = cache.get(name);
  if (!b) {
    b = buildShared(loadEnvironment(name));
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

function buildShared(spec: EnvironmentSpec): BuiltEnvironment {
  const settings = loadSettings();
  const apps = projectApps();
  if (!SHARED) return buildEnvironment(spec, settings, apps);
  const key = contentKey([spec, settings, apps.map((a) => a.name)]);
  const stored = readEntry(SHARED, key);
  if (stored !== undefined) {
    const s = JSON.parse(stored) as StoredBuild;
    const output = { env: s.env, objects: s.objects, files: new Map(s.files), configs: new Map(s.configs), releases: new Map(s.releases) };
    return { spec, apps, output, problems: s.problems };
  }
  const b = buildEnvironment(spec, settings, apps);
  const { output } = b;
  const body: StoredBuild = { env: output.env, objects: output.objects, files: [...output.files], configs: [...output.configs], releases: [...output.releases], problems: b.problems };
  writeEntry(SHARED, key, JSON.stringify(body));
  return b;
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
