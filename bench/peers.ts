/**
 * Peer tools against gitplane's CLI as users run them: whole processes, cold, on the same
 * directory of manifests (one synthesized environment), in the same run, alternating so that the
 * machine's load falls on every contender alike. `gitplane validate --dir` against
 * `kubeconform -strict`; `gitplane policy --dir` against kube-score, kube-linter and Polaris.
 *
 * Peers come from tools/install.sh or PATH; one that is not found is reported absent. kubeconform
 * reads the Kubernetes 1.34 schemas of the PyPI package kubernetes-validate in its own layout
 * (`bash tools/install.sh kubernetes-schemas`), and the CRDs' schemas from gitplane's own CRD
 * directories, so both tools check the same objects against the same schemas.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadSettings } from '../stacks/settings';
import { findTool } from '../test/support/tools';
import { Figure, measure } from './stats';

const ROOT = path.resolve(__dirname, '..');

/** One process's cost: wall time, and CPU (user + system) as /usr/bin/time reports it. */
interface Sample {
  wallMs: number;
  cpuMs: number;
}

export interface Contender {
  name: string;
  wallMs?: Figure;
  cpuMs?: Figure;
  /** Why it was not measured, or how it was set up. */
  note?: string;
}

export interface Comparison {
  /** What is compared, e.g. `validate dist/prod`. */
  task: string;
  objects: number;
  gitplane: Contender;
  peers: Contender[];
}

interface Runnable {
  name: string;
  argv: string[];
  /** Exit codes that mean the tool ran to the end (findings are not failures here). */
  ok: number[];
  /** How it was set up, when the table should say so. */
  note?: string;
}

function once(r: Runnable): Sample {
  const started = process.hrtime.bigint();
  const p = spawnSync('/usr/bin/time', ['-f', '%U %S', ...r.argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (p.status === null || !r.ok.includes(p.status)) throw new Error(`${r.name} failed (exit ${p.status}): ${r.argv.join(' ')}\n${p.stderr.slice(-2000)}`);
  const [user, system] = p.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: (user + system) * 1000 };
}

/** One warm-up run each, then `runs` rounds, each contender once per round. */
function race(contenders: Runnable[], runs: number): Contender[] {
  for (const c of contenders) once(c);
  const samples = contenders.map(() => [] as Sample[]);
  for (let i = 0; i < runs; i++) contenders.forEach((c, j) => samples[j].push(once(c)));
  return contenders.map((c, j) => ({
    name: c.name,
    wallMs: measure(samples[j].map((s) => s.wallMs)),
    cpuMs: measure(samples[j].map((s) => s.cpuMs)),
    note: c.note,
  }));
}

function gitplane(args: string[]): Runnable {
  return { name: `gitplane ${args[0]} --dir`, argv: [process.execPath, path.join(ROOT, 'bin', 'gitplane.js'), ...args], ok: [0, 1] };
}

/** Whether kubeconform, run as `argv`, finds no schema for some objects (the CRDs gitplane's settings name are not all here). */
function missingCrds(argv: string[]): boolean {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return r.status !== 0 && /could not find schema/.test(r.stdout + r.stderr);
}

/** The served versions of every CRD gitplane validates against, as JSON Schemas in kubeconform's layout. */
function crdSchemas(into: string): string {
  for (const crdDir of loadSettings().crdDirs) {
    for (const file of yamlFiles(crdDir)) {
      for (const doc of fs.readFileSync(file, 'utf8').split(/^---\s*$/m)) {
        const crd = parse(doc) as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: object } }[] } };
        if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
        for (const v of crd.spec.versions) {
          if (!v.schema?.openAPIV3Schema) continue;
          fs.mkdirSync(path.join(into, crd.spec.group), { recursive: true });
          const file = path.join(into, crd.spec.group, `${crd.spec.names.kind.toLowerCase()}_${v.name}.json`);
          if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(v.schema.openAPIV3Schema));
        }
      }
    }
  }
  return into;
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** The manifests of a synthesized environment: everything but the Helm values under values/. */
function manifestFiles(dir: string): string[] {
  return yamlFiles(dir).filter((f) => !path.relative(dir, f).startsWith(`values${path.sep}`));
}

