import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { etcdBackupDestination } from '../../stacks/apps/etcd-backup';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { gitplane } from '../support/cli';
import { built, manifests, variant } from '../support/environments';

const SCRIPTS = path.resolve(__dirname, '../../constructs/backup/etcd');

describe.each(['prod', 'pi-edge'])('%s etcd backups', (env) => {
  const cron = (name: string) => findOne(manifests(env), 'CronJob', name) as any;
  const pod = (name: string) => cron(name).spec.jobTemplate.spec.template.spec;

  test('the backup CronJob runs every 6 hours on a control-plane node with the host network and etcd certificates read-only', () => {
    const c = cron('etcd-backup');
    expect(c.metadata.namespace).toBe('etcd-backup');
    expect(c.spec).toMatchObject({ schedule: '0 */6 * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(c.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(900);
    const p = pod('etcd-backup');
    expect(p.hostNetwork).toBe(true);
    expect(c.spec.jobTemplate.spec.template.metadata.annotations['gitplane.dev/privileged-reason']).toMatch(/root-only client keys/);
    expect(p.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(p.tolerations).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' });
    expect(p.volumes).toContainEqual({ name: 'etcd-pki', hostPath: { path: '/etc/kubernetes/pki/etcd', type: 'Directory' } });
    const container = p.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: 'etcd-pki', mountPath: '/etc/kubernetes/pki/etcd', readOnly: true });
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(container.image).toBe('docker.io/curlimages/curl:8.17.0');
    expect(p.initContainers[0].image).toBe('registry.k8s.io/etcd:3.6.4-0');
    const envVars = Object.fromEntries(container.env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]));
    expect(envVars).toMatchObject({
      ETCDCTL_ENDPOINTS: 'https://127.0.0.1:2379',
      ETCDCTL_CACERT: '/etc/kubernetes/pki/etcd/ca.crt',
      BACKUP_DESTINATION: `s3://example-${env}-etcd-backups`,
      BACKUP_LOCAL_RETENTION_DAYS: '3',
    });
    expect(container.env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'etcd-backup-s3', key: 'AWS_SECRET_ACCESS_KEY' } } });
  });

  test('the restore drill runs weekly, off the host network, as a non-root user', () => {
    const c = cron('etcd-restore-drill');
    expect(c.spec).toMatchObject({ schedule: '30 3 * * 0', concurrencyPolicy: 'Forbid' });
    const p = pod('etcd-restore-drill');
    expect(p.hostNetwork).toBe(false);
    expect(p.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    // Nothing privileged, so nothing to state.
    expect(c.spec.jobTemplate.spec.template.metadata.annotations).toBeUndefined();
    expect(p.containers[0].command).toEqual(['/bin/sh', '/opt/gitplane/scripts/etcd-restore-drill.sh']);
  });

  test('S3 credentials come from an ExternalSecret of the environment\'s secret store', () => {
    const es = findOne(manifests(env), 'ExternalSecret', 'etcd-backup-s3') as any;
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(es.spec.data.map((d: any) => d.remoteRef.key)).toEqual([`${env}/etcd-backup/s3-credentials`, `${env}/etcd-backup/s3-credentials`]);
  });

  test('the ConfigMap carries the shipped scripts byte for byte, and the application is in the Jobs wave', () => {
    const cm = findOne(manifests(env), 'ConfigMap', 'etcd-backup-scripts') as any;
    for (const f of ['etcd-backup.sh', 'etcd-restore-drill.sh', 'etcd-backup-lib.sh']) expect(cm.data[f]).toBe(fs.readFileSync(path.join(SCRIPTS, f), 'utf8'));
    const app = findOne(manifests(env), env === 'pi-edge' ? 'ApplicationSet' : 'Application', `${env}-etcd-backup`);
    expect(app.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Jobs));
  });

  test('the restore runbook is rendered with the destination and etcdutl restore flags', () => {
    const runbook = built(env).output.files.get('runbooks/etcd-restore.md') ?? '';
    expect(runbook).toContain(`export BACKUP_DESTINATION=s3://example-${env}-etcd-backups`);
    expect(runbook).toContain('--bump-revision 1000000000 --mark-compacted');
    expect(runbook).toContain('mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/');
    expect(runbook).toContain('IMAGE=registry.k8s.io/etcd:3.6.4-0');
  });
});

test('dev runs k3s: no CronJob, and a note that k3s snapshots etcd itself', () => {
  expect(findAll(manifests('dev'), 'CronJob')).toEqual([]);
  expect(built('dev').output.files.get('notes/etcd-backup.md')).toContain('k3s, which takes etcd snapshots itself');
});

