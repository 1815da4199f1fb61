/** The Pulumi program honours the user's stack configuration and the environment's chart mirror. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseEnvironment } from '../../stacks/environment';
import { findOne } from '../../stacks/objects';
import { toYaml, synthEnvironment } from '../../stacks/synth';
import { pinnedVersions } from '../../stacks/versions';
import { ROOT, SHARED_DIR } from '../support/cli';
import { variant } from '../support/environments';
import { byType, runProgram } from '../support/pulumi';
import { testWithMirrors } from '../support/mirrors';

const PROVIDER = 'pulumi:providers:aws';
const MIRROR = 'http://127.0.0.1:8879/charts';

describe('the AWS provider', () => {
  const staging = variant('staging', () => undefined);

  test('takes every aws:* setting of the stack, and the region from the environment', async () => {
    const resources = await runProgram(staging, {
      'aws:profile': 'gitplane-test-profile',
      'aws:skipCredentialsValidation': 'true',
      'aws:assumeRoles': JSON.stringify([{ roleArn: 'arn:aws:iam::000000000000:role/gitplane-test-fake' }]),
      'aws:endpoints': JSON.stringify([{ s3: 'http://127.0.0.1:4566' }]),
    });
    const [provider] = byType(resources, PROVIDER);
    // A provider receives its non-string settings as JSON text, as the engine passes them on.
    const inputs = Object.fromEntries(Object.entries(provider.inputs).map(([k, v]) => [k, typeof v === 'string' && /^[[{tf]/.test(v) ? JSON.parse(v) : v]));
    expect(inputs).toMatchObject({
      region: staging.cloud.region,
      profile: 'gitplane-test-profile',
      skipCredentialsValidation: true,
      assumeRoles: [{ roleArn: 'arn:aws:iam::000000000000:role/gitplane-test-fake' }],
      endpoints: [{ s3: 'http://127.0.0.1:4566' }],
    });
    // Every AWS resource goes through that provider, none through a default one.
    expect(byType(resources, PROVIDER)).toHaveLength(1);
  });

  test('keeps settings given with --secret secret', async () => {
    const resources = await runProgram(staging, { 'aws:secretKey': 'gitplane-test-fake-secret-key' }, ['aws:secretKey']);
    const [provider] = byType(resources, PROVIDER);
    // The mocks see a secret input wrapped, with its value under `value`.
    expect(provider.inputs.secretKey).toEqual(expect.objectContaining({ value: 'gitplane-test-fake-secret-key' }));
  });

  test('fails when the stack sets another region than the environment file', async () => {
    await expect(runProgram(staging, { 'aws:region': 'us-east-1' })).rejects.toThrow(
      /stack configuration aws:region is "us-east-1" but environments\/staging\.yaml sets cloud\.region: eu-west-1\..*pulumi config rm aws:region/,
    );
  });
});

describe('a chart mirror (gitops.chartMirror)', () => {
  const mirrored = variant('staging', (s) => {
    (s.gitops as { chartMirror?: string }).chartMirror = MIRROR;
  });

  test('installs Argo CD from the mirror, at the pinned version', async () => {
    const [release] = byType(await runProgram(mirrored), 'kubernetes:helm.sh/v3:Release');
    expect(release.inputs).toMatchObject({ chart: 'argo-cd', version: pinnedVersions().charts['argo-cd'].version, repositoryOpts: { repo: MIRROR } });
  });

  test('points every Helm source of the Argo CD Applications at the mirror, and the AppProject admits only it', () => {
    const objects = synthEnvironment(mirrored).objects.map((o) => o.manifest);
    const sources = objects
      .filter((m) => m.kind === 'Application')
      .flatMap((m) => ((m.spec as { sources?: { repoURL: string; chart?: string; targetRevision: string }[] }).sources ?? []))
      .filter((s) => s.chart);
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(s.repoURL).toBe(MIRROR);
      expect(s.targetRevision).toBe(Object.values(pinnedVersions().charts).find((c) => c.chart === s.chart)!.version);
    }
    const project = findOne(objects, 'AppProject', 'staging') as unknown as { spec: { sourceRepos: string[] } };
    expect(project.spec.sourceRepos).toEqual([MIRROR, mirrored.gitops.repoURL].sort());
  });

  test('fails when the mirror is not an http(s) URL', () => {
    const text = toYaml({ ...parse(fs.readFileSync(path.join(ROOT, 'environments', 'staging.yaml'), 'utf8')), gitops: { ...parse(fs.readFileSync(path.join(ROOT, 'environments', 'staging.yaml'), 'utf8')).gitops, chartMirror: 'ftp://mirror.example' } });
    expect(() => parseEnvironment(text, 'qa.yaml')).toThrow(/qa\.yaml:\d+:\d+: gitops\.chartMirror must be a Helm repository/);
  });

  // The offline repository beside the project in CI is the mirror the docs describe: check it
  // serves every pinned chart at its pinned version, as a mirror must.
  const offline = path.join(SHARED_DIR, 'charts', 'index.yaml');
  testWithMirrors(['charts'], 'the offline Helm repository serves every pinned chart at its pinned version', () => {
    const index = parse(fs.readFileSync(offline, 'utf8')) as { entries: Record<string, { version: string; digest: string }[]> };
    for (const pin of Object.values(pinnedVersions().charts)) {
      const entry = (index.entries[pin.chart] ?? []).find((e) => e.version === pin.version);
      expect({ chart: pin.chart, version: entry?.version, digest: entry?.digest }).toEqual({ chart: pin.chart, version: pin.version, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
  });
});

describe('destroying the bootstrap', () => {
  const dev = variant('dev', () => undefined);
  const argoObjects = (rs: Awaited<ReturnType<typeof runProgram>>) =>
    rs.filter((r) => r.type === 'kubernetes:argoproj.io/v1alpha1:Application' || r.type === 'kubernetes:argoproj.io/v1alpha1:AppProject');

  test('by default the project and root Application keep Argo CD\'s finalizer, so destroy cascades through a running Argo CD', async () => {
    for (const r of argoObjects(await runProgram(dev))) {
      expect(r.inputs.metadata.finalizers).toContainEqual(expect.stringMatching(/^resources-finalizer\.argocd\.argoproj\.io(\/foreground)?$/));
      expect(r.inputs.metadata.annotations?.['pulumi.com/skipAwait']).toBeUndefined();
    }
  });

  test('with gitplane:detachArgoCd they carry no finalizer only Argo CD removes, and Pulumi does not wait on their deletion', async () => {
    const objects = argoObjects(await runProgram(dev, { 'gitplane:detachArgoCd': 'true' }));
    expect(objects).toHaveLength(2);
    for (const r of objects) {
      expect(r.inputs.metadata.finalizers ?? []).not.toContainEqual(expect.stringMatching(/^resources-finalizer\.argocd\.argoproj\.io/));
      expect(r.inputs.metadata.annotations['pulumi.com/skipAwait']).toBe('true');
      // The provider waits for a custom resource's deletion even with skipAwait; deleted in the
      // background it is gone at once, with no garbage collector to wait on.
      expect(r.inputs.metadata.annotations['pulumi.com/deletionPropagationPolicy']).toBe('background');
    }
  });
});

describe('waiting for Argo CD', () => {
  const dev = variant('dev', () => undefined);
  const release = async (config: Record<string, string> = {}) => byType(await runProgram(dev, config), 'kubernetes:helm.sh/v3:Release')[0].inputs;

  test('by default the release waits until Argo CD is ready, with the provider\'s default timeout', async () => {
    const inputs = await release();
    expect(inputs.skipAwait).toBeUndefined();
    expect(inputs.timeout).toBeUndefined();
  });

  test('with gitplane:awaitArgoCd false it does not wait for the workloads, and still bounds the wait for the chart\'s hook', async () => {
    expect(await release({ 'gitplane:awaitArgoCd': 'false' })).toMatchObject({ skipAwait: true, timeout: 300 });
  });

  test('fails when gitplane:awaitArgoCd is not a boolean', async () => {
    await expect(release({ 'gitplane:awaitArgoCd': 'no' })).rejects.toThrow(/gitplane:awaitArgoCd.*boolean/);
  });
});
