import * as fs from 'node:fs';
import * as path from 'node:path';
import { listEnvironments, loadEnvironment, parseEnvironment } from '../../stacks/environment';
import { loadProblems } from '../support/environments';

const FILE = 'environments/test.yaml';
const VALID = fs.readFileSync(path.join(__dirname, '..', '..', 'environments', 'staging.yaml'), 'utf8').replace('name: staging', 'name: test');

const problems = (text: string) => loadProblems(text, FILE);

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

  test('fails when an environment name is a path, without reading outside the environments directory', () => {
    expect(() => loadEnvironment('../test/fixtures/environments/staging')).toThrow(
      '"../test/fixtures/environments/staging" is not an environment name: a name is lowercase letters, digits and "-" (known: dev, pi-edge, prod, staging), its file environments/<name>.yaml. Pick a known name, or give a file anywhere with --file PATH.',
    );
  });

  test('fails with the known names when an environment does not exist', () => {
    expect(() => loadEnvironment('qa')).toThrow(/no environment named "qa" \(known: dev, pi-edge, prod, staging\)/);
  });
});

/** VALID with a block appended under `components:`. */
const withComponents = (block: string) => VALID.replace('components:\n', `components:\n${block}`);

describe('field rules: what the software that reads a field accepts', () => {
  test.each([
    ['a retention is zero', VALID.replace('retention: 15d', 'retention: 0d'), /:\d+:\d+: components\.observability\.prometheus\.retention must be a duration greater than zero .*\(got string "0d"\)\. A zero duration/],
    ['a cron never fires', withComponents('  longhorn:\n    backupCron: "0 2 31 2 *"\n'), /components\.longhorn\.backupCron must be a five-field cron schedule that fires.*\(got string "0 2 31 2 \*"\)\. It never fires/],
    ['a cron field is not a number', withComponents('  etcdBackup:\n    schedule: "banana banana banana banana banana"\n'), /components\.etcdBackup\.schedule must be .*Its "banana" is not a minute value/],
    ['a cron field is out of range', withComponents('  etcdBackup:\n    schedule: "99 99 99 99 99"\n'), /components\.etcdBackup\.schedule must be .*Its minute "99" is outside 0-59/],
    ['a bucket name is an IP address', VALID.replace('example-staging-etcd-backups', '192.168.1.1'), /objectStore\.etcdBackups\.bucket must be an S3 bucket name .*\(got string "192\.168\.1\.1"\)\. S3 refuses bucket names formatted as an IP address/],
    ['a bucket name has two adjacent periods', VALID.replace('example-staging-etcd-backups', 'a..b'), /objectStore\.etcdBackups\.bucket must be an S3 bucket name .*two adjacent periods/],
    ['a bucket name has a reserved prefix', VALID.replace('example-staging-etcd-backups', 'xn--bucket'), /objectStore\.etcdBackups\.bucket must be an S3 bucket name .*S3 reserves that prefix/],
    ['a count is infinite', VALID.replace('    replicas: 3', '    replicas: .inf'), /components\.nats\.replicas must be an integer \(got number Infinity\)\. Write a finite whole number/],
    ['a count overflows', VALID.replace('    replicas: 3', '    replicas: 1e400'), /components\.nats\.replicas must be an integer \(got number Infinity\)/],
    ['a count is beyond what Kubernetes stores', VALID.replace('prometheus: { retention: 15d,', 'prometheus: { replicas: 1e300, retention: 15d,'), /components\.observability\.prometheus\.replicas must be at most 2147483647 \(got number 1e\+300\)/],
    ['an image tag carries a shell command', `${VALID}versions:\n  nats: "2.10 ; evil"\n`, /versions\.nats must be an image tag such as 2\.14\.2-alpine \(got string "2\.10 ; evil"\)\. An image tag is up to 128/],
    ['a branch is not a Git ref', VALID.replace('  branch: main', '  branch: "main; rm -rf /"'), /gitops\.branch must be a Git branch name.*\(got string "main; rm -rf \/"\)\. Git refuses spaces/],
    ['the Longhorn data path is the host root', withComponents('  longhorn:\n    dataPath: /\n'), /components\.longhorn\.dataPath must be an absolute host folder: .*\(got string "\/"\)\. It is mounted from the host into a privileged pod, so only those folders are allowed/],
    ['the Longhorn data path climbs out of its root', withComponents('  longhorn:\n    dataPath: /var/lib/../../etc\n'), /components\.longhorn\.dataPath must be an absolute host folder/],
    ['the encryption config path is not a kube-apiserver file', withComponents('  etcdBackup:\n    encryptionConfigPath: /etc/shadow\n'), /components\.etcdBackup\.encryptionConfigPath must be .*\(got string "\/etc\/shadow"\)\. It is mounted from the host/],
    ['the environment takes a name Kubernetes reserves', VALID.replace('name: test', 'name: kube-system'), /test\.yaml:\d+:\d+: name must not be "default" or start with "kube-" \(got "kube-system"\)/],
    ['the environment takes Argo CD\'s default project name', VALID.replace('name: test', 'name: default'), /name must not be "default"/],
    ['a secret ref key is a path', VALID.replace('    slack-webhook: staging', '    ../../x: staging/x\n    slack-webhook: staging'), /secrets\.refs has the key "\.\.\/\.\.\/x", which is not allowed \(keys must match .*\)\. Rename the key\./],
    ['a secret ref key is an Object method name', VALID.replace('    slack-webhook: staging', '    hasOwnProperty: staging/x\n    slack-webhook: staging'), /secrets\.refs has the key "hasOwnProperty", which is not allowed/],
    ['a receiver names a secret ref only Object.prototype has', VALID.replace('secretRef: slack-webhook', 'secretRef: constructor'), /alerting\.receivers\[0\]\.secretRef names "constructor", which secrets\.refs does not define/],
    ['a secret-store key climbs out of its folder', VALID.replace('staging/loki/object-store', 'staging/../../x'), /secrets\.refs\.loki-object-store must be the name of a secret-store entry .*without "\.\."/],
    ['the secret store name is empty', VALID.replace('  store: aws-secrets-manager', '  store: ""'), /test\.yaml:\d+:\d+: secrets\.store must be the ClusterSecretStore that ExternalSecrets read from, a Kubernetes object name \(got string ""\)/],
    ['gitops.path climbs out of the repository', VALID.replace('  branch: main', '  branch: main\n  path: ../../canary'), /test\.yaml:\d+:\d+: gitops\.path must be a folder in the repository .*\(got string "\.\.\/\.\.\/canary"\)\. It must stay inside the repository/],
    ['gitops.path is absolute', VALID.replace('  branch: main', '  branch: main\n  path: /tmp/x'), /gitops\.path must be a folder in the repository/],
    ['a bucket prefix climbs out of its folder', VALID.replace('retentionDays: 7 }', 'retentionDays: 7, prefix: ../x }'), /objectStore\.tempoTraces\.prefix must be .*\(got string "\.\.\/x"\)/],
    ['two streams share a name', VALID.replace('        maxBytes: 5Gi\n', '        maxBytes: 5Gi\n      - name: orders\n        subjects: ["x.>"]\n'), /components\.nats\.streams\[1\]\.name must be unique, ignoring case/],
    ['a stream name is longer than an object name can be', VALID.replace('name: ORDERS', `name: ${'A'.repeat(300)}`), /components\.nats\.streams\[0\]\.name must be at most 56 characters long \(got 300\)\. Shorten it\./],
    ['a stream subject is not a NATS subject', VALID.replace('"orders.>"', '"orders.>.x"'), /components\.nats\.streams\[0\]\.subjects\[0\] must be a NATS subject/],
    ['the preflight checks no architecture', withComponents('  preflight:\n    architectures: []\n'), /components\.preflight\.architectures must list at least 1 item\(s\) \(got a list of 0\)/],
    ['a storage size is zero', VALID.replace('storageSize: 50Gi', 'storageSize: 0Gi'), /components\.observability\.prometheus\.storageSize must be a Kubernetes quantity greater than zero/],
    ['an exemption expires on a day that does not exist', `${VALID}policy:\n  exemptions:\n    - { rule: image-pinned, object: Deployment/nats/x, reason: "test exemption reason", expires: "2026-02-30" }\n`, /policy\.exemptions\[0\]\.expires must be a date, YYYY-MM-DD \(got string "2026-02-30"\)\. Write a date that exists/],
    ['two receivers share a name', VALID.replace('    - { name: slack, type: slack, secretRef: slack-webhook, channel: "#staging-alerts" }\n', '    - { name: slack, type: slack, secretRef: slack-webhook, channel: "#staging-alerts" }\n    - { name: slack, type: slack, secretRef: slack-webhook, channel: "#other" }\n'), /alerting\.receivers\[1\]\.name must be unique/],
  ])('fails when %s', (_, text, expected) => {
    expect(problems(text)).toContainEqual(expect.stringMatching(expected));
  });

  test.each(['/var/lib/longhorn/', '/mnt/disk1', '/data/longhorn'])('accepts the Longhorn data path %s', (dataPath) => {
    expect(parseEnvironment(withComponents(`  longhorn:\n    dataPath: ${dataPath}\n`), FILE).components.longhorn.dataPath).toBe(dataPath);
  });

  test.each(['0 2 29 2 *', '0 2 31 1,2 *', '0 2 31 2 MON', '@daily', '*/15 0-6 * JAN-MAR SUN', '0 2 ? * 1-5'])('accepts the cron "%s", which fires', (cron) => {
    expect(() => parseEnvironment(withComponents(`  longhorn:\n    backupCron: "${cron}"\n`), FILE)).not.toThrow();
  });
});

