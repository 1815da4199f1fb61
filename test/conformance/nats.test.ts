/**
 * The synthesized nats.conf, run as three real nats-server processes on loopback.
 *
 * Only addresses and the store directory are rewritten (pod DNS names to 127.0.0.1 ports, the
 * volume mount to a temporary directory); a test checks that nothing else differs.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, nanos, NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from '@nats-io/jetstream';
import { RecreatingField, recreatingChanges, refusal, streamRecreations } from '../../constructs/messaging/nats';
import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { pinnedVersions } from '../../stacks/versions';
import { tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { Command, startOnFreePorts, startProcess } from '../support/servers';
import { describeWithTool } from '../support/tools';

const SERVERS = 3;
// Free loopback ports of each server, chosen before the first starts (startOnFreePorts), so that runs on one machine do not meet.
const port: Record<'client' | 'cluster' | 'monitor', number[]> = { client: [], cluster: [], monitor: [] };
const MESSAGES = 10_000;

/** The deployed config with addresses and the store directory rewritten for server `i`. */
function loopbackConfig(deployed: string, i: number, storeDir: string): string {
  const rules: [RegExp, string][] = [
    [/^listen: 0\.0\.0\.0:4222$/m, `listen: 127.0.0.1:${port.client[i]}`],
    [/^http: 0\.0\.0\.0:8222$/m, `http: 127.0.0.1:${port.monitor[i]}`],
    [/^ {2}listen: 0\.0\.0\.0:6222$/m, `  listen: 127.0.0.1:${port.cluster[i]}`],
    [/^ {2}store_dir: \/data\/jetstream$/m, `  store_dir: ${storeDir}`],
    ...Array.from({ length: SERVERS }, (_, peer): [RegExp, string] => [
      new RegExp(`^ {4}nats://nats-${peer}\\.nats-headless\\.nats\\.svc\\.cluster\\.local:6222$`, 'm'),
      `    nats://127.0.0.1:${port.cluster[peer]}`,
    ]),
  ];
  let config = deployed;
  for (const [pattern, replacement] of rules) {
    expect(config).toMatch(pattern);
    config = config.replace(pattern, replacement);
  }
  return config;
}

/**
 * How long a JetStream API request made once waits for its answer (5 s by default), for servers
 * on a loaded machine. Polls in waitFor keep the default: a request lost with a killed server
 * is sent again.
 */
const API = { timeout: 60_000 };

/** Polls `probe` until it returns a value; HUNG_MS bounds only a run that hangs. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + HUNG_MS;
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
  throw new Error(`timed out after ${HUNG_MS} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

async function monitor(i: number, endpoint: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port.monitor[i]}${endpoint}`);
  return res.json();
}

/** Go duration (hours, minutes, seconds) in nanoseconds, as the JetStream API takes max_age. */
function durationNanos(d: string): number {
  const unit: Record<string, number> = { h: 3600_000, m: 60_000, s: 1000 };
  return nanos([...d.matchAll(/([0-9]+)([hms])/g)].reduce((ms, [, n, u]) => ms + Number(n) * unit[u], 0));
}

/** A NACK Stream's spec as the JetStream API takes it: what the NACK controller sends. */
function streamConfig(s: any): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: s.subjects,
    num_replicas: s.replicas,
    storage: s.storage as StorageType,
    retention: s.retention as RetentionPolicy,
    discard: s.discard as DiscardPolicy,
    ...(s.maxAge ? { max_age: durationNanos(s.maxAge) } : {}),
    ...(s.maxBytes ? { max_bytes: s.maxBytes } : {}),
    ...(s.duplicateWindow ? { duplicate_window: durationNanos(s.duplicateWindow) } : {}),
  };
}

/** A NACK Consumer's spec as the JetStream API takes it. */
function consumerConfig(c: any): Partial<ConsumerConfig> {
  return {
    durable_name: c.durableName,
    ...(c.filterSubject ? { filter_subject: c.filterSubject } : {}),
    deliver_policy: c.deliverPolicy as DeliverPolicy,
    ack_policy: c.ackPolicy as AckPolicy,
    ack_wait: durationNanos(c.ackWait),
    max_deliver: c.maxDeliver,
    max_ack_pending: c.maxAckPending,
    replay_policy: c.replayPolicy as ReplayPolicy,
  };
}