test('the spec\'s schedules, retention, encryption configuration and etcd version reach the CronJobs', () => {
  const spec = variant('prod', (s) => {
    s.components.etcdBackup = { ...s.components.etcdBackup, schedule: '15 */2 * * *', drillSchedule: '0 5 * * 1', localRetentionDays: 7, encryptionConfigPath: '/etc/kubernetes/enc/encryption.yaml' };
    s.versions = { etcd: '3.6.5-0' };
  });
  const objs = synthEnvironment(spec).objects.map((o) => o.manifest);
  const backup = findOne(objs, 'CronJob', 'etcd-backup') as any;
  expect(backup.spec.schedule).toBe('15 */2 * * *');
  expect(findOne(objs, 'CronJob', 'etcd-restore-drill').spec).toMatchObject({ schedule: '0 5 * * 1' });
  const p = backup.spec.jobTemplate.spec.template.spec;
  expect(p.initContainers[0].image).toBe('registry.k8s.io/etcd:3.6.5-0');
  expect(p.containers[0].env).toContainEqual({ name: 'BACKUP_LOCAL_RETENTION_DAYS', value: '7' });
  expect(p.containers[0].env).toContainEqual({ name: 'BACKUP_ENCRYPTION_CONFIG', value: '/etc/kubernetes/enc/encryption.yaml' });
  expect(p.volumes).toContainEqual({ name: 'encryption-config', hostPath: { path: '/etc/kubernetes/enc/encryption.yaml', type: 'File' } });
});

test('without an object store, snapshots stay in the local directory and the drill runs beside them as root', () => {
  const spec = variant('prod', (s) => {
    delete s.objectStore.etcdBackups;
  });
  const objs = synthEnvironment(spec).objects.map((o) => o.manifest);
  expect(findAll(objs, 'ExternalSecret').filter((e) => e.metadata.name === 'etcd-backup-s3')).toEqual([]);
  const drill = (findOne(objs, 'CronJob', 'etcd-restore-drill') as any).spec.jobTemplate.spec.template.spec;
  expect(drill.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
  expect(drill.securityContext.runAsUser).toBe(0);
  expect((findOne(objs, 'CronJob', 'etcd-restore-drill') as any).spec.jobTemplate.spec.template.metadata.annotations['gitplane.dev/privileged-reason']).toMatch(/root-only snapshots/);
  expect(drill.volumes).toContainEqual({ name: 'destination', hostPath: { path: '/var/lib/etcd-backup', type: 'DirectoryOrCreate' } });
  expect(drill.containers[0].env).toContainEqual({ name: 'BACKUP_DESTINATION', value: '/var/lib/etcd-backup' });
});

test('both jobs keep the job labels, the service links and the placement cdk8s-plus does not model, and no construct-path label', () => {
  const objs = manifests('prod');
  for (const name of ['etcd-backup', 'etcd-restore-drill']) {
    const job = (findOne(objs, 'CronJob', name) as any).spec;
    expect(job.jobTemplate.metadata.labels['app.kubernetes.io/name']).toBe('etcd-backup');
    expect(job.jobTemplate.spec.template.spec).toMatchObject({ enableServiceLinks: false, automountServiceAccountToken: false, restartPolicy: 'Never' });
    expect(Object.keys(job.jobTemplate.spec.template.metadata.labels).filter((k) => k.startsWith('cdk8s.io/'))).toEqual([]);
    expect(job.jobTemplate.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  }
});

test('fails when an S3 destination has no credentials entry in secrets.refs', () => {
  const spec = variant('prod', (s) => {
    delete s.secrets.refs['etcd-backup-s3'];
  });
  expect(() => synthEnvironment(spec)).toThrow(InputError);
  expect(() => synthEnvironment(spec)).toThrow('environments/prod.yaml: secrets.refs.etcd-backup-s3 is missing; etcd backups to example-prod-etcd-backups need S3 credentials.');
});

test('fails when an S3 destination has no region to sign requests for', () => {
  const spec = variant('prod', (s) => {
    delete s.cloud.region;
  });
  expect(() => etcdBackupDestination(spec)).toThrow('environments/prod.yaml: objectStore.etcdBackups needs cloud.region, the region S3 requests are signed for (got none).');
});

describe('gitplane config', () => {
  test.each([
    ['etcd-backup', 'etcd-backup.sh'],
    ['etcd-restore-drill', 'etcd-restore-drill.sh'],
  ])('%s prints %s as deployed', (name, file) => {
    const r = gitplane(['config', name, '--env', 'prod']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(SCRIPTS, file), 'utf8'));
  });

  test('fails with exit 2 for etcd-backup on k3s, which has no such script', () => {
    const r = gitplane(['config', 'etcd-backup', '--env', 'dev']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('dev has no configuration named "etcd-backup"');
  });
});
