/**
 * The shipped etcd-backup.sh and etcd-restore-drill.sh against a real etcd 3.6 on loopback, with a
 * directory destination and an S3 destination (s3rver on loopback).
 */
import { ChildProcess, execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';
import { freePort } from '../support/loopback';
import { startOnFreePorts, stopProcess } from '../support/servers';
import { describeWithTool } from '../support/tools';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

const DIR = path.resolve(__dirname, '../../constructs/backup/etcd');
const BACKUP = path.join(DIR, 'etcd-backup.sh');
const DRILL = path.join(DIR, 'etcd-restore-drill.sh');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script without blocking the event loop (s3rver answers from this process). */
async function script(file: string, env: NodeJS.ProcessEnv): Promise<Result> {
  try {
    // The drill waits 60 s by default for its throwaway etcd; on a loaded machine, up to HUNG_MS.
    const r = await run('/bin/sh', [file], { env: { DRILL_TIMEOUT_SECONDS: String(HUNG_MS / 1000), ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** An etcd serving `dataDir` on free loopback ports, ready once etcdctl finds it healthy; its log in a directory of its own. */
async function startEtcd(bin: string, dataDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const etcdctl = path.join(path.dirname(bin), 'etcdctl');
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const { servers: [server], ports: [client] } = await startOnFreePorts(
    tempDir('gitplane-etcd-'),
    2,
    ([client, peer]) => [
      {
        name: 'etcd',
        bin,
        args: [
          '--name', 'test', '--data-dir', dataDir, '--listen-client-urls', url(client), '--advertise-client-urls', url(client),
          '--listen-peer-urls', url(peer), '--initial-advertise-peer-urls', url(peer), '--initial-cluster', `test=${url(peer)}`,
        ],
      },
    ],
    ([client]) => (spawnSync(etcdctl, ['--endpoints', url(client), 'endpoint', 'health'], { stdio: 'ignore' }).status === 0 ? true : undefined),
  );
  return { proc: server.process, url: url(client) };
}

describeWithTool('etcdutl', 'etcd backup and restore drill on a real etcd', (etcdutl) => {
  const bin = path.dirname(etcdutl);
  const etcd = path.join(bin, 'etcd');
  const etcdctl = path.join(bin, 'etcdctl');
  const PATH = `${bin}:${process.env.PATH}`;
  const written: Record<string, string> = {};
  let server: { proc: ChildProcess; url: string };
  let s3: { close(): Promise<void> };
  let s3Env: NodeJS.ProcessEnv;

  const ctl = (...args: string[]) => {
    const r = spawnSync(etcdctl, ['--endpoints', server.url, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };

  beforeAll(async () => {
    expect(spawnSync(etcd, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/etcd Version: 3\.6\./);
    server = await startEtcd(etcd, path.join(tempDir(), 'data'));
    for (let i = 0; i < 50; i++) written[`/registry/test/key-${String(i).padStart(2, '0')}`] = `value ${i} ${'x'.repeat(i)}`;
    for (const [k, v] of Object.entries(written)) ctl('put', k, v);
    // History the snapshot must carry but not serve: an overwrite and a deletion.
    ctl('put', '/registry/test/key-00', 'value 0 again');
    written['/registry/test/key-00'] = 'value 0 again';
    ctl('put', '/registry/test/gone', 'soon deleted');
    ctl('del', '/registry/test/gone');

    const port = await freePort();
    s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: tempDir('gitplane-s3rver-'), configureBuckets: [{ name: 'etcd-backups' }] });
    await (s3 as unknown as { run(): Promise<unknown> }).run();
    // s3rver's fixed test credentials; nothing secret.
    s3Env = { S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  });

  afterAll(async () => {
    await stopProcess(server.proc);
    await s3.close();
  });

  const backupEnv = (destination: string, local: string, extra: NodeJS.ProcessEnv = {}) => ({
    PATH, ETCDCTL_ENDPOINTS: server.url, BACKUP_DESTINATION: destination, BACKUP_LOCAL_DIR: local, ...s3Env, ...extra,
  });

  /** Starts an etcd from the drill's restored data directory and reads every key back. */
  async function restoredKeys(workDir: string): Promise<Record<string, string>> {
    const restored = await startEtcd(etcd, path.join(workDir, 'data'));
    try {
      const out = spawnSync(etcdctl, ['--endpoints', restored.url, 'get', '--from-key', '', '-w', 'json'], { encoding: 'utf8' });
      const kvs = (JSON.parse(out.stdout).kvs ?? []) as { key: string; value: string }[];
      return Object.fromEntries(kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]));
    } finally {
      await stopProcess(restored.proc);
    }
  }

  for (const kind of ['directory', 's3'] as const) {
    test(`backup to a ${kind} destination, then the drill restores every key that was written`, async () => {
      const local = tempDir();
      const destination = kind === 's3' ? `s3://etcd-backups/${kind}-case/etcd` : path.join(tempDir(), 'archive');
      const encryption = path.join(tempDir(), 'encryption-config.yaml');
      fs.writeFileSync(encryption, 'kind: EncryptionConfiguration # fake, for the test\n');
      const backup = await script(BACKUP, backupEnv(destination, local, { BACKUP_ENCRYPTION_CONFIG: encryption }));
      expect(backup.stderr).toContain('shipped etcd-snapshot-');
      expect(backup.code).toBe(0);
      const name = fs.readFileSync(path.join(local, 'latest'), 'utf8').trim();
      expect(fs.readdirSync(local).sort()).toEqual([`${name}.db`, `${name}.db.sha256`, `${name}.encryption-config.yaml`, `${name}.meta`, 'latest']);
      expect(fs.readFileSync(path.join(local, `${name}.meta`), 'utf8')).toContain(`key_count=${Object.keys(written).length}\n`);
      if (kind === 'directory') expect(fs.readdirSync(destination).sort()).toEqual(fs.readdirSync(local).sort());

      const work = tempDir();
      const ports = { DRILL_CLIENT_PORT: String(await freePort()), DRILL_PEER_PORT: String(await freePort()) };
      const drill = await script(DRILL, { PATH, BACKUP_DESTINATION: destination, DRILL_WORK_DIR: work, ...ports, ...s3Env });
      expect(drill.stderr).toContain(`drill passed: ${name} restores and serves ${Object.keys(written).length} keys`);
      expect(drill.code).toBe(0);
      expect(fs.readFileSync(path.join(work, `${name}.db`))).toEqual(fs.readFileSync(path.join(local, `${name}.db`)));
      expect(await restoredKeys(work)).toEqual(written);
    });
  }

  test('fails when the snapshot is corrupted after its checksum was taken', async () => {
    const local = tempDir();
    const destination = path.join(tempDir(), 'archive');
    expect((await script(BACKUP, backupEnv(destination, local))).code).toBe(0);
    const name = fs.readFileSync(path.join(destination, 'latest'), 'utf8').trim();
    const db = path.join(destination, `${name}.db`);
    const bytes = fs.readFileSync(db);
    bytes.fill(0, 4096, 8192);
    fs.writeFileSync(db, bytes);
    const drill = await script(DRILL, { PATH, BACKUP_DESTINATION: destination, DRILL_CLIENT_PORT: String(await freePort()), DRILL_PEER_PORT: String(await freePort()) });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain(`${name}.db does not match its checksum.`);
  });

  test('fails when a corrupted snapshot comes with a matching checksum: etcdutl rejects it', async () => {
    const local = tempDir();
    const destination = path.join(tempDir(), 'archive');
    expect((await script(BACKUP, backupEnv(destination, local))).code).toBe(0);
    const name = fs.readFileSync(path.join(destination, 'latest'), 'utf8').trim();
    const db = path.join(destination, `${name}.db`);
    fs.writeFileSync(db, Buffer.alloc(fs.statSync(db).size, 7));
    spawnSync('sh', ['-c', `cd "${destination}" && sha256sum "${name}.db" > "${name}.db.sha256"`]);
    const drill = await script(DRILL, { PATH, BACKUP_DESTINATION: destination, DRILL_CLIENT_PORT: String(await freePort()), DRILL_PEER_PORT: String(await freePort()) });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain('the snapshot is corrupt.');
  });

  test('fails when the restored etcd does not serve the key count the backup recorded', async () => {
    const local = tempDir();
    const destination = path.join(tempDir(), 'archive');
    expect((await script(BACKUP, backupEnv(destination, local))).code).toBe(0);
    const name = fs.readFileSync(path.join(destination, 'latest'), 'utf8').trim();
    const meta = path.join(destination, `${name}.meta`);
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace(/key_count=\d+/, 'key_count=999'));
    const drill = await script(DRILL, { PATH, BACKUP_DESTINATION: destination, DRILL_CLIENT_PORT: String(await freePort()), DRILL_PEER_PORT: String(await freePort()) });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain('but the backup counted 999.');
  });

  test('prunes local snapshots older than the local retention and keeps newer ones', async () => {
    const local = tempDir();
    const aged = (name: string, days: number) => {
      fs.writeFileSync(path.join(local, name), 'old\n');
      spawnSync('touch', ['-d', `${days} days ago`, path.join(local, name)]);
    };
    aged('etcd-snapshot-20200101T000000Z.db', 4);
    aged('etcd-snapshot-20200101T000000Z.db.sha256', 4);
    aged('etcd-snapshot-20200103T000000Z.db', 2);
    aged('unrelated-file', 30);
    const r = await script(BACKUP, backupEnv(path.join(tempDir(), 'archive'), local, { BACKUP_LOCAL_RETENTION_DAYS: '3' }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('pruned');
    const files = fs.readdirSync(local);
    expect(files).not.toContain('etcd-snapshot-20200101T000000Z.db');
    expect(files).not.toContain('etcd-snapshot-20200101T000000Z.db.sha256');
    expect(files).toContain('etcd-snapshot-20200103T000000Z.db');
    expect(files).toContain('unrelated-file');
  });

  test('fails when etcd cannot be reached, leaving no partial snapshot', async () => {
    const local = tempDir();
    const r = await script(BACKUP, { ...backupEnv(path.join(tempDir(), 'archive'), local), ETCDCTL_ENDPOINTS: `http://127.0.0.1:${await freePort()}`, ETCDCTL_DIAL_TIMEOUT: '1s', ETCDCTL_COMMAND_TIMEOUT: '2s' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('etcdctl snapshot save failed.');
    expect(fs.readdirSync(local)).toEqual([]);
  });

  test('fails when the S3 upload is refused', async () => {
    const r = await script(BACKUP, backupEnv('s3://no-such-bucket/etcd', tempDir()));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('upload of etcd-snapshot-');
  });

  test('fails on settings that are missing or malformed, naming the variable', async () => {
    const base = backupEnv('/tmp', tempDir());
    const cases: [NodeJS.ProcessEnv, string][] = [
      [{ ...base, BACKUP_DESTINATION: '' }, 'BACKUP_DESTINATION is not set.'],
      [{ ...base, BACKUP_DESTINATION: 'relative/dir' }, 'BACKUP_DESTINATION must be s3://bucket/prefix or an absolute directory'],
      [{ ...base, BACKUP_LOCAL_RETENTION_DAYS: 'three' }, 'BACKUP_LOCAL_RETENTION_DAYS must be a whole number'],
      [{ ...base, BACKUP_ENCRYPTION_CONFIG: '/nonexistent/encryption.yaml' }, 'BACKUP_ENCRYPTION_CONFIG names /nonexistent/encryption.yaml'],
      [{ ...base, BACKUP_DESTINATION: 's3://bucket/x', AWS_ACCESS_KEY_ID: '' }, 'AWS_ACCESS_KEY_ID is not set.'],
    ];
    for (const [env, message] of cases) {
      const r = await script(BACKUP, env);
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(1);
    }
    const drill = await script(DRILL, { PATH, BACKUP_DESTINATION: path.join(tempDir(), 'empty') });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain('latest is missing from');
  });

  test('--help prints usage; an unknown argument is a usage error', () => {
    for (const file of [BACKUP, DRILL]) {
      const help = spawnSync('/bin/sh', [file, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('BACKUP_DESTINATION');
      expect(spawnSync('/bin/sh', [file, '--bogus'], { encoding: 'utf8' }).status).toBe(2);
    }
  });
});

describeWithTool('shellcheck', 'etcd scripts lint', (shellcheck) => {
  test('shellcheck passes on every shipped etcd script', () => {
    const r = spawnSync(shellcheck, ['-x', BACKUP, DRILL, path.join(DIR, 'etcd-backup-lib.sh')], { encoding: 'utf8', cwd: DIR });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

