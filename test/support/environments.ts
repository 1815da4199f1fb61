/** Shipped environments, synthesized once per test file. */
import { EnvironmentSpec } from '../../environments/schema';
import { listEnvironments, loadEnvironment, parseEnvironment } from '../../stacks/environment';
import { InputError } from '../../stacks/errors';
import { BuiltEnvironment, buildEnvironment } from '../../stacks/pipeline';
import { loadSettings } from '../../stacks/settings';

export const ENVIRONMENTS = listEnvironments();

const cache = new Map<string, BuiltEnvironment>();

export function built(name: string): BuiltEnvironment {
  let b = cache.get(name);
  if (!b) {
    b = buildEnvironment(loadEnvironment(name), loadSettings());
    cache.set(name, b);
  }
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
