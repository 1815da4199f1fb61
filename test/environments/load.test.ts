import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { listEnvironments, loadEnvironment, parseEnvironment } from '../../stacks/environment';

const FILE = 'environments/test.yaml';
const VALID = fs.readFileSync(path.join(__dirname, '..', '..', 'environments', 'staging.yaml'), 'utf8').replace('name: staging', 'name: test');

function problems(text: string): string[] {
  try {
    parseEnvironment(text, FILE);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected the environment to be rejected');
}

describe('shipped environments', () => {
  test('are dev, pi-edge, prod and staging', () => {
    expect(listEnvironments()).toEqual(['dev', 'pi-edge', 'prod', 'staging']);
  });

  test.each(listEnvironments())('%s loads with defaults filled and is frozen', (name) => {
    const spec = loadEnvironment(name);
    expect(spec.name).toBe(name);
    expect(spec.components.observability.enabled).toBe(true);
    expect(spec.alerting.groupWait).toMatch(/s$/);
    expect(Object.isFrozen(spec.cluster.nodes[0])).toBe(true);
  });

  test('dev is one local node with no cloud', () => {
    const dev = loadEnvironment('dev');
    expect(dev.cluster.nodes).toHaveLength(1);
    expect(dev.cloud.provider).toBe('none');
  });

  test('pi-edge is arm64 kubeadm with three control-plane nodes and S3 backups', () => {
    const edge = loadEnvironment('pi-edge');
    expect(edge.cluster.distribution).toBe('kubeadm');
    expect(edge.cluster.nodes.every((n) => n.arch === 'arm64')).toBe(true);
    expect(edge.cluster.nodes.filter((n) => n.roles.includes('control-plane'))).toHaveLength(3);
    expect(edge.objectStore.etcdBackups?.bucket).toBeDefined();
  });

  test.each(['staging', 'prod'])('%s is AWS-backed with buckets for etcd, Longhorn, Loki and Tempo', (name) => {
    const spec = loadEnvironment(name);
    expect(spec.cloud.provider).toBe('aws');
    for (const purpose of ['etcdBackups', 'longhornBackups', 'lokiChunks', 'tempoTraces'] as const) {
      expect(spec.objectStore[purpose]?.bucket).toMatch(/^example-/);
    }
  });
});

describe('environment errors', () => {
  test('fails when a key is unknown, naming file, line, field and the likely fix', () => {
    expect(problems(VALID.replace('tier: staging', 'tier: staging\ntire: staging'))).toEqual([
      expect.stringMatching(/^environments\/test\.yaml:\d+:\d+: tire is not a known field \(found key "tire"\)\. Did you mean "tier"\?/),
    ]);
  });

  test('fails when a nested key is unknown', () => {
    const [p] = problems(VALID.replace('    replicas: 3', '    replica: 3'));
    expect(p).toMatch(/environments\/test\.yaml:\d+:\d+: components\.nats\.replica is not a known field .*Did you mean "replicas"\?/);
  });

  test('fails when a value has the wrong type, showing what was found', () => {
    const [p] = problems(VALID.replace('    replicas: 3', '    replicas: three'));
    expect(p).toMatch(/components\.nats\.replicas must be an integer \(got string "three"\)\.$/);
  });

  test('fails when a value is not one of the allowed ones', () => {
    const [p] = problems(VALID.replace('distribution: kubeadm', 'distribution: kops'));
    expect(p).toContain('cluster.distribution must be one of "kubeadm", "k3s" (got string "kops").');
  });

  test('fails when a required field is missing', () => {
    const [p] = problems(VALID.replace(/^tier: staging\n/m, ''));
    expect(p).toMatch(/tier is required \(found nothing\)\. Add it\.$/);
  });

  test('fails when secrets.provider is external-secrets but the cloud is not AWS', () => {
    expect(problems(VALID.replace('  provider: aws\n', '  provider: none\n'))).toContainEqual(
      expect.stringMatching(/^environments\/test\.yaml:\d+:\d+: secrets\.provider is external-secrets, whose ClusterSecretStore reads AWS Secrets Manager .* but cloud\.provider is none\. Set cloud\.provider: aws/),
    );
  });

  test('fails when the YAML does not parse, naming the line', () => {
    const [p] = problems('name: test\ncluster: [\n');
    expect(p).toMatch(/^environments\/test\.yaml:\d+:\d+: the file is not valid YAML: /);
  });

  test('fails when the document is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual([expect.stringContaining('expected a mapping of environment fields')]);
  });

  test('reports every problem of a file at once', () => {
    const broken = VALID.replace('distribution: kubeadm', 'distribution: kops').replace('    replicas: 3', '    replicas: "3"').replace('tier: staging', 'tier: staging\nextra: 1');
    expect(problems(broken)).toHaveLength(3);
  });

  test('fails when a route names a receiver that does not exist', () => {
    const [p] = problems(VALID.replace('    critical: slack', '    critical: pager'));
    expect(p).toContain('alerting.routes.critical names the receiver "pager", which alerting.receivers does not define (defined: slack)');
  });

  test('fails when a receiver references a secret that secrets.refs does not define', () => {
    const [p] = problems(VALID.replace('secretRef: slack-webhook', 'secretRef: slack-hook'));
    expect(p).toContain('alerting.receivers[0].secretRef names "slack-hook", which secrets.refs does not define');
  });

  test('fails when a JetStream cluster has an even number of servers', () => {
    const [p] = problems(VALID.replace('    replicas: 3', '    replicas: 2'));
    expect(p).toMatch(/components\.nats\.replicas must be an odd number of at least 3 \(got 2\)\. A JetStream cluster needs a majority/);
  });

  test('fails when Longhorn wants more replicas than there are storage nodes', () => {
    const [p] = problems(VALID.replace('components:\n', 'components:\n  longhorn:\n    numberOfReplicas: 4\n'));
    expect(p).toContain('components.longhorn.numberOfReplicas must not exceed the number of storage nodes, 3 (got 4)');
  });

  test('fails when a bucket is set but no region says where S3 requests are signed for', () => {
    const noRegion = VALID.replace('cloud:\n  provider: aws\n  region: eu-west-1\n', '');
    expect(problems(noRegion)).toEqual([
      // Its secret store is in AWS too.
      expect.stringContaining('secrets.provider is external-secrets'),
      expect.stringMatching(/objectStore\.etcdBackups needs cloud\.region, the region S3 requests are signed for \(got none\)\. Add cloud\.region/),
      expect.stringContaining('objectStore.longhornBackups needs cloud.region'),
      expect.stringContaining('objectStore.lokiChunks needs cloud.region'),
      expect.stringContaining('objectStore.tempoTraces needs cloud.region'),
    ]);
  });

  test('fails when the name does not match the file', () => {
    expect(() => loadEnvironment('staging', path.join(__dirname, '..', 'fixtures', 'environments'))).toThrow(/staging.yaml:3:7: name must equal the file name "staging" \(got "stagin"\)/);
  });

  test('fails with the known names when an environment does not exist', () => {
    expect(() => loadEnvironment('qa')).toThrow(/no environment named "qa" \(known: dev, pi-edge, prod, staging\)/);
  });
});
