/**
 * The monitoring watching itself, run for real: a Prometheus on loopback scrapes itself and an
 * Alertmanager, evaluates the synthesized gitplane-monitoring rules, and serves every metric
 * they query, so the alerts watch series that exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { tempDir } from '../support/cli';
import { built } from '../support/environments';
import { accepts, until } from '../support/loopback';
import { Server, startOnFreePorts, stopProcess } from '../support/servers';
import { findTool } from '../support/tools';
import { CATALOGUES } from '../../policies/data/metrics';
import { metricRefs } from '../../constructs/observability/alerts';

const prometheusBin = findTool('prometheus');
const alertmanagerBin = findTool('alertmanager') ?? findTool('prometheus-alertmanager');
const GROUP = 'gitplane-monitoring';

const group = () => (parse(built('prod').output.configs.get('prometheus-rules')!.content).groups as { name: string; rules: { alert: string; expr: string }[] }[]).find((g) => g.name === GROUP)!;

/** The metric names an expression selects. */
const metricsOf = (expr: string) => metricRefs(expr).flatMap((r) => ('name' in r ? [r.name] : []));

test('the metric names of the meta-monitoring alerts are found in their expressions', () => {
  expect([...new Set(group().rules.flatMap((r) => metricsOf(r.expr)))].sort()).toEqual([
    'alertmanager_config_last_reload_successful',
    'alertmanager_notifications_failed_total',
    'prometheus_config_last_reload_successful',
    'prometheus_rule_evaluation_failures_total',
    'prometheus_rule_group_interval_seconds',
    'prometheus_rule_group_last_duration_seconds',
    'up',
  ]);
});

const tools = prometheusBin && alertmanagerBin;
(tools ? describe : process.env.GITPLANE_REQUIRE_TOOLS === '1' ? describe : describe.skip)('a real Prometheus evaluating gitplane-monitoring', () => {
  const servers: Server[] = [];
  let api: string;
  let metricsUrls: Record<'prometheus' | 'alertmanager', string>;

  beforeAll(async () => {
    if (!tools) throw new Error('prometheus and alertmanager are not installed; apt-get install prometheus prometheus-alertmanager.');
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), stringify({ route: { receiver: 'unrouted' }, receivers: [{ name: 'unrouted' }] }));
    fs.writeFileSync(path.join(dir, 'rules.yml'), stringify({ groups: [{ ...group(), interval: '1s' }] }));
    const prometheusConfig = (promPort: number, amPort: number) =>
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        // Remote write to itself, so the remote-storage series of the metric catalogue exist. On
        // SIGTERM, Prometheus stops serving and then waits to flush the queue to itself until
        // --storage.remote.flush-deadline (a minute by default): 1 s here, or every run of this file
        // waited 30 s for stopProcess's SIGKILL.
        remote_write: [{ url: `http://127.0.0.1:${promPort}/api/v1/write` }],
        scrape_configs: [
          { job_name: 'kps-prometheus', static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
          { job_name: 'kps-alertmanager', static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] },
        ],
      });
    const started = await startOnFreePorts(
      dir,
      3,
      ([promPort, amPort, gossipPort]) => {
        fs.writeFileSync(path.join(dir, 'prometheus.yml'), prometheusConfig(promPort, amPort));
        return [
          { name: 'alertmanager', bin: alertmanagerBin!, args: [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, `--cluster.listen-address=127.0.0.1:${gossipPort}`] },
          { name: 'prometheus', bin: prometheusBin!, args: [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--web.enable-remote-write-receiver', '--storage.remote.flush-deadline=1s'] },
        ];
      },
      async ([promPort, amPort]) => (await accepts(`http://127.0.0.1:${amPort}/-/ready`)) && accepts(`http://127.0.0.1:${promPort}/-/ready`),
    );
    servers.push(...started.servers);
    const [promPort, amPort] = started.ports;
    api = `http://127.0.0.1:${promPort}/api/v1`;
    metricsUrls = { prometheus: `http://127.0.0.1:${promPort}/metrics`, alertmanager: `http://127.0.0.1:${amPort}/metrics` };
    await until('both targets to be scraped and the group evaluated', async () => {
      const r = await query('count(up == 1) == 2 and on() count(prometheus_rule_group_last_duration_seconds{rule_group=~".*;gitplane-monitoring"}) > 0 and on() count(alertmanager_config_last_reload_successful) > 0');
      return r && r.length > 0 ? true : undefined;
    });
  });

  afterAll(async () => {
    for (const s of servers) await stopProcess(s.process);
  });

  async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[] | undefined> {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (!res?.ok) return undefined;
    return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  }

  test('the group loads and evaluates without failures', async () => {
    const failures = await query(`prometheus_rule_evaluation_failures_total{rule_group=~".*;${GROUP}"}`);
    expect(failures).toEqual([expect.objectContaining({ value: [expect.any(Number), '0'] })]);
  });

  test.each(group().rules.flatMap((r) => [...new Set(metricsOf(r.expr))].map((m) => [m, r.alert] as const)))('%s, which %s queries, is served', async (metric) => {
    const found = await query(`count({__name__="${metric}"})`);
    expect(Number(found?.[0]?.value[1] ?? 0)).toBeGreaterThan(0);
  });

  // The Debian builds (2.42, 0.25) against lists read for 3.14 and 0.34: the names are real, though this cannot show none was renamed since.
  test.each(['prometheus', 'alertmanager'] as const)('%s serves every series its metric catalogue lists', async (exporter) => {
    const listed = CATALOGUES.find((c) => c.exporter === exporter)!.list.metrics;
    // An API request, so Alertmanager's HTTP request histogram has a sample.
    await fetch(`${metricsUrls.alertmanager.replace(/metrics$/, 'api/v2/status')}`);
    // Some series appear after the first rule evaluations and notifications; wait for them, then show what is still absent.
    let absent: string[] = [];
    await until(`every ${exporter} series`, async () => {
      const text = await (await fetch(metricsUrls[exporter])).text();
      const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
      absent = listed.filter((m) => !names.has(m));
      return absent.length === 0 ? true : undefined;
    }).catch(() => undefined);
    expect(absent).toEqual([]);
  });

  test('fails when a metric is misspelt: a name nothing serves returns no series', async () => {
    expect(await query('count({__name__="alertmanager_notification_failed_total"})')).toEqual([]);
  });
});
