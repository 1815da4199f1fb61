/**
 * `npm run bench [-- --quick]`: measures gitplane on the machine at hand and writes
 * bench/results/<date>.json plus a table on stdout. Every figure is the median of several runs,
 * with min and max. `npm run bench -- --policy [--quick]` measures only policy on the synthetic
 * corpus, in process, and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentSpec } from '../environments/schema';
import { listEnvironments, loadEnvironment } from '../stacks/environment';
import { Manifest } from '../stacks/objects';
import { cacheDir, loadSettings } from '../stacks/settings';
import { synthEnvironment } from '../stacks/synth';
import { CrdRegistry, Validator } from '../validation';
import { corpus } from './corpus';
import { PR_CHECK_ARGS, runPolicyOver } from './policy';
import { peerComparisons, startupFigures } from './peers';
import { platformRun } from './platform';
import { Figure, measure, table } from './stats';

const ROOT = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 7;
const settings = loadSettings();

/**
 * The PR check as a whole process: with the render cache as earlier runs left it (warm), or with
 * an empty gitplane cache directory each run (cold: every chart rendered by Helm, its defaults
 * parsed and its values schema compiled). The cold runs share the warm transpile cache: the
 * installed package is compiled JavaScript, so a user's first run transpiles only the platform's
 * own TypeScript, where this checkout's would transpile all of gitplane's and load TypeScript.
 */
function prCheck(cache: 'warm' | 'cold'): { wall: Figure; cpu: Figure; peakRssMb: Figure; command: string } {
  const args = [path.join(ROOT, 'bin', 'gitplane.js'), ...PR_CHECK_ARGS];
  const walls: number[] = [];
  const cpus: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const empty = cache === 'cold' ? emptyCacheHome() : undefined;
    const env = empty ? { ...process.env, XDG_CACHE_HOME: empty } : process.env;
    const started = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', env });
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (empty) fs.rmSync(empty, { recursive: true, force: true });
    if (r.status !== 0 && r.status !== 1) throw new Error(`PR check failed (exit ${r.status}):\n${r.stderr}`);
    const [user, system, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpus.push((user + system) * 1000);
    rss.push(kb / 1024);
  }
  return { wall: measure(walls), cpu: measure(cpus), peakRssMb: measure(rss), command: `gitplane ${PR_CHECK_ARGS.join(' ')}` };
}

/** A new XDG_CACHE_HOME whose gitplane cache is empty but for the transpiled modules (bin/register.js), linked. */
function emptyCacheHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-bench-cache-'));
  const transpiled = path.join(cacheDir(), 'transpile');
  fs.mkdirSync(path.join(home, 'gitplane'));
  fs.symlinkSync(transpiled, path.join(home, 'gitplane', 'transpile'));
  return home;
}

function time(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function repeat(fn: () => void): Figure {
  return measure(Array.from({ length: runs }, () => time(fn)));
}

function synthFigures() {
  const perEnvironment: Record<string, { ms: Figure; objects: number }> = {};
  const specs = listEnvironments().map((name) => loadEnvironment(name));
  for (const spec of specs) {
    synthEnvironment(spec); // warm-up: module loading and first-use compilation are not synth
    perEnvironment[spec.name] = { ms: repeat(() => synthEnvironment(spec)), objects: synthEnvironment(spec).objects.length };
  }
  const all = repeat(() => specs.forEach((s) => synthEnvironment(s)));
  return { perEnvironment, all };
}

/** Objects per second of wall time, and of CPU time (user + system), which a loaded machine distorts less. */
function throughput(objects: Manifest[], fn: (objects: Manifest[]) => void) {
  fn(objects.slice(0, 100)); // warm-up: schemas compile on first use
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    walls.push(time(() => fn(objects)));
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const [ms, cpuMs] = [measure(walls), measure(cpus)];
  return { objects: objects.length, ms, cpuMs, objectsPerSecond: Math.round(objects.length / (ms.median / 1000)), objectsPerCpuSecond: Math.round(objects.length / (cpuMs.median / 1000)) };
}

function fleetSpec(clusters: number): EnvironmentSpec {
  const spec = structuredClone(loadEnvironment('pi-edge')) as EnvironmentSpec;
  spec.cluster.fleet = Array.from({ length: clusters - 1 }, (_, i) => ({
    name: `edge-site-${String(i + 2).padStart(4, '0')}`,
    server: `https://edge-site-${i + 2}.edge.example.com:6443`,
    labels: { region: i % 2 === 0 ? 'north' : 'south' },
  }));
  return spec;
}

function fleetFigures() {
  return [1, 10, 100, 1000].map((clusters) => {
    const spec = fleetSpec(clusters);
    synthEnvironment(spec);
    const out = synthEnvironment(spec);
    const bytes = [...out.files.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
    return { clusters, ms: repeat(() => synthEnvironment(spec)), objects: out.objects.length, bytes };
  });
}

function main(): void {
  const realObjects = listEnvironments().flatMap((name) => synthEnvironment(loadEnvironment(name)).objects.map((o) => o.manifest));
  const synthetic = corpus(quick ? 20_000 : 100_000, realObjects);
  // Every object judged: the engine's throughput, not the outcomes a command keeps between runs.
  const validator = new Validator(new CrdRegistry(settings.crdDirs));
  const validate = (objects: Manifest[]) => validator.validate(objects.map((manifest) => ({ manifest, file: 'bench.yaml' })));

  const loadAtStart = os.loadavg()[0];
  const startup = startupFigures(runs);
  const peers = peerComparisons('prod', runs);
  const results = {
    date: new Date().toISOString(),
    quick,
    runs,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, load: { start: loadAtStart, end: 0 } },
    startup,
    peers,
    prCheck: prCheck('warm'),
    prCheckColdCache: prCheck('cold'),
    synth: synthFigures(),
    validation: { real: throughput(realObjects, validate), synthetic: throughput(synthetic, validate) },
    policy: { real: throughput(realObjects, runPolicyOver), synthetic: throughput(synthetic, runPolicyOver) },
    fleet: fleetFigures(),
    // A team's own platform repository of 200 applications, in 1 to 20 environments: one PR check each.
    platform: (quick ? [1, 5] : [1, 5, 10, 20]).map((environments) => platformRun({ environments, apps: 200 })),
  };
  results.machine.load.end = os.loadavg()[0];

  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.date.slice(0, 10)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(table(results));
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), file)}\n`);
}

/** Policy on the synthetic corpus alone (the corpus built first), for profiling and comparing changes to the rules. */
function policyOnly(): void {
  const realObjects = listEnvironments().flatMap((name) => synthEnvironment(loadEnvironment(name)).objects.map((o) => o.manifest));
  const synthetic = corpus(quick ? 20_000 : 100_000, realObjects);
  const loadAtStart = os.loadavg()[0];
  const p = throughput(synthetic, runPolicyOver);
  process.stdout.write(
    `policy in-process, warm, synthetic (${p.objects} objects), median of ${runs}: CPU ${p.cpuMs.median} ms (${p.cpuMs.min}-${p.cpuMs.max}), ` +
      `wall ${p.ms.median} ms (${p.ms.min}-${p.ms.max}); ${p.objectsPerCpuSecond} objects per CPU second, ${p.objectsPerSecond} per wall second; ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end\n`,
  );
}

if (process.argv.includes('--policy')) policyOnly();
else main();