describeWithTool('nats-server', 'nats.conf on real nats-server processes', (bin) => {
  const dir = tempDir('gitplane-nats-');
  const deployed = built('prod').output.configs.get('nats')!.content;
  const processes: (ChildProcess | undefined)[] = [];
  const configFile = (i: number) => path.join(dir, `nats-${i}.conf`);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let polled: JetStreamManager;
  let meta: { leader: string; cluster_size: number };
  const stream = findAll(manifests('prod'), 'Stream').find((s: any) => s.spec.replicas === 3) as any;

  const command = (i: number): Command => ({ name: `nats-${i}`, bin, args: ['-c', configFile(i)], env: { ...process.env, SERVER_NAME: `nats-${i}` } });
  /** Starts server `i` again on its ports, its output appended to its log. */
  const restart = (i: number) => {
    const c = command(i);
    processes[i] = startProcess(dir, c.name, c.bin, c.args, c.env).process;
  };
  const stop = async (i: number, signal: NodeJS.Signals) => {
    const p = processes[i];
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(p.pid!, signal);
    await exited;
  };

  beforeAll(async () => {
    const started = await startOnFreePorts(
      dir,
      3 * SERVERS,
      (free) => {
        [port.client, port.cluster, port.monitor] = [0, 1, 2].map((k) => free.slice(k * SERVERS, (k + 1) * SERVERS));
        return Array.from({ length: SERVERS }, (_, i) => {
          fs.writeFileSync(configFile(i), loopbackConfig(deployed, i, path.join(dir, `store-${i}`)));
          return command(i);
        });
      },
      async () => {
        for (let i = 0; i < SERVERS; i++) if ((await monitor(i, '/healthz?js-enabled-only=true').catch(() => undefined))?.status !== 'ok') return undefined;
        return true;
      },
    );
    started.servers.forEach((s, i) => (processes[i] = s.process));
    meta = await waitFor('a JetStream meta leader', async () => {
      const jsz = await monitor(0, '/jsz');
      return jsz.meta_cluster?.leader && jsz.meta_cluster.cluster_size === SERVERS ? jsz.meta_cluster : undefined;
    });
    nc = await connect({ servers: Array.from({ length: SERVERS }, (_, i) => `127.0.0.1:${port.client[i]}`), reconnectTimeWait: 250 });
    jsm = await waitFor('the JetStream API', () => jetstreamManager(nc, API));
    polled = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    for (let i = 0; i < SERVERS; i++) await stop(i, 'SIGTERM');
  });

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
    await waitFor('the stream to be created', async () => polled.streams.add(streamConfig(s)));
    const js = jetstream(nc, API);
    const subject = s.subjects[0].replace('>', 'created');
    for (let batch = 0; batch < MESSAGES; batch += 500) {
      const acks = await Promise.all(Array.from({ length: 500 }, (_, n) => js.publish(subject, `order ${batch + n + 1}`, { timeout: HUNG_MS })));
      for (const ack of acks) expect(ack.stream).toBe(s.name);
    }
    const info = await jsm.streams.info(s.name);
    expect(info.state.messages).toBe(MESSAGES);
    expect(info.cluster?.replicas).toHaveLength(SERVERS - 1);
  });

  test("prod's durable consumers are created on its stream as the spec says", async () => {
    const orders = findOne<any>(manifests('prod'), 'Stream', 'stream-orders').spec;
    await waitFor('the ORDERS stream', () => polled.streams.add(streamConfig(orders)));
    const consumers = findAll<any>(manifests('prod'), 'Consumer');
    expect(consumers.map((c) => `${c.spec.streamName}/${c.spec.durableName}`).sort()).toEqual(['ORDERS/billing', 'ORDERS/shipping']);
    for (const c of consumers) {
      const info = await jsm.consumers.add(c.spec.streamName, consumerConfig(c.spec));
      expect(info.config).toMatchObject({ durable_name: c.spec.durableName, ack_policy: AckPolicy.Explicit, max_deliver: c.spec.maxDeliver, filter_subject: c.spec.filterSubject });
      expect(info.config.ack_wait).toBe(durationNanos(c.spec.ackWait));
      // Pull: no deliver subject, so any number of workers share the consumer.
      expect(info.config.deliver_subject).toBeUndefined();
    }
    expect((await jsm.streams.info(orders.name)).config.duplicate_window).toBe(durationNanos('5m'));
  });

  describe('a stream and pull consumer synthesized from a spec with a short ack wait', () => {
    // ackWait 1s and maxDeliver 3 keep the redelivery test short; everything else is as synthesized.
    const objects = synthEnvironment(
      variant('prod', (spec) => {
        spec.components.nats.streams = [
          {
            name: 'WORK',
            subjects: ['work.>'],
            retention: 'workqueue',
            storage: 'file',
            maxAge: '1h',
            duplicateWindow: '1m',
            consumers: [{ name: 'worker', filterSubject: 'work.jobs', ackWait: '1s', maxDeliver: 3, maxAckPending: 100 }],
            acknowledgeRecreate: [],
          },
        ];
      }),
    ).objects.map((o) => o.manifest);
    const work = findOne<any>(objects, 'Stream', 'stream-work').spec;
    const worker = findOne<any>(objects, 'Consumer', 'consumer-work-worker').spec;

    beforeAll(async () => {
      await waitFor('the WORK stream', () => polled.streams.add(streamConfig(work)));
      await jsm.consumers.add(work.name, consumerConfig(worker));
    });

    test('a message published twice with one Nats-Msg-Id within the window is stored once', async () => {
      const js = jetstream(nc, API);
      const first = await js.publish('work.jobs', 'job 1', { msgID: 'job-1' });
      const again = await js.publish('work.jobs', 'job 1 again', { msgID: 'job-1' });
      const other = await js.publish('work.jobs', 'job 2', { msgID: 'job-2' });
      expect([first.duplicate, again.duplicate, other.duplicate]).toEqual([false, true, false]);
      expect(again.seq).toBe(first.seq);
      expect((await jsm.streams.info(work.name)).state.messages).toBe(2);
    });

    test('fetch and ack removes a message; an unacknowledged one comes back after ackWait, up to maxDeliver times', async () => {
      const consumer = await jetstream(nc, API).consumers.get(work.name, worker.durableName);
      const deliveries = new Map<string, number[]>();
      const fetchAll = async (expires: number) => {
        const batch = await consumer.fetch({ max_messages: 10, expires });
        for await (const m of batch) {
          deliveries.set(m.string(), [...(deliveries.get(m.string()) ?? []), m.info.deliveryCount]);
          if (m.string() === 'job 1') await m.ackAck();
        }
      };
      // Job 2 is never acknowledged: it comes back each time the 1 s ackWait passes. Fetches of a
      // second follow it until it has come maxDeliver times; then one of three ackWaits shows that
      // it does not come again. (A fetch lasts until it expires unless it fills its batch.)
      await waitFor(`job 2 to be delivered ${worker.maxDeliver} times`, async () => {
        await fetchAll(1000);
        return (deliveries.get('job 2')?.length ?? 0) >= worker.maxDeliver ? true : undefined;
      });
      await fetchAll(3000);
      expect(deliveries.get('job 1')).toEqual([1]);
      expect(deliveries.get('job 2')).toEqual([1, 2, 3]);
      const info = await jsm.consumers.info(work.name, worker.durableName);
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(1);
      // Acknowledged work is gone from the work queue; the message given up on stays.
      expect((await jsm.streams.info(work.name)).state.messages).toBe(1);
    });

    test('a consumer filtering outside its stream is accepted and never gets a message, which is why the loader refuses it', async () => {
      await jsm.consumers.add(work.name, consumerConfig({ ...worker, durableName: 'stray', filterSubject: 'elsewhere.jobs' }));
      await jetstream(nc, API).publish('work.jobs', 'job 3');
      const batch = await (await jetstream(nc, API).consumers.get(work.name, 'stray')).fetch({ max_messages: 10, expires: 1000 });
      let received = 0;
      for await (const m of batch) received += m ? 1 : 0;
      expect(received).toBe(0);
      await jsm.consumers.delete(work.name, 'stray');
    });

    test('fails when a second consumer overlaps the first on a work queue, as the loader says', async () => {
      await expect(jsm.consumers.add(work.name, consumerConfig({ ...worker, durableName: 'second', filterSubject: 'work.>' }))).rejects.toThrow(/workqueue|unique/i);
    });

    test('fails when the duplicate window is longer than maxAge, as the loader says', async () => {
      await expect(jsm.streams.add(streamConfig({ ...work, name: 'LONGWINDOW', subjects: ['window.>'], maxAge: '1m', duplicateWindow: '2m' }))).rejects.toThrow(/duplicates window/i);
    });
  });

  describe('stream changes: nats-server refuses in place exactly what gitplane says recreates the stream', () => {
    const base = { ...findOne<any>(manifests('prod'), 'Stream', 'stream-audit').spec, replicas: 3 };
    let n = 0;
    /** Creates a fresh copy of the AUDIT stream with `before`, then asks the server to apply `after`. */
    const attempt = async (before: Record<string, unknown>, after: Record<string, unknown>) => {
      n += 1;
      const spec = { ...base, name: `CHANGE${n}`, subjects: [`change${n}.>`] };
      await jsm.streams.add(streamConfig({ ...spec, ...before }));
      try {
        await jsm.streams.update(spec.name, streamConfig({ ...spec, ...after }));
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['storage', { storage: 'file' }, { storage: 'memory' }],
      ['retention', { retention: 'limits' }, { retention: 'workqueue' }],
      ['retention', { retention: 'workqueue' }, { retention: 'limits' }],
      ['retention', { retention: 'interest' }, { retention: 'workqueue' }],
      ['retention', { retention: 'limits' }, { retention: 'interest' }],
      ['retention', { retention: 'interest' }, { retention: 'limits' }],
    ];
    test.each(cases)('%s %j -> %j', async (field, before, after) => {
      const answer = await attempt(before, after);
      const expected = refusal(field as RecreatingField, String(Object.values(before)[0]), String(Object.values(after)[0]));
      expect(answer).toBe(expected);
      expect(recreatingChanges({ ...base, ...before }, { ...base, ...after }).map((c) => c.field)).toEqual(expected ? [field] : []);
    });

    test('new subjects, limits and the duplicate window change in place', async () => {
      for (const change of [{ subjects: ['moved.>'] }, { maxAge: '1h', maxBytes: 1024 * 1024 }, { duplicateWindow: '10s' }, { discard: 'new' }]) {
        expect(await attempt({}, change)).toBeUndefined();
        expect(recreatingChanges(base, { ...base, ...change })).toEqual([]);
      }
    });

    test('replicas down and up change in place and keep the messages', async () => {
      const spec = { ...base, name: 'SCALED', subjects: ['scaled.>'] };
      await jsm.streams.add(streamConfig(spec));
      // The stream's interest in its subjects reaches every server shortly after it is created.
      await waitFor('the SCALED stream to take messages', () => jetstream(nc).publish('scaled.x', 'message 0'));
      for (let i = 1; i < 5; i++) await jetstream(nc, API).publish('scaled.x', `message ${i}`);
      for (const replicas of [1, 3]) {
        await jsm.streams.update(spec.name, streamConfig({ ...spec, replicas }));
        const info = await jsm.streams.info(spec.name);
        expect([info.config.num_replicas, info.state.messages]).toEqual([replicas, 5]);
        expect(recreatingChanges(spec, { ...spec, replicas })).toEqual([]);
      }
    });

    test('a renamed stream cannot be created while the old one (kept by preventDelete) holds its subjects', async () => {
      await jsm.streams.add(streamConfig({ ...base, name: 'RENAME_OLD', subjects: ['renamed.>'] }));
      const renamed = { ...base, name: 'RENAME_NEW', subjects: ['renamed.>'] };
      await expect(jsm.streams.add(streamConfig(renamed))).rejects.toThrow(refusal('name', 'RENAME_OLD', 'RENAME_NEW'));
      expect(streamRecreations([{ ...base, name: 'RENAME_OLD', subjects: ['renamed.>'] }], [renamed])).toEqual([
        { stream: renamed, changes: [{ field: 'name', from: 'RENAME_OLD', to: 'RENAME_NEW' }] },
      ]);
    });
  });

  test('killing the stream leader loses nothing; the restarted server catches up', async () => {
    const name = stream.spec.name;
    const leader = (await jsm.streams.info(name)).cluster!.leader!;
    const killed = Number(/^nats-([0-9])$/.exec(leader)![1]);
    await stop(killed, 'SIGKILL');

    const newLeader = await waitFor('a new stream leader', async () => {
      const l = (await polled.streams.info(name)).cluster?.leader;
      return l && l !== leader ? l : undefined;
    });
    expect(newLeader).not.toBe(leader);

    const consumer = await waitFor('an ordered consumer', () => jetstream(nc).consumers.get(name));
    const seen = new Set<string>();
    await waitFor(`all ${MESSAGES} messages`, async () => {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      for await (const m of batch) seen.add(m.string());
      return seen.size >= MESSAGES ? true : undefined;
    });
    expect(seen.size).toBe(MESSAGES);
    expect(seen.has('order 1')).toBe(true);
    expect(seen.has(`order ${MESSAGES}`)).toBe(true);

    restart(killed);
    const caughtUp = await waitFor(`nats-${killed} to catch up`, async () => {
      const jsz = await monitor(killed, '/jsz?accounts=true&streams=true');
      const detail = (jsz.account_details ?? []).flatMap((a: any) => a.stream_detail ?? []).find((d: any) => d.name === name);
      return detail?.state?.messages === MESSAGES ? detail : undefined;
    });
    expect(caughtUp.state.last_seq).toBe(MESSAGES);
  });

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
