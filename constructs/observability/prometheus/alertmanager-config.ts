/**
 * The Alertmanager configuration gitplane generates from an environment's `alerting:` block:
 * routes by severity and team, the Watchdog on its own route, inhibit rules, and receivers whose
 * credentials are read from mounted secret files, never written into the config.
 *
 * The file must load in amtool 0.25 (Debian) and in the Alertmanager kube-prometheus-stack runs
 * (0.34), so only `*_file` fields both know are used; a webhook's secret is its bearer token
 * (`http_config.authorization.credentials_file`) because `url_file` arrived after 0.25.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/
 */

export type ReceiverType = 'pagerduty' | 'slack' | 'webhook' | 'email' | 'opsgenie';

export interface ReceiverProps {
  readonly name: string;
  readonly type: ReceiverType;
  /** Key of the credential inside the mounted receivers Secret. */
  readonly secretKey: string;
  /** Slack channel. */
  readonly channel?: string;
  /** E-mail recipient, sender and SMTP server (host:port). */
  readonly to?: string;
  readonly from?: string;
  readonly smarthost?: string;
  /** Webhook endpoint. */
  readonly url?: string;
}

export interface AlertRoutes {
  readonly critical?: string;
  readonly warning?: string;
  readonly watchdog?: string;
  /** `team` label value -> receiver. */
  readonly teams: Readonly<Record<string, string>>;
}

export interface AlertmanagerConfigProps {
  readonly receivers: readonly ReceiverProps[];
  readonly routes: AlertRoutes;
  readonly groupBy: readonly string[];
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  /** Directory the receivers Secret is mounted at, e.g. `/etc/alertmanager/secrets/alertmanager-receivers`. */
  readonly secretDir: string;
}

/** Receiver of alerts no route takes: they are dropped. */
export const UNROUTED_RECEIVER = 'unrouted';
export const WATCHDOG_ALERT = 'Watchdog';

/** The problems of the props, as sentences naming the `alerting.` field; empty when consistent. */
export function alertmanagerConfigProblems(props: AlertmanagerConfigProps): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [i, r] of props.receivers.entries()) {
    if (r.name === UNROUTED_RECEIVER) problems.push(`alerting.receivers[${i}].name "${UNROUTED_RECEIVER}" is reserved for dropped alerts. Choose another name.`);
    if (names.has(r.name)) problems.push(`alerting.receivers[${i}].name "${r.name}" is used twice. Give each receiver its own name.`);
    names.add(r.name);
    if (r.type === 'webhook' && !r.url) problems.push(`alerting.receivers[${i}] (${r.name}) is a webhook without url. Add url: https://...; the secret is sent as its bearer token.`);
    if (r.type === 'email' && !(r.to && r.from && r.smarthost)) problems.push(`alerting.receivers[${i}] (${r.name}) is an email receiver; it needs to, from and smarthost (host:port).`);
    if (r.type === 'slack' && !r.channel) problems.push(`alerting.receivers[${i}] (${r.name}) is a Slack receiver without channel. Add channel: "#alerts".`);
  }
  const known = [...names].join(', ') || 'none';
  const check = (field: string, receiver: string | undefined) => {
    if (receiver !== undefined && !names.has(receiver)) problems.push(`alerting.routes.${field} names receiver "${receiver}", which alerting.receivers does not define (known: ${known}). Add the receiver or fix the name.`);
  };
  check('critical', props.routes.critical);
  check('warning', props.routes.warning);
  check('watchdog', props.routes.watchdog);
  for (const [team, receiver] of Object.entries(props.routes.teams)) check(`teams.${team}`, receiver);
  return problems;
}

/** The alertmanager.yml content as an object; throws when the props are inconsistent. */
export function alertmanagerConfig(props: AlertmanagerConfigProps): Record<string, unknown> {
  const problems = alertmanagerConfigProblems(props);
  if (problems.length > 0) throw new Error(problems.join(' '));
  const file = (r: ReceiverProps) => `${props.secretDir.replace(/\/+$/, '')}/${r.secretKey}`;
  const route = (receiver: string, matchers: string[], extra: Record<string, unknown> = {}) => ({ receiver, matchers, ...extra });
  const routes = [
    // The dead man's switch: on its own route, never grouped with anything, repeated often so its
    // receiver notices silence quickly.
    route(props.routes.watchdog ?? UNROUTED_RECEIVER, [`alertname="${WATCHDOG_ALERT}"`], { group_by: ['alertname'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' }),
    ...Object.entries(props.routes.teams)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([team, receiver]) => route(receiver, [`team="${team}"`], { continue: true })),
    ...(props.routes.critical ? [route(props.routes.critical, ['severity="critical"'])] : []),
    ...(props.routes.warning ? [route(props.routes.warning, ['severity="warning"'])] : []),
  ];
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: UNROUTED_RECEIVER,
      group_by: [...props.groupBy],
      group_wait: props.groupWait,
      group_interval: props.groupInterval,
      repeat_interval: props.repeatInterval,
      routes,
    },
    inhibit_rules: [
      // A critical alert makes the warning of the same problem redundant.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace', 'instance'] },
      // A node that is down explains every other alert about that node.
      { source_matchers: ['alertname="NodeDown"'], target_matchers: ['alertname!="NodeDown"'], equal: ['node'] },
    ],
    receivers: [{ name: UNROUTED_RECEIVER }, ...props.receivers.map((r) => receiver(r, file(r)))],
    templates: [],
  };
}

function receiver(r: ReceiverProps, secretFile: string): Record<string, unknown> {
  switch (r.type) {
    case 'pagerduty':
      return { name: r.name, pagerduty_configs: [{ routing_key_file: secretFile, send_resolved: true }] };
    case 'slack':
      return { name: r.name, slack_configs: [{ api_url_file: secretFile, channel: r.channel, send_resolved: true }] };
    case 'opsgenie':
      return { name: r.name, opsgenie_configs: [{ api_key_file: secretFile, send_resolved: true }] };
    case 'email':
      return {
        name: r.name,
        email_configs: [{ to: r.to, from: r.from, smarthost: r.smarthost, auth_username: r.from, auth_password_file: secretFile, send_resolved: true }],
      };
    case 'webhook':
      return { name: r.name, webhook_configs: [{ url: r.url, http_config: { authorization: { type: 'Bearer', credentials_file: secretFile } }, send_resolved: true }] };
  }
}
