/**
 * Generates `promtool test rules` files from the test data kept beside each built-in alert, so
 * the unit tests exercise the synthesized rules, never hand-kept copies of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { AlertSet, BuiltinAlert, BuiltinRecord } from '../../constructs/observability/alerts';
import { HUNG_MS } from './limits';
import { TOOLS_BIN } from './tools';

/** Replaces `{{ $labels.name }}`; any other template action is refused, so expectations stay exact. */
export function expandLabels(template: string, labels: Record<string, string>): string {
  const out = template.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  if (out.includes('{{')) throw new Error(`template "${template}" uses more than {{ $labels.x }}; the test generator cannot expand it.`);
  return out;
}

function cases(alert: BuiltinAlert, annotations: Record<string, string>) {
  const labels = { ...alert.test.labels, ...alert.labels, severity: alert.severity };
  const expanded = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, expandLabels(v, labels)]));
  const interval = alert.test.interval ?? '1m';
  const notYet = alert.test.notYetAt ? [{ eval_time: alert.test.notYetAt, alertname: alert.name, exp_alerts: [] }] : [];
  const fire = {
    interval,
    input_series: alert.test.series,
    alert_rule_test: [...notYet, { eval_time: alert.test.firesAt, alertname: alert.name, exp_alerts: [{ exp_labels: labels, exp_annotations: expanded }] }],
  };
  const quiet = alert.test.quiet && {
    interval,
    input_series: alert.test.quiet.series ?? alert.test.series,
    alert_rule_test: [{ eval_time: alert.test.quiet.at, alertname: alert.name, exp_alerts: [] }],
  };
  return (quiet ? [fire, quiet] : [fire]).map((c) => ({ interval, c }));
}

/** The recorded series must hold exactly the samples the record's test data names, at its time. */
function recordCase(record: BuiltinRecord) {
  const selector = (labels: Record<string, string>) => `${record.record}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
  return {
    interval: '1m',
    c: {
      interval: '1m',
      input_series: record.test.series,
      promql_expr_test: [{ expr: record.record, eval_time: record.test.at, exp_samples: record.test.samples.map((s) => ({ labels: selector(s.labels), value: s.value })) }],
    },
  };
}

type Group = { name: string; rules: Record<string, unknown>[] };

/**
 * Writes `<dir>/<set>.rules.yml` (the synthesized group, after the recording groups it may read)
 * and one `<dir>/<set>.<interval>.test.yml` per test interval (the evaluation interval is per
 * file); returns the test files. `group` is the rule group as synthesized; its alerts' annotations
 * are the expectations. `recordGroups` are the environment's recording groups, evaluated with it.
 */
export function writeRuleTests(dir: string, set: AlertSet, group: Group, recordGroups: readonly Group[] = []): string[] {
  const rulesFile = path.join(dir, `${set.name}.rules.yml`);
  fs.writeFileSync(rulesFile, stringify({ groups: [...recordGroups.filter((g) => g.name !== group.name), group] }));
  const alertTests = set.alerts.flatMap((alert) => {
    const rule = group.rules.find((r) => r.alert === alert.name) as { annotations: Record<string, string> } | undefined;
    if (!rule) throw new Error(`alert ${alert.name} of ${set.name} is not in the synthesized group`);
    return cases(alert, rule.annotations);
  });
  const tests = [...alertTests, ...(set.records ?? []).map(recordCase)];
  return [...new Set(tests.map((t) => t.interval))].map((interval) => {
    const testFile = path.join(dir, `${set.name}.${interval}.test.yml`);
    const these = tests.filter((t) => t.interval === interval).map((t) => t.c);
    fs.writeFileSync(testFile, stringify({ rule_files: [path.basename(rulesFile)], evaluation_interval: interval, tests: these }));
    return testFile;
  });
}

/** Every promtool on this machine: the gitplane tools build (3.x) and the distribution's (2.42). */
export function promtools(): string[] {
  return [path.join(TOOLS_BIN, 'promtool'), '/usr/bin/promtool'].filter((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function run(bin: string, args: string[], cwd?: string) {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: HUNG_MS });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
