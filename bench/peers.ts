/**
 * Peer tools measured in the same run on the same manifests, where installed (tools/install.sh):
 * `kubeconform -strict` against gitplane's validation, `kube-linter lint` against its policy run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { Manifest } from '../stacks/objects';
import { loadSettings } from '../stacks/settings';
import { findTool } from '../test/support/tools';

export interface PeerResult {
  name: string;
  installed: boolean;
  objects?: number;
  peerMs?: number;
  gitplaneMs?: number;
  /** How many times faster gitplane is per object. */
  ratio?: number;
  note: string;
}

function timed(fn: () => unknown): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * kubeconform reads JSON Schemas; offline only the CRDs' can be produced (from their
 * openAPIV3Schema), so both tools are compared on the custom resources.
 */
function kubeconform(objects: Manifest[], toYaml: (v: unknown) => string, validate: (o: Manifest[]) => unknown): PeerResult {
  const bin = findTool('kubeconform');
  if (!bin) return { name: 'kubeconform -strict', installed: false, note: 'not installed (bash tools/install.sh kubeconform)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-bench-'));
  try {
    const schemas = path.join(dir, 'schemas');
    fs.mkdirSync(schemas);
    const kinds = new Set<string>();
    for (const crdDir of loadSettings().crdDirs) {
      for (const file of walk(crdDir)) {
        for (const doc of fs.readFileSync(file, 'utf8').split(/^---\s*$/m)) {
          const crd = parse(doc) as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: object } }[] } };
          if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
          for (const v of crd.spec.versions) {
            if (!v.schema?.openAPIV3Schema) continue;
            const name = `${crd.spec.names.kind.toLowerCase()}_${v.name}`;
            kinds.add(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`);
            fs.mkdirSync(path.join(schemas, crd.spec.group), { recursive: true });
            fs.writeFileSync(path.join(schemas, crd.spec.group, `${name}.json`), JSON.stringify(v.schema.openAPIV3Schema));
          }
        }
      }
    }
    const custom = objects.filter((o) => kinds.has(`${o.apiVersion}/${o.kind}`));
    const manifests = path.join(dir, 'manifests.yaml');
    fs.writeFileSync(manifests, custom.map((o) => toYaml(o)).join('---\n'));
    const template = `${schemas}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`;
    const peerMs = timed(() => spawnSync(bin, ['-strict', '-summary', '-schema-location', template, manifests], { encoding: 'utf8' }));
    validate(custom); // warm-up: first use compiles (and caches on disk) each CRD validator
    const gitplaneMs = timed(() => validate(custom));
    return {
      name: 'kubeconform -strict',
      installed: true,
      objects: custom.length,
      peerMs: Math.round(peerMs),
      gitplaneMs: Math.round(gitplaneMs * 10) / 10,
      ratio: Math.round((peerMs / gitplaneMs) * 10) / 10,
      note: `${custom.length} custom resources: kubeconform ${Math.round(peerMs)} ms, gitplane ${Math.round(gitplaneMs)} ms (${Math.round(peerMs / gitplaneMs)}x)`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function kubeLinter(objects: Manifest[], toYaml: (v: unknown) => string, policy: (o: Manifest[]) => unknown): PeerResult {
  const bin = findTool('kube-linter');
  if (!bin) return { name: 'kube-linter lint', installed: false, note: 'not installed (bash tools/install.sh kube-linter)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-bench-'));
  try {
    const file = path.join(dir, 'manifests.yaml');
    fs.writeFileSync(file, objects.map((o) => toYaml(o)).join('---\n'));
    const peerMs = timed(() => spawnSync(bin, ['lint', file], { encoding: 'utf8' }));
    policy(objects);
    const gitplaneMs = timed(() => policy(objects));
    return {
      name: 'kube-linter lint',
      installed: true,
      objects: objects.length,
      peerMs: Math.round(peerMs),
      gitplaneMs: Math.round(gitplaneMs),
      ratio: Math.round((peerMs / gitplaneMs) * 10) / 10,
      note: `${objects.length} objects: kube-linter ${Math.round(peerMs)} ms, gitplane ${Math.round(gitplaneMs)} ms (${Math.round(peerMs / gitplaneMs)}x)`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

export function peerTools(
  objects: Manifest[],
  toYaml: (v: unknown) => string,
  validate: (o: Manifest[]) => unknown,
  policy: (o: Manifest[]) => unknown,
): PeerResult[] {
  return [kubeconform(objects, toYaml, validate), kubeLinter(objects, toYaml, policy)];
}
