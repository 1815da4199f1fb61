/**
 * The Alertmanager configuration gitplane generates from an environment's `alerting:` block:
 * routes by severity (critical faster than warning) and team, the Watchdog on its own route to a
 * dead man's switch only, inhibit rules on the labels that identify the failing thing, receivers
 * whose credentials are read from mounted secret files (never written into the config), and
 * notifications rendered by gitplane's templates (notification-template.ts).
 *
 * The file must load in amtool 0.25 (Debian) and in the Alertmanager kube-prometheus-stack runs
 * (0.34), so only `*_file` fields both know are used; a webhook's secret is its bearer token
 * (`http_config.authorization.credentials_file`) because `url_file` arrived after 0.25.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/
 */

import { ALERTMANAGER_TEMPLATE_DIR, notificationTemplate, TEMPLATES, useTemplate } from './notification-template';
import { byCodePoint } from '../../core/order';

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
  /** Environment name, shown in notifications of alerts without an `environment` label. */
  readonly environment: string;
  /**
   * Grafana's external URL, for dashboard links in notifications.
   * @default - notifications link to the Prometheus graph only
   */
  readonly grafanaUrl?: string;
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

/**
 * Receiver types that reach a person. The always-firing Watchdog must never go to one: it would
 * notify every minute; it goes to a dead man's switch service, which takes a webhook.
 */
export const HUMAN_RECEIVER_TYPES: readonly ReceiverType[] = ['pagerduty', 'slack', 'email', 'opsgenie'];

/**
 * Critical alerts notify sooner and repeat more often than the root's (warning) timings: a page
 * within seconds of the rule firing, and again every hour while nobody has fixed or silenced it.
 */
export const CRITICAL_TIMINGS = { group_wait: '10s', group_interval: '1m', repeat_interval: '1h' } as const;

/**
 * Labels that identify the failing thing. A critical alert inhibits the warnings whose values of
 * all of these equal its own (a label missing on both sides counts as equal).
 */
export const INHIBIT_EQUAL = ['environment', 'cluster', 'namespace', 'service', 'instance'] as const;

/** The on-call dashboard notifications link to (constructs/observability/grafana). */
const ON_CALL_DASHBOARD_UID = 'gitplane-on-call';

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
  const watchdog = props.receivers.find((r) => r.name === props.routes.watchdog);
  if (watchdog && HUMAN_RECEIVER_TYPES.includes(watchdog.type)) {
    problems.push(
      `alerting.routes.watchdog names receiver "${watchdog.name}", a ${watchdog.type} receiver that reaches people; the Watchdog fires all the time and would notify them every minute. Point it at a webhook receiver of a dead man's switch service, or leave routes.watchdog out to drop it.`,
    );
  }
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
      .sort(([a], [b]) => byCodePoint(a, b))
      .map(([team, receiver]) => route(receiver, [`team="${team}"`], { continue: true })),
    ...(props.routes.critical ? [route(props.routes.critical, ['severity="critical"'], { ...CRITICAL_TIMINGS })] : []),
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
      // A critical alert makes the warnings about the same thing redundant.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [...INHIBIT_EQUAL] },
      // A node that is down explains every other alert about that node (of that cluster).
      { source_matchers: ['alertname="NodeDown"'], target_matchers: ['alertname!="NodeDown"'], equal: ['environment', 'cluster', 'node'] },
    ],
    receivers: [{ name: UNROUTED_RECEIVER }, ...props.receivers.map((r) => receiver(r, file(r)))],
    templates: [`${ALERTMANAGER_TEMPLATE_DIR}/*.tmpl`],
  };
}

/** The severity of the group in a form PagerDuty and Opsgenie know. */
const PAGERDUTY_SEVERITY = '{{ if eq .CommonLabels.severity "critical" }}critical{{ else if eq .CommonLabels.severity "warning" }}warning{{ else }}info{{ end }}';
const OPSGENIE_PRIORITY = '{{ if eq .CommonLabels.severity "critical" }}P1{{ else if eq .CommonLabels.severity "warning" }}P3{{ else }}P5{{ end }}';

/** Fields a paging service shows beside the description. */
const DETAILS = {
  environment: '{{ .CommonLabels.environment }}',
  cluster: '{{ .CommonLabels.cluster }}',
  severity: '{{ .CommonLabels.severity }}',
  runbook: '{{ .CommonAnnotations.runbook_url }}',
  firing: useTemplate(TEMPLATES.text),
  silence: useTemplate(TEMPLATES.silence),
};

function receiver(r: ReceiverProps, secretFile: string): Record<string, unknown> {
  const title = useTemplate(TEMPLATES.title);
  const text = useTemplate(TEMPLATES.text);
  switch (r.type) {
    case 'pagerduty':
      return { name: r.name, pagerduty_configs: [{ routing_key_file: secretFile, send_resolved: true, description: title, severity: PAGERDUTY_SEVERITY, details: DETAILS }] };
    case 'slack':
      return { name: r.name, slack_configs: [{ api_url_file: secretFile, channel: r.channel, send_resolved: true, title, text }] };
    case 'opsgenie':
      return { name: r.name, opsgenie_configs: [{ api_key_file: secretFile, send_resolved: true, message: title, description: text, priority: OPSGENIE_PRIORITY, details: DETAILS }] };
    case 'email':
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            auth_username: r.from,
            auth_password_file: secretFile,
            send_resolved: true,
            headers: { Subject: title },
            text,
            html: useTemplate(TEMPLATES.html),
          },
        ],
      };
    case 'webhook':
      // A webhook receives every alert as JSON, with all its labels and annotations.
      return { name: r.name, webhook_configs: [{ url: r.url, http_config: { authorization: { type: 'Bearer', credentials_file: secretFile } }, send_resolved: true }] };
  }
}

/** gitplane.tmpl for these props, mounted beside alertmanager.yml. */
export function alertmanagerTemplate(props: AlertmanagerConfigProps): string {
  return notificationTemplate({ environment: props.environment, grafanaUrl: props.grafanaUrl, dashboardUid: ON_CALL_DASHBOARD_UID });
}

/** A route of alertmanager.yml, as far as choosing receivers goes. */
interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly continue?: boolean;
  readonly routes?: readonly Route[];
}

/**
 * The receivers Alertmanager notifies of an alert with these labels under a configuration
 * alertmanagerConfig rendered, in route order, as `amtool config routes test` lists them: the
 * first matching child route of each route, and the ones after it while the matching routes say
 * `continue`; the route itself when no child matches (`unrouted` for a dropped alert). Only the `name="value"` and
 * `name!="value"` matchers gitplane writes are understood.
 */
export function notifiedReceivers(config: Record<string, unknown>, labels: Readonly<Record<string, string>>): string[] {
  const holds = (matcher: string) => {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(!?=)"((?:[^"\\]|\\.)*)"$/.exec(matcher);
    if (!m) throw new Error(`matcher ${matcher} is not of the form name="value" or name!="value"`);
    return ((labels[m[1]] ?? '') === JSON.parse(`"${m[3]}"`)) === (m[2] === '=');
  };
  const walk = (route: Route): string[] => {
    const found: string[] = [];
    for (const child of route.routes ?? []) {
      if (!(child.matchers ?? []).every(holds)) continue;
      found.push(...walk(child));
      if (!child.continue) break;
    }
    return found.length > 0 ? found : [route.receiver];
  };
  return walk(config.route as Route);
}
