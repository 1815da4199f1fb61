import { parse } from 'yaml';
import { toYaml } from '../../../stacks/synth';
import { built } from '../../support/environments';
import { check, env } from '../support';

const VALUES = 'values/observability-prometheus.yaml';
const valuesOf = (name: string) => parse(built(name).output.files.get(VALUES)!);
const withValues = (values: unknown) => env([], { files: { [VALUES]: toYaml(values) } });

describe('watchdog-dead-mans-switch', () => {
  test('passes prod, whose Watchdog goes to the dead man\'s switch webhook (must-not-fire)', () => {
    expect(check('watchdog-dead-mans-switch', withValues(valuesOf('prod')))).toEqual([]);
  });

  test('is not applicable without an Alertmanager configuration', () => {
    expect(check('watchdog-dead-mans-switch', env([], { files: { 'values/longhorn.yaml': 'persistence: {}\n' } }))).toEqual([]);
  });

  test('fails when the Watchdog is dropped, as in staging, which has no dead man\'s switch', () => {
    const [finding] = check('watchdog-dead-mans-switch', withValues(valuesOf('staging')));
    expect(finding.message).toBe(`the Watchdog alert is dropped (receiver "unrouted" in ${VALUES} sends nothing): nobody learns when alerting itself stops working.`);
    expect(finding.level).toBe('mandatory'); // the corpus spec is prod's: production makes every finding mandatory
  });

  test('fails when the Watchdog goes to a receiver that notifies people', () => {
    const values = valuesOf('prod');
    const watchdog = values.alertmanager.config.route.routes.find((r: { matchers: string[] }) => r.matchers.includes('alertname="Watchdog"'));
    watchdog.receiver = 'slack';
    const [finding] = check('watchdog-dead-mans-switch', withValues(values));
    expect(finding.message).toBe(`the Watchdog alert is routed to receiver "slack" (slack_configs) in ${VALUES}, which notifies people every minute.`);
  });
});
