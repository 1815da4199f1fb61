/**
 * A platform team's own repository at scale, generated at bench time (never committed): the
 * scaffold of `gitplane init`, with `apps` applications of the team's own (copies of the
 * scaffold's example application, each its own name, namespace and alert) enabled in
 * `environments` environments (copies of the scaffold's dev environment). The PR check
 * (`gitplane policy --all`) runs on it as a whole process, from the generated directory as a
 * platform repository's CI runs it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PR_CHECK_ARGS } from './policy';

const ROOT = path.resolve(__dirname, '..');
const GITPLANE = path.join(ROOT, 'bin', 'gitplane.js');

export interface PlatformSize {
  readonly environments: number;
  readonly apps: number;
}

export interface PlatformRun extends PlatformSize {
  /** Findings of the check, over every environment (a generated platform passes: 0). */
  readonly findings: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

const pad = (i: number) => String(i).padStart(3, '0');

/** Writes the platform repository into `dir`. */
function generate(dir: string, size: PlatformSize): void {
  const init = spawnSync(process.execPath, [GITPLANE, 'init', dir, '--quiet'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`gitplane init failed:\n${init.stderr}`);
  // The scaffold imports gitplane by name from node_modules; here the checkout is the package.
  const example = fs.readFileSync(path.join(dir, 'apps', 'example-api', 'index.ts'), 'utf8').replace("from 'gitplane';", `from ${JSON.stringify(path.join(ROOT, 'index'))};`);
  fs.rmSync(path.join(dir, 'apps', 'example-api'), { recursive: true });
  const names = Array.from({ length: size.apps }, (_, i) => `team-app-${pad(i)}`);
  names.forEach((name, i) => {
    const source = example.replaceAll('example-api', name).replaceAll('ExampleApi', `TeamApp${pad(i)}`).replaceAll('exampleApi', `teamApp${pad(i)}`);
    fs.mkdirSync(path.join(dir, 'apps', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apps', name, 'index.ts'), source);
  });
  const imports = names.map((name, i) => `import { teamApp${pad(i)} } from './apps/${name}';`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'gitplane.config.ts'),
    `import { defineConfig } from ${JSON.stringify(path.join(ROOT, 'index'))};\n${imports}\n\nexport default defineConfig({\n  apps: [${names.map((_, i) => `teamApp${pad(i)}`).join(', ')}],\n});\n`,
  );
  const dev = fs.readFileSync(path.join(dir, 'environments', 'dev.yaml'), 'utf8');
  const [before] = dev.split(/^apps:$/m);
  const apps = `apps:\n${names.map((name) => `  ${name}:\n    replicas: 2\n`).join('')}`;
  fs.rmSync(path.join(dir, 'environments', 'dev.yaml'));
  for (let e = 0; e < size.environments; e++) {
    const env = `env-${pad(e)}`;
    const text = `${before}${apps}`.replace(/^name: dev$/m, `name: ${env}`).replace(/^( {2}name:) dev$/m, `$1 ${env}`).replaceAll('/main/dev/runbooks', `/main/${env}/runbooks`);
    fs.writeFileSync(path.join(dir, 'environments', `${env}.yaml`), text);
  }
}

/**
 * Generates a platform of `size` and runs the PR check on it once, as a whole process. The
 * platform is generated in the same directory on every run, as a team's repository stays where it
 * is: the schema checks' kept outcomes (validation/kept-outcomes.ts) name its CRD directories, so a
 * new directory each run would never find them.
 */
export function platformRun(size: PlatformSize): PlatformRun {
  const dir = path.join(os.tmpdir(), `gitplane-bench-platform-${size.environments}x${size.apps}`);
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    generate(dir, size);
    const report = path.join(dir, 'report.json');
    const args = PR_CHECK_ARGS.map((a) => (a === '/dev/null' ? report : a));
    const started = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, GITPLANE, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`PR check of the generated platform failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    const [user, system, rssKb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    const parsed = JSON.parse(fs.readFileSync(report, 'utf8')) as { environments: { findings: unknown[] }[] };
    return { ...size, findings: parsed.environments.reduce((n, e) => n + e.findings.length, 0), wallMs: Math.round(wallMs), cpuMs: Math.round((user + system) * 1000), peakRssMb: Math.round(rssKb / 1024) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

