/** Shipped environments, synthesized once per test file. */
import { EnvironmentSpec } from '../../environments/schema';
import { listEnvironments, loadEnvironment } from '../../stacks/environment';
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
