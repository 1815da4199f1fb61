import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { alertSetsFor } from '../../stacks/apps/monitoring';
import { platformContext } from '../../stacks/platform';
import { tempDir } from '../support/cli';
import { ENVIRONMENTS, built } from '../support/environments';
import { promtools, run, writeRuleTests } from '../support/rule-tests';
import { describeWithTool } from '../support/tools';

type StaleRule = Record<string, unknown> & { expr: string; for: string };

const rulesOf = (env: string) => built(env).output.configs.get('prometheus-rules')!.content;

describeWithTool('promtool', 'Prometheus rules checked by promtool', () => {
  const bins = promtools();

  describe.each(bins)('%s', (bin) => {
    test.each(ENVIRONMENTS)('promtool check rules passes on every rule group of %s', (env) => {
      const dir = tempDir();
      const file = path.join(dir, 'rules.yml');
      fs.writeFileSync(file, rulesOf(env));
      const r = run(bin, ['check', 'rules', file]);
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    test('fails when an expression is not valid PromQL', () => {
      const dir = tempDir();
      const doc = parse(rulesOf('prod'));
      doc.groups[0].rules[0].expr = 'sum(rate(up[5m]) by';
      const file = path.join(dir, 'rules.yml');
      fs.writeFileSync(file, JSON.stringify(doc));
      const r = run(bin, ['check', 'rules', file]);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/parse error/);
    });

    // prod runs every component, so its sets hold every built-in alert and recording rule.
    const sets = alertSetsFor(platformContext(built('prod').spec));
    const groups = parse(rulesOf('prod')).groups as { name: string; rules: Record<string, unknown>[] }[];
    const recordGroups = groups.filter((g) => g.rules.some((r) => 'record' in r));
    test.each(sets.map((s) => [s.name, s] as const))('promtool test rules on %s: alerts fire when they should and stay silent otherwise, recorded series hold the expected samples', (_, set) => {
      const dir = tempDir();
      const group = groups.find((g) => g.name === set.name)!;
      for (const testFile of writeRuleTests(dir, set, group, recordGroups)) {
        const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
        expect(r.output).toContain('SUCCESS');
        expect(r.status).toBe(0);
      }
    });

    test('fails when an alert does not fire as its test data expects', () => {
      const dir = tempDir();
      const set = sets.find((s) => s.name === 'gitplane-nodes')!;
      const group = groups.find((g) => g.name === set.name)!;
      const broken = { ...group, rules: group.rules.map((r) => (r.alert === 'NodeDown' ? { ...r, expr: 'kube_node_status_condition{condition="Ready",status="true"} == 2' } : r)) };
      const [testFile] = writeRuleTests(dir, set, broken, recordGroups);
      const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
      expect(r.status).toBe(1);
      expect(r.output).toContain('NodeDown');
    });

    // The staleness alerts' test data start at the threshold, so a minute off either way breaks
    // one check: the one before the boundary (no alert expected, one got) or the one after it.
    const STALE = ['EtcdBackupTooOld', 'EtcdRestoreDrillTooOld', 'LonghornRestoreDrillTooOld'];
    const staleAlerts = sets.flatMap((s) => s.alerts).filter((a) => STALE.includes(a.name));
    const staleRules = groups.flatMap((g) => g.rules).filter((r) => STALE.includes(r.alert as string)) as StaleRule[];
    const inMinutes = (duration: string) => {
      const [, n, unit] = /^(\d+)([mh])$/.exec(duration)!;
      return Number(n) * (unit === 'h' ? 60 : 1);
    };
    const threshold = (delta: number) => (r: StaleRule) => ({ ...r, expr: r.expr.replace(/ > (\d+)$/, (_, n: string) => ` > ${Number(n) + delta}`) });
    const holdFor = (delta: number) => (r: StaleRule) => ({ ...r, for: `${inMinutes(r.for) + delta}m` });
    test.each([
      ['its threshold is a minute lower', 'not yet', threshold(-60)],
      ['its threshold is a minute higher', 'fires', threshold(60)],
      ['its `for` is a minute shorter', 'not yet', holdFor(-1)],
      ['its `for` is a minute longer', 'fires', holdFor(1)],
    ] as const)('fails when a staleness alert (backup, restore drills) fires a minute off because %s: its "%s" check', (_, check, change) => {
      expect(staleAlerts.map((a) => a.name).sort()).toEqual(STALE);
      const dir = tempDir();
      const rules = staleRules.map(change);
      const [testFile] = writeRuleTests(dir, { name: 'stale', component: 'test', alerts: staleAlerts }, { name: 'stale', rules });
      const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
      expect(r.status).toBe(1);
      const failures = r.output.split('FAILED:').slice(1);
      for (const name of STALE) {
        const failed = failures.filter((f) => f.includes(`alertname: ${name},`));
        expect(failed).toHaveLength(1);
        // promtool prints what the check expected (exp) and what the alert did (got).
        expect(failed[0]).toMatch(check === 'not yet' ? /exp:\[\],\s*got:\[\s*0:/ : /got:\[\]/);
      }
    });

    // ArgoCdAppOutOfSync's test data are out of sync from the first sample: its `for` is the boundary.
    test.each([
      ['shorter', 'not yet', holdFor(-1)],
      ['longer', 'fires', holdFor(1)],
    ] as const)('fails when ArgoCdAppOutOfSync holds a minute %s than its `for`: its "%s" check', (_, check, change) => {
      const alert = sets.flatMap((s) => s.alerts).find((a) => a.name === 'ArgoCdAppOutOfSync')!;
      const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === alert.name) as StaleRule;
      const dir = tempDir();
      const [testFile] = writeRuleTests(dir, { name: 'out-of-sync', component: 'test', alerts: [alert] }, { name: 'out-of-sync', rules: [change(rule)] });
      const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
      expect(r.status).toBe(1);
      const failed = r.output.split('FAILED:').slice(1);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatch(check === 'not yet' ? /exp:\[\],\s*got:\[\s*0:/ : /got:\[\]/);
    });

    test('fails when a recording rule records other values than its test data expects', () => {
      const dir = tempDir();
      const set = sets.find((s) => s.name === 'gitplane-records-level2')!;
      const group = groups.find((g) => g.name === set.name)!;
      // The error ratio upside down: calls per error.
      const broken = {
        ...group,
        rules: group.rules.map((r) => (r.record === 'service:traces_spanmetrics_server_errors:ratio_rate5m' ? { ...r, expr: 'service:traces_spanmetrics_server_calls:rate5m / service:traces_spanmetrics_server_errors:rate5m' } : r)),
      };
      const [testFile] = writeRuleTests(dir, set, broken, recordGroups);
      const r = run(bin, ['test', 'rules', path.basename(testFile)], dir);
      expect(r.status).toBe(1);
      expect(r.output).toContain('service:traces_spanmetrics_server_errors:ratio_rate5m');
    });
  });
});
