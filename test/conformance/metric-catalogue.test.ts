/**
 * The metric catalogue against the real exporters that run here: an etcd and an OpenTelemetry
 * Collector (built by tools/install.sh) are started on loopback and scraped, and every series
 * name their catalogue lists must be served, except those a lone test instance cannot produce
 * (named below with the reason). The collector runs with the telemetry settings the platform
 * synthesizes, so the names are those the platform's Prometheus sees (Prometheus's and
 * Alertmanager's lists are checked in test/observability/meta-monitoring.test.ts, beside the real
 * pair it runs). The NATS exporter is not
 * built here; its gnatsd_varz/subsz/routez names are the numeric fields of a real nats-server's
 * monitoring endpoints, joined as the exporter joins them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { CATALOGUES } from '../../policies/data/metrics';
import { tempDir } from '../support/cli';
import { built } from '../support/environments';
import { accepts, until } from '../support/loopback';
import { Server, startOnFreePorts, stopProcess } from '../support/servers';
import { describeWithTool } from '../support/tools';

const listed = (exporter: string) => CATALOGUES.find((c) => c.exporter === exporter)!.list.metrics;

/** Series names of a Prometheus text exposition. */
function seriesNames(text: string): Set<string> {
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
}

async function scrape(url: string, ready: (names: Set<string>) => boolean): Promise<Set<string>> {
  return until(`metrics at ${url}`, async () => {
    try {
      const names = seriesNames(await (await fetch(url)).text());
      return ready(names) ? names : undefined;
    } catch {
      return undefined;
    }
  });
}

const started: Server[] = [];
afterAll(async () => {
  for (const s of started) await stopProcess(s.process);
});