const absent = (name: string, install: string): Contender => ({ name, note: `not installed (${install})` });

/**
 * What a command costs before it does anything: `gitplane --help` and `gitplane <command> --help`
 * (target: under 150 ms wall) beside Node's own start (`node -e 0`), which no Node.js CLI beats.
 */
export function startupFigures(runs: number): Contender[] {
  const node: Runnable = { name: 'node -e 0', argv: [process.execPath, '-e', '0'], ok: [0] };
  const help = (args: string[]): Runnable => ({ name: `gitplane ${args.join(' ')}`, argv: [process.execPath, path.join(ROOT, 'bin', 'gitplane.js'), ...args], ok: [0] });
  return race([node, help(['--help']), help(['policy', '--help']), help(['validate', '--help'])], runs);
}

/** Synthesizes `env` into a scratch directory and races gitplane against each installed peer there. */
export function peerComparisons(env: string, runs: number): Comparison[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-bench-'));
  try {
    const out = path.join(scratch, 'dist');
    const synth = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'gitplane.js'), 'synth', '--env', env, '--out', out, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`gitplane synth --env ${env} failed:\n${synth.stderr}`);
    const dir = path.join(out, env);
    const files = manifestFiles(dir);
    const objects = files.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split(/^---\s*$/m).filter((d) => d.trim()).length, 0);

    const validation: Runnable[] = [gitplane(['validate', '--dir', dir, '--quiet'])];
    const validationAbsent: Contender[] = [];
    const kubeconform = findTool('kubeconform');
    const kubernetes = findTool('kubernetes-schemas');
    if (!kubeconform) validationAbsent.push(absent('kubeconform -strict', 'bash tools/install.sh kubeconform'));
    else if (!kubernetes) validationAbsent.push(absent('kubeconform -strict', 'its Kubernetes 1.34 schemas: bash tools/install.sh kubernetes-schemas'));
    else {
      const crds = crdSchemas(path.join(scratch, 'crds'));
      const argv = [kubeconform, '-strict', '-summary', '-ignore-filename-pattern', `${path.sep}values${path.sep}`,
        '-schema-location', `${kubernetes}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        '-schema-location', `${crds}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`, dir];
      validation.push(missingCrds(argv)
        // A clone before "gitplane schemas pull" has no CRD for some custom resources, which
        // gitplane leaves unchecked with a warning: kubeconform is told to skip them too.
        ? { name: 'kubeconform -strict -ignore-missing-schemas', argv: [argv[0], '-ignore-missing-schemas', ...argv.slice(1)], ok: [0], note: 'no CRD here for some custom resources, which both leave unchecked; "gitplane schemas pull" fetches them' }
        : { name: 'kubeconform -strict', argv, ok: [0] });
    }

    const policy: Runnable[] = [gitplane(['policy', '--dir', dir, '--quiet', '--format', 'json', '--output', '/dev/null'])];
    const policyAbsent: Contender[] = [];
    const kubeScore = findTool('kube-score');
    if (kubeScore) policy.push({ name: 'kube-score score', argv: [kubeScore, 'score', '--output-format', 'ci', ...files], ok: [0, 1] });
    else policyAbsent.push(absent('kube-score score', 'bash tools/install.sh kube-score'));
    const kubeLinter = findTool('kube-linter');
    if (kubeLinter) policy.push({ name: 'kube-linter lint', argv: [kubeLinter, 'lint', ...files], ok: [0, 1] });
    else policyAbsent.push(absent('kube-linter lint', 'bash tools/install.sh kube-linter, where the module proxy serves it'));
    const polaris = findTool('polaris');
    if (polaris) policy.push({ name: 'polaris audit', argv: [polaris, 'audit', '--audit-path', dir, '--format', 'score'], ok: [0, 1, 3] });
    else policyAbsent.push(absent('polaris audit', 'put polaris on PATH'));

    const [validateGitplane, ...validatePeers] = race(validation, runs);
    const [policyGitplane, ...policyPeers] = race(policy, runs);
    return [
      { task: `validate ${env}`, objects, gitplane: validateGitplane, peers: [...validatePeers, ...validationAbsent] },
      { task: `policy ${env}`, objects, gitplane: policyGitplane, peers: [...policyPeers, ...policyAbsent] },
    ];
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
