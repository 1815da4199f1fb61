/**
 * The synthesized nats.conf, run as three real nats-server processes on loopback.
 *
 * Only addresses and the store directory are rewritten (pod DNS names to 127.0.0.1 ports, the
 * volume mount to a temporary directory); a test checks that nothing else differs.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, nanos, NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { findAll } from '../../stacks/objects';
import { pinnedVersions } from '../../stacks/versions';
import { tempDir } from '../support/cli';
import { ENVIRONMENTS, built, manifests } from '../support/environments';
import { describeWithTool } from '../support/tools';

const SERVERS = 3;
// Non-default ports, away from anything a developer runs locally.
const port = { client: (i: number) => 34220 + i, cluster: (i: number) => 34230 + i, monitor: (i: number) => 34240 + i };
const MESSAGES = 10_000;

/** The deployed config with addresses and the store directory rewritten for server `i`. */
function loopbackConfig(deployed: string, i: number, storeDir: string): string {
  const rules: [RegExp, string][] = [
    [/^listen: 0\.0\.0\.0:4222$/m, `listen: 127.0.0.1:${port.client(i)}`],
    [/^http: 0\.0\.0\.0:8222$/m, `http: 127.0.0.1:${port.monitor(i)}`],
    [/^ {2}listen: 0\.0\.0\.0:6222$/m, `  listen: 127.0.0.1:${port.cluster(i)}`],
    [/^ {2}store_dir: \/data\/jetstream$/m, `  store_dir: ${storeDir}`],
    ...Array.from({ length: SERVERS }, (_, peer): [RegExp, string] => [
      new RegExp(`^ {4}nats://nats-${peer}\\.nats-headless\\.nats\\.svc\\.cluster\\.local:6222$`, 'm'),
      `    nats://127.0.0.1:${port.cluster(peer)}`,
    ]),
  ];
  let config = deployed;
  for (const [pattern, replacement] of rules) {
    expect(config).toMatch(pattern);
    config = config.replace(pattern, replacement);
  }
  return config;
}

/** Polls `probe` until it returns a value, for at most `ms` milliseconds. */
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