describeWithTool('etcd', 'a real etcd', (bin) => {
  // A single member has no peers: these count peer traffic and appear with a second member.
  const NEEDS_PEERS = ['etcd_network_peer_received_failures_total', 'etcd_network_peer_round_trip_time_seconds_bucket', 'etcd_network_peer_round_trip_time_seconds_count', 'etcd_network_peer_round_trip_time_seconds_sum', 'etcd_network_peer_sent_failures_total'];

  test('serves every series its catalogue lists', async () => {
    const dir = tempDir('gitplane-etcd-metrics-');
    const { servers, ports: [, , metrics] } = await startOnFreePorts(
      dir,
      3,
      ([client, peer, metrics]) => [
        {
          name: 'etcd',
          bin,
          args: [
            `--data-dir=${path.join(dir, 'data')}`,
            `--listen-client-urls=http://127.0.0.1:${client}`,
            `--advertise-client-urls=http://127.0.0.1:${client}`,
            `--listen-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-cluster=default=http://127.0.0.1:${peer}`,
            `--listen-metrics-urls=http://127.0.0.1:${metrics}`,
          ],
        },
      ],
      // Ready once it takes a write, through the gRPC gateway, so the apply and gRPC server series have samples.
      ([client]) => accepts(`http://127.0.0.1:${client}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: btoa('gitplane-test'), value: btoa('1') }) }),
    );
    started.push(...servers);
    const names = await scrape(`http://127.0.0.1:${metrics}/metrics`, (n) => n.has('etcd_cluster_version') && n.has('grpc_server_handled_total') && n.has('etcd_server_apply_duration_seconds_bucket'));
    expect(listed('etcd').filter((m) => !names.has(m) && !NEEDS_PEERS.includes(m))).toEqual([]);
  });
});

describeWithTool('otelcol-gitplane', 'a real OpenTelemetry Collector with the platform\'s telemetry settings', (bin) => {
  /** Series that need data of another signal, a failing or full exporter, or a processor this minimal pipeline does not run. */
  const NEEDS_MORE = /(log_records|metric_points)|send_failed|enqueue_failed|sent_spans|exporter_queue_batch|tail_sampling|processor_(incoming|outgoing)_items|^otelcol_processor_batch_batch_send_size_(bucket|sum|count)$/;

  test('serves every series its catalogue lists, with the names Prometheus conventions give them', async () => {
    const dir = tempDir('gitplane-otelcol-metrics-');
    const gateway = parse(built('prod').output.configs.get('otel-gateway')!.content);
    const reader = gateway.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
    const config = (otlp: number, telemetry: number) => ({
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
      processors: { batch: {} },
      exporters: { debug: { verbosity: 'basic' }, otlp_http: { endpoint: 'http://127.0.0.1:9', sending_queue: { enabled: true } } },
      service: {
        telemetry: { ...gateway.service.telemetry, metrics: { ...gateway.service.telemetry.metrics, readers: [{ pull: { exporter: { prometheus: { ...reader, host: '127.0.0.1', port: telemetry } } } }] } },
        pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['debug', 'otlp_http'] } },
      },
    });
    const file = path.join(dir, 'config.yaml');
    const span = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'gitplane-test', startTimeUnixNano: '1', endTimeUnixNano: '2', kind: 1 };
    const { servers, ports: [, telemetry] } = await startOnFreePorts(
      dir,
      2,
      ([otlp, telemetry]) => {
        fs.writeFileSync(file, stringify(config(otlp, telemetry)));
        return [{ name: 'otelcol', bin, args: [`--config=${file}`] }];
      },
      // Ready once it accepts a span.
      ([otlp]) => accepts(`http://127.0.0.1:${otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ spans: [span] }] }] }) }),
    );
    started.push(...servers);
    const names = await scrape(`http://127.0.0.1:${telemetry}/metrics`, (n) => ['otelcol_receiver_accepted_spans', 'otelcol_processor_batch_timeout_trigger_send'].every((p) => [...n].some((x) => x.startsWith(p))));
    expect(listed('otel-collector').filter((m) => !names.has(m) && !NEEDS_MORE.test(m))).toEqual([]);
    // What the collector serves under its own prefix is in the catalogue (the catalogue is not short of a name the alerts might need).
    expect([...names].filter((n) => n.startsWith('otelcol_') && !listed('otel-collector').includes(n))).toEqual([]);
  });
});

describeWithTool('nats-server', 'a real nats-server behind the NATS exporter', (bin) => {
  /** The exporter's gauge names for an endpoint's JSON: numeric fields, nested objects joined with `_`; `start` is a time it also exports. */
  function exporterNames(endpoint: string, json: Record<string, unknown>, path: string[] = []): string[] {
    return Object.entries(json).flatMap(([k, v]) => {
      if (typeof v === 'number' || (k === 'start' && path.length === 0)) return [`gnatsd_${endpoint}_${[...path, k].join('_').replace(/\//g, '_')}`];
      return v && typeof v === 'object' && !Array.isArray(v) ? exporterNames(endpoint, v as Record<string, unknown>, [...path, k]) : [];
    });
  }

  test('serves a numeric field for every gnatsd_varz, gnatsd_subsz and gnatsd_routez series the catalogue lists', async () => {
    const dir = tempDir('gitplane-nats-metrics-');
    const { servers, ports: [, monitor] } = await startOnFreePorts(
      dir,
      2,
      ([client, monitor]) => [{ name: 'nats-server', bin, args: ['-a', '127.0.0.1', '-p', String(client), '-m', String(monitor), '-js', '-sd', path.join(dir, 'js')] }],
      ([, monitor]) => accepts(`http://127.0.0.1:${monitor}/healthz`),
    );
    started.push(...servers);
    const served = new Set<string>();
    for (const endpoint of ['varz', 'subsz', 'routez']) {
      const json = await until(`/${endpoint}`, async () => {
        try {
          return (await (await fetch(`http://127.0.0.1:${monitor}/${endpoint}`)).json()) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      });
      for (const name of exporterNames(endpoint, json)) served.add(name);
    }
    const listedHere = listed('nats-exporter').filter((m) => /^gnatsd_(varz|subsz|routez)_/.test(m));
    expect(listedHere.length).toBeGreaterThan(20);
    expect(listedHere.filter((m) => !served.has(m))).toEqual([]);
  });
});

