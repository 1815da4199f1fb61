/**
 * The Helm applications rendered as Argo CD renders them, with the real Helm and the pinned chart
 * archives of the offline Helm repository: what each Application asks for reaches `helm
 * template`, the result is marked with its application and validated, and an archive that does
 * not match its digest is never rendered.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { InputError } from '../../stacks/errors';
import { chartReleases, renderCharts, servedApiVersions, validateCharts } from '../../stacks/helm-render';
import { archiveName, cachedChartDir } from '../../stacks/schema-lock';
import { sha256 } from '../../stacks/schema-pull';
import { fromBuilt } from '../../policies/inputs';
import { findOne, RenderedObject } from '../../stacks/objects';
import { CHARTS_DIR, rendered, renderSettings } from '../support/charts';
import { ROOT, tempDir } from '../support/cli';
import { built } from '../support/environments';
import { testWithMirrors } from '../support/mirrors';
import { describeWithTool } from '../support/tools';

const input = (name: string, files?: Map<string, string>) => {
  const env = fromBuilt(built(name));
  return { objects: env.objects, files: files ?? env.files, root: name, kubeVersion: env.spec!.cluster.kubernetesVersion, clusterName: env.spec!.cluster.name };
};
const chartObjects = (objects: readonly RenderedObject[], app: string) => objects.filter((o) => o.app === app).map((o) => o.manifest);

test('fails when a rendered object is invalid, naming the values file, the object and the template that rendered it', () => {
  const source = fromBuilt(built('dev')).objects.find((o) => o.manifest.kind === 'Application' && o.manifest.metadata.name === 'dev-longhorn')!;
  const release = { app: 'longhorn', chart: 'longhorn', version: '1.12.1', release: 'longhorn', namespace: 'longhorn-system', valuesFile: 'values/longhorn.yaml', parameters: [], source };
  const invalid: RenderedObject = {
    manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'longhorn-default-setting', namespace: 'longhorn-system' }, data: { replicas: 3 } },
    app: 'longhorn',
    file: 'values/longhorn.yaml',
    chart: { name: 'longhorn', version: '1.12.1', release: 'longhorn', template: 'longhorn/templates/default-setting.yaml' },
  };
  const problems = validateCharts({ objects: [invalid], problems: [], releases: [release] }, renderSettings(undefined), 'dev');
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ file: 'dev/values/longhorn.yaml', object: 'ConfigMap/longhorn-system/longhorn-default-setting' });
  expect(problems[0].message).toMatch(/^data\.replicas.* \(rendered by longhorn 1\.12\.1 from longhorn\/templates\/default-setting\.yaml\)$/);
});

test('an object shared by several renders is schema-checked once and its problems reported for each release that has it', () => {
  const dev = fromBuilt(built('dev')).objects.find((o) => o.manifest.kind === 'Application' && o.manifest.metadata.name === 'dev-longhorn')!;
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'longhorn-default-setting', namespace: 'longhorn-system' }, data: { replicas: 3 } };
  const charts = (root: string) => {
    const release = { app: 'longhorn', chart: 'longhorn', version: '1.12.1', release: 'longhorn', namespace: 'longhorn-system', valuesFile: 'values/longhorn.yaml', parameters: [], source: dev };
    const object: RenderedObject = { manifest, app: 'longhorn', file: 'values/longhorn.yaml', chart: { name: 'longhorn', version: '1.12.1', release: 'longhorn', template: `longhorn/templates/${root}.yaml` } };
    return validateCharts({ objects: [object], problems: [], releases: [release] }, renderSettings(undefined), root);
  };
  const first = charts('dev');
  const second = charts('staging');
  expect(first.map((p) => p.file)).toEqual(['dev/values/longhorn.yaml']);
  expect(second.map((p) => p.file)).toEqual(['staging/values/longhorn.yaml']);
  expect(second[0].message.replace('staging.yaml', 'dev.yaml')).toBe(first[0].message);
});

describeWithTool('helm', 'rendering the Helm applications as Argo CD does', (helm) => {
  testWithMirrors(['charts'], 'dev: every chart its Applications install is rendered, CRDs included, each object marked with application, chart, release and template', () => {
    const b = rendered('dev', helm);
    expect(b.charts!.releases.map((r) => [r.app, r.chart, r.version, r.release, r.namespace, r.valuesFile])).toEqual([
      ['longhorn', 'longhorn', '1.12.1', 'longhorn', 'longhorn-system', 'values/longhorn.yaml'],
      ['nats', 'nack', '0.34.0', 'nack', 'nats', 'values/nats.yaml'],
      ['observability-prometheus', 'kube-prometheus-stack', '88.5.3', 'kps', 'monitoring', 'values/observability-prometheus.yaml'],
    ]);
    const kps = chartObjects(b.charts!.objects, 'observability-prometheus');
    const prometheus = b.charts!.objects.find((o) => o.manifest.kind === 'Prometheus')!;
    expect(prometheus).toMatchObject({ app: 'observability-prometheus', file: 'values/observability-prometheus.yaml', chart: { name: 'kube-prometheus-stack', version: '88.5.3', release: 'kps', template: 'kube-prometheus-stack/templates/prometheus/prometheus.yaml' } });
    expect(prometheus.manifest.metadata.namespace).toBe('monitoring');
    // --include-crds: the CRDs of the chart's crds/ folders are among the objects.
    expect(findOne(kps, 'CustomResourceDefinition', 'prometheuses.monitoring.coreos.com').metadata.name).toBe('prometheuses.monitoring.coreos.com');
    expect(findOne(chartObjects(b.charts!.objects, 'longhorn'), 'CustomResourceDefinition', 'recurringjobs.longhorn.io')).toBeDefined();
    // The values file is the one synth writes and Argo CD reads: gitplane's Grafana admin Secret is used.
    expect((findOne(kps, 'Deployment', 'kps-grafana').spec as any).template.spec.containers.find((c: any) => c.name === 'grafana').env).toContainEqual(
      expect.objectContaining({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } }),
    );
    expect(b.charts!.problems).toEqual([]);
  });

  testWithMirrors(['charts'], 'a document that several environments\' renders repeat word for word is read once: kube-prometheus-stack\'s CRDs are the same objects in dev and staging', () => {
    const crd = (name: string) => findOne(chartObjects(rendered(name, helm).charts!.objects, 'observability-prometheus'), 'CustomResourceDefinition', 'prometheuses.monitoring.coreos.com');
    expect(crd('staging')).toBe(crd('dev'));
    // Documents that differ are still their own: each environment's Prometheus has its own namespace and values.
    const prometheus = (name: string) => findOne(chartObjects(rendered(name, helm).charts!.objects, 'observability-prometheus'), 'Prometheus', 'kps-prometheus');
    expect(prometheus('staging')).not.toBe(prometheus('dev'));
  });

  testWithMirrors(['charts'], 'a document no render holds any more is not kept for the rest of the process, read from Helm or from the cache (a fleet\'s clusters built one after another)', () => {
    // A process of its own, whose garbage collection can be asked for: renders dev with Helm into
    // an empty cache, then from the cache, then lets go of both renders.
    const script = `
      const { loadSettings } = require('./stacks/settings');
      const { loadEnvironment } = require('./stacks/environment');
      const { synthEnvironment } = require('./stacks/synth');
      const { renderCharts } = require('./stacks/helm-render');
      const settings = { charts: { cache: ${JSON.stringify(tempDir())}, locked: [], mirror: ${JSON.stringify(CHARTS_DIR)}, mirrorSetting: 'GITPLANE_CHART_MIRROR' }, helm: ${JSON.stringify(helm)} };
      const spec = loadEnvironment('dev');
      const output = synthEnvironment(spec);
      const input = { objects: output.objects, files: output.files, root: 'dev', kubeVersion: spec.cluster.kubernetesVersion, clusterName: spec.cluster.name };
      gc();
      const before = process.memoryUsage().heapUsed;
      let renders = [renderCharts(input, settings), renderCharts(input, settings)];
      const shared = renders[0].objects.every((o, i) => o.manifest === renders[1].objects[i].manifest);
      const held = renders[0].objects.map((o) => new WeakRef(o.manifest));
      renders = undefined;
      // Collected in a later task than the one that made the references, and their entries forgotten in the next.
      const settle = (times, then) => { gc(); if (times === 0) then(); else setTimeout(() => settle(times - 1, then)); };
      settle(3, () => console.log(JSON.stringify({ shared, read: held.length, kept: held.filter((r) => r.deref() !== undefined).length, grownMiB: (process.memoryUsage().heapUsed - before) / 2 ** 20 })));
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', path.join(ROOT, 'bin', 'register.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { shared, read, kept, grownMiB } = JSON.parse(r.stdout) as { shared: boolean; read: number; kept: number; grownMiB: number };
    expect(read).toBeGreaterThan(100);
    expect({ shared, kept }).toEqual({ shared: true, kept: 0 });
    // What the renders read (the charts' CRDs, as YAML and as JSON) was 16 to 24 MiB kept; about 1 MiB stays.
    expect(grownMiB).toBeLessThan(8);
  });

  testWithMirrors(['charts'], 'the API versions passed are those the environment\'s CRDs serve, by group/version and group/version/Kind', () => {
    const served = servedApiVersions(rendered('dev', helm).charts!.objects);
    expect(served).toEqual(expect.arrayContaining(['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'longhorn.io/v1beta2/RecurringJob', 'jetstream.nats.io/v1beta2/Stream']));
    expect(served).toEqual([...served].sort());
  });

  testWithMirrors(['schemas', 'charts'], 'every rendered object is valid: validate and policy judge the whole environment, charts included', () => {
    for (const name of ['dev', 'pi-edge']) expect(rendered(name, helm).problems).toEqual([]);
    const policyInput = fromBuilt(rendered('dev', helm));
    expect(policyInput.objects.length).toBe(built('dev').output.objects.length + rendered('dev', helm).charts!.objects.length);
    expect(policyInput.secondRender).toHaveLength(rendered('dev', helm).charts!.objects.length);
  });

  testWithMirrors(['charts'], 'a fleet renders for the environment\'s own cluster: the ApplicationSet\'s cluster-name parameter is filled in', () => {
    const b = rendered('pi-edge', helm);
    const prometheus = chartObjects(b.charts!.objects, 'observability-prometheus').find((m) => m.kind === 'Prometheus')!;
    expect((prometheus.spec as any).externalLabels.cluster).toBe('edge-site-01');
  });

  testWithMirrors(['charts'], 'a fleet judged without its environment file (--dir) renders for a stand-in cluster: its selector names none', () => {
    const r = renderCharts({ ...input('pi-edge'), clusterName: undefined }, renderSettings(helm));
    expect(r.problems).toEqual([]);
    const prometheus = chartObjects(r.objects, 'observability-prometheus').find((m) => m.kind === 'Prometheus')!;
    expect((prometheus.spec as any).externalLabels.cluster).toBe('fleet-cluster');
  });

  testWithMirrors(['charts'], 'values keys with no effect are gone: Longhorn persistence.defaultClass (createStorageClass is false) and kube-prometheus-stack kubeEtcd.serviceMonitor.scheme: http', () => {
    const files = fromBuilt(built('pi-edge')).files;
    const longhorn = parse(files.get('values/longhorn.yaml')!);
    const kps = parse(files.get('values/observability-prometheus.yaml')!);
    expect(longhorn.persistence).toEqual({ createStorageClass: false });
    expect(kps.kubeEtcd.enabled).toBe(true);
    expect(kps.kubeEtcd.serviceMonitor).toBeUndefined();

    // Put the keys back: the rendered charts do not change, so they never did anything.
    const restored = new Map(files);
    restored.set('values/longhorn.yaml', stringify({ ...longhorn, persistence: { ...longhorn.persistence, defaultClass: false } }));
    restored.set('values/observability-prometheus.yaml', stringify({ ...kps, kubeEtcd: { ...kps.kubeEtcd, serviceMonitor: { scheme: 'http' } } }));
    const before = rendered('pi-edge', helm).charts!.objects;
    const after = renderCharts(input('pi-edge', restored), renderSettings(helm)).objects;
    for (const app of ['longhorn', 'observability-prometheus']) expect(chartObjects(after, app)).toEqual(chartObjects(before, app));
    // What the chart does with them: no StorageClass ConfigMap, and etcd scraped over plain HTTP.
    expect(chartObjects(before, 'longhorn').filter((m) => m.metadata.name === 'longhorn-storageclass')).toEqual([]);
    const etcd = findOne(chartObjects(before, 'observability-prometheus'), 'ServiceMonitor', 'kps-kube-etcd');
    expect((etcd.spec as any).endpoints[0]).toEqual(expect.objectContaining({ port: 'http-metrics' }));
    expect((etcd.spec as any).endpoints[0].scheme).toBeUndefined();
  });

  testWithMirrors(['charts'], 'Longhorn is scraped by the monitoring application\'s ServiceMonitor, beside its CRD; the chart renders none', () => {
    const b = rendered('dev', helm);
    expect(chartObjects(b.charts!.objects, 'longhorn').filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
    const own = b.output.objects.filter((o) => o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.name === 'longhorn-manager');
    expect(own.map((o) => [o.app, o.manifest.metadata.namespace])).toEqual([['observability-prometheus', 'longhorn-system']]);
    const backend = findOne(chartObjects(b.charts!.objects, 'longhorn'), 'Service', 'longhorn-backend');
    expect((own[0].manifest.spec as any).selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'longhorn', 'app.kubernetes.io/instance': 'longhorn' });
    expect(backend.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'longhorn', 'app.kubernetes.io/instance': 'longhorn' });
  });

  testWithMirrors(['charts'], 'fails when the environment\'s Kubernetes version is below what a chart supports: --kube-version reaches Helm, which refuses as Argo CD would', () => {
    const r = renderCharts({ ...input('dev'), kubeVersion: '1.20.0' }, renderSettings(helm));
    const longhorn = r.problems.find((p) => p.file === 'dev/values/longhorn.yaml')!;
    expect(longhorn.unchecked).toBeUndefined();
    expect(longhorn.message).toMatch(/^\S+helm template could not render chart longhorn 1\.12\.1 of application longhorn \(.*kubeVersion.*\)\. Argo CD would fail the same way; fix the values in the application's helm function, or the chart pin\.$/);
  });

  testWithMirrors(['charts'], 'fails, naming each chart and the fix, when there is no helm', () => {
    const r = renderCharts(input('dev'), renderSettings(undefined));
    expect(r.objects).toEqual([]);
    expect(r.problems.map((p) => [p.file, p.object, p.unchecked])).toEqual([
      ['dev/values/longhorn.yaml', 'Application/argocd/dev-longhorn', 'the chart longhorn 1.12.1 of application longhorn'],
      ['dev/values/nats.yaml', 'Application/argocd/dev-nats', 'the chart nack 0.34.0 of application nats'],
      ['dev/values/observability-prometheus.yaml', 'Application/argocd/dev-observability-prometheus', 'the chart kube-prometheus-stack 88.5.3 of application observability-prometheus'],
    ]);
    expect(r.problems[0].message).toBe(
      'the chart longhorn 1.12.1 of application longhorn was not rendered, so what it adds was not judged: no helm on PATH and GITPLANE_HELM is not set. Install Helm v4.1.4 on PATH (https://helm.sh/docs/intro/install/; in a gitplane checkout "bash tools/install.sh helm" builds it), or point GITPLANE_HELM at it.',
    );
  });

  test('fails, naming where it looked and the fix, when no source has the archive', () => {
    const empty = tempDir();
    const settings = renderSettings(helm);
    const r = renderCharts(input('dev'), { ...settings, charts: { ...settings.charts, mirror: empty } });
    expect(r.problems[0].message).toBe(
      `the chart longhorn 1.12.1 of application longhorn was not rendered, so what it adds was not judged: its archive is not in gitplane.lock and not in the offline Helm repository ${empty} (GITPLANE_CHART_MIRROR). Run "gitplane schemas pull", or set an offline Helm repository (charts.mirror in gitplane.yaml, or GITPLANE_CHART_MIRROR).`,
    );
  });

  testWithMirrors(['charts'], 'fails with an input error, rendering nothing, when an archive of the offline repository does not match its index digest', () => {
    const mirror = tempDir();
    for (const f of fs.readdirSync(CHARTS_DIR)) fs.copyFileSync(path.join(CHARTS_DIR, f), path.join(mirror, f));
    const archive = path.join(mirror, 'nack-0.34.0.tgz');
    const expected = sha256(fs.readFileSync(archive));
    fs.appendFileSync(archive, 'tampered');
    const settings = renderSettings(helm);
    const run = () => renderCharts(input('dev'), { ...settings, charts: { ...settings.charts, mirror } });
    expect(run).toThrow(InputError);
    expect(run).toThrow(`${archive}: the archive of nack 0.34.0 has the digest ${sha256(fs.readFileSync(archive))}, but file://${path.join(mirror, 'index.yaml')} expects ${expected}.`);
  });

  testWithMirrors(['charts'], 'renders the archive schemas pull cached when gitplane.lock locks it, and fails when the cached archive no longer matches the lock', () => {
    const cache = tempDir();
    const source = fs.readFileSync(path.join(CHARTS_DIR, 'nack-0.34.0.tgz'));
    const locked = { repoURL: 'https://nats-io.github.io/k8s/helm/charts/', chart: 'nack', version: '0.34.0', digest: sha256(source), files: {} };
    const file = path.join(cachedChartDir(cache, locked), archiveName(locked));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
    const settings = renderSettings(helm);
    const withCache = { ...settings, charts: { ...settings.charts, locked: [locked], cache } };
    const nats = input('dev');
    const only = { ...nats, objects: nats.objects.filter((o) => !/-(longhorn|observability-prometheus)$/.test(o.manifest.metadata.name)) };
    expect(chartReleases(only).map((r) => r.chart)).toEqual(['nack']);
    const r = renderCharts(only, withCache);
    expect(r.problems).toEqual([]);
    expect(r.objects.some((o) => o.manifest.kind === 'Deployment' && o.chart?.name === 'nack')).toBe(true);

    fs.appendFileSync(file, 'changed');
    expect(() => renderCharts(only, withCache)).toThrow(`${file}: the cached archive of nack 0.34.0 has the digest ${sha256(fs.readFileSync(file))}, but gitplane.lock expects ${locked.digest}.`);
  });
  /** Render settings with a cache directory of their own and a Helm that counts its runs, then runs the real one. */
  const countingHelm = () => {
    const dir = tempDir();
    const log = path.join(dir, 'runs.log');
    const counting = path.join(dir, 'helm');
    fs.writeFileSync(counting, `#!/bin/sh\necho run >> '${log}'\nexec '${helm}' "$@"\n`, { mode: 0o755 });
    const runs = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
    const settings = renderSettings(counting);
    return { dir, runs, cached: { ...settings, charts: { ...settings.charts, cache: path.join(dir, 'cache') } } };
  };
  /** The environment's input without its two slowest charts, Longhorn and kube-prometheus-stack. */
  const withoutSlowCharts = (name: string) => {
    const all = input(name);
    return { ...all, objects: all.objects.filter((o) => !/-(longhorn|observability-prometheus)$/.test(o.manifest.metadata.name)) };
  };

  testWithMirrors(['charts'], 'a render is cached by content: the same inputs are read back without Helm, a changed values file or a truncated entry renders again', () => {
    const { dir, runs, cached } = countingHelm();
    const only = withoutSlowCharts('dev');

    const first = renderCharts(only, cached, 2);
    expect(first.problems).toEqual([]);
    const made = runs();
    expect(made).toBeGreaterThanOrEqual(2);
    const again = renderCharts(only, cached, 2);
    expect(runs()).toBe(made);
    expect(again.objects).toEqual(first.objects);
    expect(again.again).toEqual(first.again);

    const files = new Map(only.files);
    files.set('values/nats.yaml', `${files.get('values/nats.yaml')}# changed\n`);
    renderCharts({ ...only, files }, cached, 1);
    expect(runs()).toBeGreaterThan(made);

    const entries = fs.readdirSync(path.join(dir, 'cache', 'renders')).map((f) => path.join(dir, 'cache', 'renders', f));
    for (const entry of entries) fs.truncateSync(entry, fs.statSync(entry).size - 10);
    const before = runs();
    const fresh = renderCharts(only, cached, 2);
    expect(runs()).toBeGreaterThan(before);
    expect(fresh.objects).toEqual(first.objects);
  });

  testWithMirrors(['charts'], 'a large document is cached in an entry of its own, which every render entry holding it names by key; a render whose document entry is gone renders again', () => {
    const { dir, runs, cached } = countingHelm();
    const cache = path.join(dir, 'cache', 'renders');
    const only = withoutSlowCharts('staging');
    const files = new Map(only.files);
    files.set('values/external-secrets.yaml', `${files.get('values/external-secrets.yaml')}# changed\n`);
    const first = renderCharts(only, cached, 1);
    const changed = renderCharts({ ...only, files }, cached, 1);
    expect([first.problems, changed.problems]).toEqual([[], []]);

    // Each entry: its body's lines (the header line dropped).
    const bodies = new Map(fs.readdirSync(cache).map((f) => [f.replace(/\.json$/, ''), fs.readFileSync(path.join(cache, f), 'utf8').split('\n').slice(1)]));
    const named = [...bodies.values()].flatMap((lines) => lines.filter((l) => l.startsWith('"')).map((l) => JSON.parse(l) as string));
    // The render entries of both values files name each large CRD of the charts, and no render entry holds a large document itself.
    const crds = first.objects.filter((o) => o.manifest.kind === 'CustomResourceDefinition').map((o) => o.manifest);
    const large = crds.filter((crd) => JSON.stringify(crd).length >= 16 * 1024);
    expect(large.length).toBeGreaterThan(2);
    for (const crd of large) {
      const key = sha256(Buffer.from(JSON.stringify(crd))).slice('sha256:'.length);
      expect([crd.metadata.name, named.filter((k) => k === key).length >= 2, JSON.parse(bodies.get(key)!.join('\n'))]).toEqual([crd.metadata.name, true, crd]);
    }
    expect(changed.objects.filter((o) => o.manifest.kind === 'CustomResourceDefinition').map((o) => o.manifest)).toEqual(crds);
    for (const [key, lines] of bodies) if (!named.includes(key)) expect(lines.filter((l) => l.length >= 16 * 1024)).toEqual([]);

    const made = runs();
    expect(renderCharts(only, cached, 1).objects).toEqual(first.objects);
    expect(runs()).toBe(made);
    fs.rmSync(path.join(cache, `${named[0]}.json`));
    // As a new process reads the cache: this one holds the document already.
    let anew!: typeof import('../../stacks/helm-render');
    jest.isolateModules(() => {
      anew = jest.requireActual('../../stacks/helm-render');
    });
    expect(anew.renderCharts(only, cached, 1).objects).toEqual(first.objects);
    expect(runs()).toBeGreaterThan(made);
  });
});