async function monitor(i: number, endpoint: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port.monitor(i)}${endpoint}`);
  return res.json();
}

/** Go duration (hours, minutes, seconds) in nanoseconds, as the JetStream API takes max_age. */
function durationNanos(d: string): number {
  const unit: Record<string, number> = { h: 3600_000, m: 60_000, s: 1000 };
  return nanos([...d.matchAll(/([0-9]+)([hms])/g)].reduce((ms, [, n, u]) => ms + Number(n) * unit[u], 0));
}

describeWithTool('nats-server', 'nats.conf on real nats-server processes', (bin) => {
  const dir = tempDir('gitplane-nats-');
  const deployed = built('prod').output.configs.get('nats')!.content;
  const processes: (ChildProcess | undefined)[] = [];
  const configFile = (i: number) => path.join(dir, `nats-${i}.conf`);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let meta: { leader: string; cluster_size: number };
  const stream = findAll(manifests('prod'), 'Stream').find((s: any) => s.spec.replicas === 3) as any;

  const start = (i: number) => {
    const log = fs.openSync(path.join(dir, `nats-${i}.log`), 'a');
    processes[i] = spawn(bin, ['-c', configFile(i)], { env: { ...process.env, SERVER_NAME: `nats-${i}` }, stdio: ['ignore', log, log] });
  };
  const stop = async (i: number, signal: NodeJS.Signals) => {
    const p = processes[i];
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(p.pid!, signal);
    await exited;
  };

  beforeAll(async () => {
    for (let i = 0; i < SERVERS; i++) {
      fs.writeFileSync(configFile(i), loopbackConfig(deployed, i, path.join(dir, `store-${i}`)));
      start(i);
    }
    await waitFor('the servers to listen', 20_000, async () => {
      for (let i = 0; i < SERVERS; i++) if ((await monitor(i, '/healthz?js-enabled-only=true')).status !== 'ok') return undefined;
      return true;
    });
    meta = await waitFor('a JetStream meta leader', 30_000, async () => {
      const jsz = await monitor(0, '/jsz');
      return jsz.meta_cluster?.leader && jsz.meta_cluster.cluster_size === SERVERS ? jsz.meta_cluster : undefined;
    });
    nc = await connect({ servers: Array.from({ length: SERVERS }, (_, i) => `127.0.0.1:${port.client(i)}`), reconnectTimeWait: 250 });
    jsm = await waitFor('the JetStream API', 20_000, () => jetstreamManager(nc));
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    for (let i = 0; i < SERVERS; i++) await stop(i, 'SIGTERM');
  }, 60_000);

  test('the server runs the NATS line the platform deploys', () => {
    const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout;
    const pinned = /^([0-9]+\.[0-9]+)\./.exec(pinnedVersions().images.nats.tag)![1];
    expect(out).toContain(`v${pinned}.`);
  });

  test('only addresses and the store directory differ from the deployed config', () => {
    const changed = (i: number) => {
      const a = deployed.split('\n');
      const b = fs.readFileSync(configFile(i), 'utf8').split('\n');
      expect(b).toHaveLength(a.length);
      return a.filter((line, n) => line !== b[n]).map((line) => line.trim().replace(/^([a-z_]+): .*$/, '$1'));
    };
    expect(changed(0).sort()).toEqual(['http', 'listen', 'listen', 'nats://nats-0.nats-headless.nats.svc.cluster.local:6222', 'nats://nats-1.nats-headless.nats.svc.cluster.local:6222', 'nats://nats-2.nats-headless.nats.svc.cluster.local:6222', 'store_dir'].sort());
  });

  test('the cluster forms and JetStream elects a meta leader', async () => {
    expect(meta.cluster_size).toBe(SERVERS);
    expect(meta.leader).toMatch(/^nats-[0-2]$/);
    const routez = await monitor(0, '/routez');
    expect(routez.num_routes).toBeGreaterThanOrEqual(SERVERS - 1);
  });

  test(`an R3 stream from the spec accepts ${MESSAGES} messages with acknowledgements`, async () => {
    expect(stream).toBeDefined();
    const s = stream.spec;
    await waitFor('the stream to be created', 30_000, async () =>
      jsm.streams.add({
        name: s.name,
        subjects: s.subjects,
        num_replicas: s.replicas,
        storage: StorageType.File,
        retention: s.retention as RetentionPolicy,
        discard: s.discard as DiscardPolicy,
        max_age: durationNanos(s.maxAge),
        max_bytes: s.maxBytes,
      }),
    );
    const js = jetstream(nc);
    const subject = s.subjects[0].replace('>', 'created');
    for (let batch = 0; batch < MESSAGES; batch += 500) {
      const acks = await Promise.all(Array.from({ length: 500 }, (_, n) => js.publish(subject, `order ${batch + n + 1}`, { timeout: 30_000 })));
      for (const ack of acks) expect(ack.stream).toBe(s.name);
    }
    const info = await jsm.streams.info(s.name);
    expect(info.state.messages).toBe(MESSAGES);
    expect(info.cluster?.replicas).toHaveLength(SERVERS - 1);
  }, 90_000);

  test('killing the stream leader loses nothing; the restarted server catches up', async () => {
    const name = stream.spec.name;
    const leader = (await jsm.streams.info(name)).cluster!.leader!;
    const killed = Number(/^nats-([0-9])$/.exec(leader)![1]);
    await stop(killed, 'SIGKILL');

    const newLeader = await waitFor('a new stream leader', 30_000, async () => {
      const l = (await jsm.streams.info(name)).cluster?.leader;
      return l && l !== leader ? l : undefined;
    });
    expect(newLeader).not.toBe(leader);

    const consumer = await waitFor('an ordered consumer', 20_000, () => jetstream(nc).consumers.get(name));
    const seen = new Set<string>();
    await waitFor(`all ${MESSAGES} messages`, 30_000, async () => {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      for await (const m of batch) seen.add(m.string());
      return seen.size >= MESSAGES ? true : undefined;
    });
    expect(seen.size).toBe(MESSAGES);
    expect(seen.has('order 1')).toBe(true);
    expect(seen.has(`order ${MESSAGES}`)).toBe(true);

    start(killed);
    const caughtUp = await waitFor(`nats-${killed} to catch up`, 30_000, async () => {
      const jsz = await monitor(killed, '/jsz?accounts=true&streams=true');
      const detail = (jsz.account_details ?? []).flatMap((a: any) => a.stream_detail ?? []).find((d: any) => d.name === name);
      return detail?.state?.messages === MESSAGES ? detail : undefined;
    });
    expect(caughtUp.state.last_seq).toBe(MESSAGES);
  }, 120_000);

  test.each(ENVIRONMENTS)('nats-server -t accepts the nats.conf of %s', (env) => {
    const file = path.join(dir, `check-${env}.conf`);
    fs.writeFileSync(file, built(env).output.configs.get('nats')!.content);
    const r = spawnSync(bin, ['-t', '-c', file], { env: { ...process.env, SERVER_NAME: 'nats-0' }, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('is valid');
    expect(r.status).toBe(0);
  });

  test('fails when the config has an unknown field', () => {
    const file = path.join(dir, 'broken.conf');
    fs.writeFileSync(file, deployed.replace('lame_duck_duration', 'lame_duck_durration'));
    const r = spawnSync(bin, ['-t', '-c', file], { env: { ...process.env, SERVER_NAME: 'nats-0' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('lame_duck_durration');
  });
});
