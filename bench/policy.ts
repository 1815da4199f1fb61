/** The policy side of the benchmark: the PR-check command line and policy throughput over a set of objects. */
import { runPolicies } from '../policies/engine';
import { PolicyEnvironment } from '../policies/types';
import { Manifest } from '../stacks/objects';

/** The pull-request path from a cold process: synth every environment, validate, run every policy. */
export const PR_CHECK_ARGS = ['policy', '--all', '--format', 'json', '--output', '/dev/null'];

/** `objects` as one directory-like environment (every pack, no spec), spread over 20 application folders. */
export function benchEnvironment(objects: Manifest[]): PolicyEnvironment {
  const rendered = objects.map((manifest, i) => ({ manifest, app: `app-${i % 20}`, file: `apps/app-${i % 20}/${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml` }));
  return { name: 'bench', objects: rendered, files: new Map(), root: 'bench' };
}

/** Runs every rule over `objects` as one directory-like environment. */
export function runPolicyOver(objects: Manifest[]): unknown {
  return runPolicies([benchEnvironment(objects)]);
}
