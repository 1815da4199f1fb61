/**
 * gitplane as a user gets it: `npm pack`, the tarball installed into an empty directory,
 * `npx gitplane init`, the scaffold's `npm install`, a second application of the team's own, then
 * synth, validate, policy and publish in the scaffolded repository, each through the installed CLI.
 *
 * npm installs from its cache (--prefer-offline): every dependency is there after `npm ci` here.
 * The scaffold has no ../shared beside it; GITPLANE_SCHEMA_MIRROR and GITPLANE_CHART_MIRROR point
 * it at this repository's offline mirrors so every custom resource is schema-checked and every
 * chart rendered (with the Helm tools/install.sh builds, when installed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CliResult, HELM_ENV, ROOT, tempDir, SHARED_DIR } from '../support/cli';
import { describeWithMirrors } from '../support/mirrors';

const MIRROR = path.join(SHARED_DIR, 'schemas');

// Variables npm sets for the script running jest (npm test) would point nested npm runs at this repository.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

/**
 * Bounds a hung command only (jest cannot time out a test blocked in spawnSync): `npm pack`, a full
 * tsc build, took over 10 minutes at load 18 beside a Go build, where a 10-minute limit failed it.
 */
const HUNG_COMMAND_MS = 30 * 60_000;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(command, args, { cwd, env: { ...ENV, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: HUNG_COMMAND_MS });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `command` and returns its output; a non-zero exit fails with everything it printed. */
function succeed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = run(command, args, cwd, env);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The second application of the team's own, as its developers would write it with the public API only. */
const ORDERS_API = `import { defineApp, HttpService, IngressPolicy, Static, Type, Wave } from 'gitplane';

const NAME = 'orders-api';
const Settings = Type.Object({ replicas: Type.Integer({ minimum: 1, default: 2 }) }, { additionalProperties: false });
const labels = (env: string) => ({ name: NAME, instance: \`\${NAME}-\${env}\`, component: 'api' });

export const ordersApi = defineApp<Static<typeof Settings>>({
  name: NAME,
  namespace: 'orders',
  podSecurity: 'restricted',
  wave: Wave.CustomResources,
  dependsOn: ['example-api'],
  component: 'api',
  settings: Settings,
  scrape: ({ spec }) => [{ name: NAME, labels: labels(spec.name), port: 'http' }],
  alerts: () => [
    {
      name: NAME,
      component: 'api',
      alerts: [
        {
          name: 'OrdersApiDown',
          expr: 'up{job="orders-api", namespace="orders"} == 0',
          for: '5m',
          severity: 'warning',
          summary: 'orders-api pod {{ $labels.pod }} does not answer scrapes.',
          description: 'Prometheus has not reached orders-api pod {{ $labels.pod }} for 5 minutes.',
          runbook: {
            tldr: 'An orders-api pod is down. Check its events and logs.',
            mitigation: ['kubectl -n orders get pods -l app.kubernetes.io/name=orders-api', 'kubectl -n orders rollout restart deployment/orders-api'],
            impact: 'Orders placed on the pod fail.',
            diagnosis: { queries: ['up{job="orders-api"}'] },
            escalation: 'Page the orders team.',
          },
          test: {
            series: [{ series: 'up{job="orders-api",namespace="orders",pod="orders-api-0"}', values: '0x15' }],
            firesAt: '10m',
            labels: { job: NAME, namespace: 'orders', pod: 'orders-api-0' },
          },
        },
      ],
    },
  ],
  build: (chart, { spec, settings, scrapers }) => {
    const app = labels(spec.name);
    const service = new HttpService(chart, 'service', { app, image: 'quay.io/brancz/prometheus-example-app:v0.5.0', port: 8080, replicas: settings.replicas, runAsUser: 65534 });
    new IngressPolicy(chart, 'network-policy', { name: service.name, app, allow: [{ ports: [8080], from: [...scrapers] }] });
  },
});
`;

describeWithMirrors(['schemas', 'charts'], 'the packed gitplane in a platform repository of its own', () => {
  let platform: string;
  const env = { GITPLANE_SCHEMA_MIRROR: MIRROR, GITPLANE_CHART_MIRROR: path.join(SHARED_DIR, 'charts'), ...HELM_ENV, XDG_CACHE_HOME: '' };
  const gitplane = (args: string[], extra: NodeJS.ProcessEnv = {}) => run('npx', ['--no', 'gitplane', ...args], platform, { ...env, ...extra });
  // The install is some 310 MB: removed when the tests end, not only when the worker exits.
  const made: string[] = [];
  const temporary = (prefix: string) => {
    const dir = tempDir(prefix);
    made.push(dir);
    return dir;
  };
  afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  beforeAll(() => {
    env.XDG_CACHE_HOME = temporary('gitplane-cache-');
    // The user's directory: the tarball, where `npx` installs it to run init, and the platform beside it.
    const user = temporary('gitplane-user-');
    const built = fs.existsSync(path.join(ROOT, 'lib'));
    try {
      succeed('npm', ['pack', '--pack-destination', user], ROOT);
    } finally {
      // prepack compiled into lib/; leave the checkout as it was.
      if (!built) fs.rmSync(path.join(ROOT, 'lib'), { recursive: true, force: true });
    }
    const tarball = fs.readdirSync(user).find((f) => f.endsWith('.tgz'))!;

    const installed = path.join(user, 'installed');
    fs.mkdirSync(installed);
    succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(user, tarball)], installed);
    platform = path.join(user, 'platform');
    succeed('npx', ['--no', 'gitplane', 'init', platform, '--dependency', `file:../${tarball}`], installed);
    // The scaffold's own install starts from the tree npx installed (the same package and
    // dependencies, at the same depth, so the same relative tarball): npm reads that tree, finds it
    // satisfies the scaffold's package.json and writes its lock, instead of unpacking the same
    // 310 MB a second time.
    fs.renameSync(path.join(installed, 'node_modules'), path.join(platform, 'node_modules'));
    succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], platform);

    fs.mkdirSync(path.join(platform, 'apps', 'orders-api'));
    fs.writeFileSync(path.join(platform, 'apps', 'orders-api', 'index.ts'), ORDERS_API);
    const config = path.join(platform, 'gitplane.config.ts');
    fs.writeFileSync(
      config,
      fs
        .readFileSync(config, 'utf8')
        .replace("import { exampleApi } from './apps/example-api';", "import { exampleApi } from './apps/example-api';\nimport { ordersApi } from './apps/orders-api';")
        .replace('apps: [exampleApi]', 'apps: [exampleApi, ordersApi]'),
    );
    fs.appendFileSync(path.join(platform, 'environments', 'dev.yaml'), '  orders-api:\n    replicas: 3\n');
  }, 4 * HUNG_COMMAND_MS);

  test('the installed package is compiled JavaScript with declarations, its own files and no tests, and knows its version', () => {
    const pkg = path.join(platform, 'node_modules', 'gitplane');
    for (const file of ['lib/index.js', 'lib/index.d.ts', 'lib/cli/main.js', 'environments/environment.schema.json', 'environments/versions.yaml', 'constructs/backup/etcd/etcd-backup.sh', 'constructs/gitops/argocd/application-health.lua']) {
      expect(fs.existsSync(path.join(pkg, file))).toBe(true);
    }
    expect(fs.existsSync(path.join(pkg, 'test'))).toBe(false);
    expect(fs.existsSync(path.join(pkg, 'cli', 'main.ts'))).toBe(false);
    const api = succeed(process.execPath, ['-e', "const g = require('gitplane'); console.log(typeof g.defineApp, typeof g.HttpService, g.Wave.Services)"], platform);
    expect(api.stdout).toBe('function function 0\n');
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(succeed(process.execPath, [path.join(pkg, 'bin', 'gitplane.js'), '--version'], platform).stdout).toBe(`gitplane ${own.version}\n`);
    // The scaffold's install locked what it runs: the tarball beside it, as init was told.
    const lock = JSON.parse(fs.readFileSync(path.join(platform, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; resolved?: string }> };
    expect(lock.packages['node_modules/gitplane']).toMatchObject({ version: own.version, resolved: `file:../gitplane-${own.version}.tgz` });
  });

  test('the scaffold and its second application type-check against the package declarations', () => {
    // One check shows both: beside the scaffold and orders-api, which must pass, a copy of orders-api
    // with a misspelt prop of a public construct, which must fail it (the check is real). The
    // scaffold's tsconfig.json takes every file under apps/.
    const misspelt = path.join(platform, 'apps', 'orders-api-misspelt', 'index.ts');
    fs.mkdirSync(path.dirname(misspelt));
    fs.writeFileSync(misspelt, ORDERS_API.replace('replicas: settings.replicas,', 'replica: settings.replicas,'));
    try {
      const r = run('npm', ['run', '--silent', 'typecheck'], platform);
      expect(r.status).not.toBe(0);
      const errors = r.stdout.split('\n').filter((line) => /error TS\d+:/.test(line));
      expect(errors.filter((line) => !line.startsWith('apps/orders-api-misspelt/index.ts('))).toEqual([]);
      expect(errors.join('\n')).toContain("'replica' does not exist in type 'HttpServiceProps'");
    } finally {
      fs.rmSync(path.dirname(misspelt), { recursive: true, force: true });
    }
  });

  test('synth puts the team applications into the Argo CD tree in their waves, admitted by the AppProject', () => {
    const r = gitplane(['synth']);
    expect(r.stderr).not.toContain('not schema-checked');
    expect(r.status).toBe(0);
    const dev = path.join(platform, 'dist', 'dev');
    const read = (file: string) => parse(fs.readFileSync(path.join(dev, file), 'utf8'));
    for (const [name, namespace, wave] of [['example-api', 'example-api', '0'], ['orders-api', 'orders', '10']]) {
      const application = read(`bootstrap/application-dev-${name}.yaml`);
      expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(wave);
      expect(application.spec.destination.namespace).toBe(namespace);
      expect(application.spec.source.path).toBe(`dev/apps/${name}`);
      expect(read('bootstrap/appproject-dev.yaml').spec.destinations).toContainEqual({ namespace, server: 'https://kubernetes.default.svc' });
      const deployment = read(`apps/${name}/deployment-${name}.yaml`);
      expect(deployment.metadata.namespace).toBe(namespace);
    }
    expect(read('apps/orders-api/deployment-orders-api.yaml').spec.replicas).toBe(3);
    expect(fs.readdirSync(path.join(dev, 'runbooks'))).toEqual(expect.arrayContaining(['example-api-down.md', 'orders-api-down.md']));
  });

  test('validate checks every object, custom resources included', () => {
    const r = gitplane(['validate', '--all']);
    expect(r.stdout + r.stderr).toContain('all objects valid');
    expect(r.status).toBe(0);
  });

  // In CI a chart that was not rendered is refused: without Helm this runs only where tools are required.
  (HELM_ENV.GITPLANE_HELM !== '' || process.env.GITPLANE_REQUIRE_TOOLS === '1' ? test : test.skip)('policy in CI as the scaffolded workflow runs it passes with no mandatory finding, charts rendered, and writes every report and dist/ in one run', () => {
    const r = gitplane(['policy', '--all', '--quiet', '--out', 'dist', '--format', 'github', '--report', 'sarif=gitplane.sarif', '--report', 'markdown=policy.md'], { CI: 'true' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^::notice title=gitplane policy \(dev\)::dev: 0 mandatory, \d+ advisory finding\(s\)/m);
    expect(JSON.parse(fs.readFileSync(path.join(platform, 'gitplane.sarif'), 'utf8')).runs[0].tool.driver.name).toBe('gitplane');
    expect(fs.readFileSync(path.join(platform, 'policy.md'), 'utf8')).toContain('| dev |');
    expect(fs.readdirSync(path.join(platform, 'dist'))).toEqual(['dev']);
  });

  test('publish commits the environment with both applications to the Argo CD repository', () => {
    const repo = path.join(temporary('gitplane-argocd-'), 'gitops.git');
    succeed('git', ['init', '--quiet', '--bare', repo], platform);
    const r = gitplane(['publish', '--repo', repo, '--env', 'dev', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = succeed('git', ['ls-tree', '-r', '--name-only', 'main'], repo).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['dev/apps/example-api/deployment-example-api.yaml', 'dev/apps/orders-api/deployment-orders-api.yaml', 'dev/bootstrap/application-dev-orders-api.yaml']));
  });
});