describe('NATS streams: changes, consumers and the duplicate window', () => {
  const withStream = (lines: string) => VALID.replace('        maxBytes: 5Gi\n', `        maxBytes: 5Gi\n${lines}`);
  /** `file:line` of the first line of `text` that contains `needle`. */
  const lineOf = (text: string, needle: string) => `${FILE}:${text.split('\n').findIndex((l) => l.includes(needle)) + 1}`;

  test('accepts consumers, a duplicate window and an acknowledged change to a work queue', () => {
    const text = withStream('        duplicateWindow: 10m\n        consumers:\n          - { name: billing, filterSubject: orders.created }\n        acknowledgeRecreate:\n          - { field: retention, from: limits, to: workqueue }\n').replace('        retention: limits\n', '        retention: workqueue\n');
    const [stream] = parseEnvironment(text, FILE).components.nats.streams;
    expect(stream.consumers).toEqual([{ name: 'billing', filterSubject: 'orders.created', ackWait: '30s', maxDeliver: 5, maxAckPending: 1000 }]);
    expect(stream.duplicateWindow).toBe('10m');
    expect(stream.storage).toBe('file');
  });

  test('fails when an acknowledgement names another value than the stream has, at its line', () => {
    const text = withStream('        acknowledgeRecreate:\n          - { field: retention, from: limits, to: workqueue }\n');
    expect(problems(text)).toEqual([
      `${lineOf(text, 'to: workqueue')}:51: components.nats.streams[0].acknowledgeRecreate[0].to must be the stream's retention in this file, "limits" (got "workqueue"). An acknowledgement names the change this file makes; fix it or remove it.`,
    ]);
  });

  test.each([
    ['an acknowledged change is one nats-server makes in place', withStream('        acknowledgeRecreate:\n          - { field: retention, from: interest, to: limits }\n'), /streams\[0\]\.acknowledgeRecreate\[0\] acknowledges a change nats-server makes in place \(retention from "interest" to "limits"\), which keeps the stream and its messages\. Remove the acknowledgement\./],
    ['an acknowledgement changes nothing', withStream('        acknowledgeRecreate:\n          - { field: storage, from: file, to: file }\n'), /streams\[0\]\.acknowledgeRecreate\[0\]\.from must differ from to \(both are "file"\)/],
    ['a field is acknowledged twice', withStream('        storage: memory\n        acknowledgeRecreate:\n          - { field: storage, from: file, to: memory }\n          - { field: storage, from: file, to: memory }\n'), /streams\[0\]\.acknowledgeRecreate\[1\]\.field must appear once per stream \(got "storage" twice\)/],
    ['an acknowledgement names a field that never recreates', withStream('        acknowledgeRecreate:\n          - { field: replicas, from: "3", to: "1" }\n'), /:\d+:22: components\.nats\.streams\[0\]\.acknowledgeRecreate\[0\]\.field must be one of "storage", "retention", "name" \(got string "replicas"\)/],
    ['an acknowledgement carries markup', withStream('        acknowledgeRecreate:\n          - { field: name, from: "<img src=x>", to: ORDERS }\n'), /streams\[0\]\.acknowledgeRecreate\[0\]\.from must be its value before the change: a storage type, retention policy or stream name \(got string "<img src=x>"\)/],
    ['the duplicate window is longer than maxAge', withStream('        duplicateWindow: 200h\n'), /streams\[0\]\.duplicateWindow must not be longer than the stream's maxAge 168h \(got 200h\)\. nats-server refuses the stream otherwise/],
    ['a consumer filters outside its stream', withStream('        consumers:\n          - { name: billing, filterSubject: invoices.created }\n'), /streams\[0\]\.consumers\[0\]\.filterSubject must be inside the stream's subjects orders\.> \(got "invoices\.created"\)\. A consumer filtering on subjects its stream does not store never receives a message/],
    ['two consumers share a name', withStream('        consumers:\n          - { name: billing }\n          - { name: Billing }\n'), /streams\[0\]\.consumers\[1\]\.name must be unique within the stream/],
    ['work-queue consumers overlap', withStream('        consumers:\n          - { name: a, filterSubject: orders.created }\n          - { name: b }\n').replace('        retention: limits\n', '        retention: workqueue\n'), /streams\[0\]\.consumers\[1\]\.filterSubject must not overlap the filter of consumer a on a workqueue stream \(got "\(none: every subject\)" and "orders\.created"\)/],
    ['a consumer redelivers without end', withStream('        consumers:\n          - { name: billing, maxDeliver: 0 }\n'), /streams\[0\]\.consumers\[0\]\.maxDeliver must be at least 1/],
  ])('fails when %s', (_, text, expected) => {
    expect(problems(text)).toContainEqual(expect.stringMatching(expected));
  });
});

describe('YAML structure', () => {
  test('fails when a key is given twice, naming both places', () => {
    expect(problems(VALID.replace('tier: staging', 'tier: staging\ntier: production'))).toEqual([
      expect.stringMatching(/^environments\/test\.yaml:5:1: tier is given twice \(found it first at environments\/test\.yaml:4:1\)\. Keep one of them\.$/),
    ]);
  });

  test('fails when an alias names no anchor', () => {
    expect(problems(VALID.replace('  branch: main', '  branch: *nope'))).toEqual([
      expect.stringMatching(/^environments\/test\.yaml:\d+:\d+: gitops\.branch is the alias \*nope, which names no anchor/),
    ]);
  });

  test('fails when aliases expand exponentially (billion laughs)', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    expect(problems(`${VALID}bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`)).toEqual([
      expect.stringMatching(/^environments\/test\.yaml:\d+:\d+: the aliases of the file expand to more than 100 copies of anchored values .*Write the values out/),
    ]);
  });

  test('fails when one anchor is aliased more often than the limit (fan-out)', () => {
    expect(problems(`${VALID}fan: &x 1\nout: [${Array(500).fill('*x').join(', ')}]\n`)).toEqual([expect.stringContaining('the aliases of the file expand to more than 100 copies')]);
  });
});
