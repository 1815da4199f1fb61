import { docsUrl } from '../lib/docs-url';
import { parseEmbedded } from '../lib/embedded';
import { EnvironmentRule, RuleFinding } from '../types';

/** Receiver fields of Alertmanager whose notifications reach a person. */
const HUMAN_CONFIGS = ['slack_configs', 'pagerduty_configs', 'email_configs', 'opsgenie_configs', 'msteams_configs', 'telegram_configs', 'pushover_configs', 'victorops_configs', 'discord_configs', 'wechat_configs'];

interface Route {
  receiver?: string;
  matchers?: string[];
  routes?: Route[];
}
interface AlertmanagerYaml {
  route?: Route;
  receivers?: Record<string, unknown>[];
}

export const rule: EnvironmentRule = {
  id: 'watchdog-dead-mans-switch',
  scope: 'environment',
  severity: 'warning',
  pack: 'observability',
  description: 'The always-firing Watchdog alert reaches a dead man\'s switch (a webhook receiver) and never a receiver that notifies people.',
  rationale:
    'The Watchdog proves the alerting pipeline works end to end only if something notices when it stops; sent to people it notifies them every minute and teaches them to ignore the channel, and dropped it proves nothing.',
  remediation: 'Add a webhook receiver of a dead man\'s switch service to alerting.receivers and name it in alerting.routes.watchdog.',
  docsUrl: docsUrl('watchdog-dead-mans-switch'),
  kinds: [],
  check(ctx) {
    const configs = [...ctx.files].flatMap(([file, content]) => (file.startsWith('values/') ? alertmanagerConfigOf(file, content) : []));
    if (configs.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { file, config } of configs) {
      const receiverName = watchdogReceiver(config.route);
      const receiver = (config.receivers ?? []).find((r) => r.name === receiverName);
      const human = receiver ? HUMAN_CONFIGS.filter((k) => Array.isArray(receiver[k]) && (receiver[k] as unknown[]).length > 0) : [];
      if (human.length > 0) {
        findings.push({
          message: `the Watchdog alert is routed to receiver "${receiverName}" (${human.join(', ')}) in ${file}, which notifies people every minute.`,
          value: String(receiverName),
          fix: 'Route the Watchdog to a webhook receiver of a dead man\'s switch service (alerting.routes.watchdog), never to a chat, pager or mail receiver.',
        });
      } else if (!receiver || !Array.isArray(receiver.webhook_configs) || receiver.webhook_configs.length === 0) {
        findings.push({
          message: `the Watchdog alert is dropped (receiver "${receiverName ?? 'none'}" in ${file} sends nothing): nobody learns when alerting itself stops working.`,
          value: String(receiverName ?? '(none)'),
        });
      }
    }
    return findings;
  },
};

function alertmanagerConfigOf(file: string, content: string): { file: string; config: AlertmanagerYaml }[] {
  const values = parseEmbedded(content) as { alertmanager?: { config?: AlertmanagerYaml } } | null;
  const config = values?.alertmanager?.config;
  return config && typeof config === 'object' ? [{ file, config }] : [];
}

/** The receiver Alertmanager picks for `alertname="Watchdog"`: the first matching child route, depth first, else the parent's. */
function watchdogReceiver(route: Route | undefined, inherited?: string): string | undefined {
  if (!route) return inherited;
  const receiver = route.receiver ?? inherited;
  for (const child of route.routes ?? []) {
    const matchers = child.matchers ?? [];
    if (matchers.length > 0 && matchers.every((m) => /^alertname\s*=\s*"?Watchdog"?$/.test(m))) return watchdogReceiver(child, receiver);
  }
  return receiver;
}
