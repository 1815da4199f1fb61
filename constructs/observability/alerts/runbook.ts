/**
 * Inline runbooks: the page an on-call person opens from an alert, rendered to
 * `runbooks/<alert-slug>.md` in the order they need it: TL;DR first, then what to do in the
 * next five minutes, then impact, diagnosis and escalation.
 */

/** A runbook written beside its alert. Every section is required. */
export interface InlineRunbook {
  /** One or two sentences: what broke and the first thing to do. */
  readonly tldr: string;
  /** Steps that stop the bleeding in under five minutes, in order. */
  readonly mitigation: readonly string[];
  /** Who or what suffers while the alert fires. */
  readonly impact: string;
  /** How to find the cause: the PromQL queries to run, and optional further steps. */
  readonly diagnosis: { readonly queries: readonly string[]; readonly steps?: readonly string[] };
  /** Whom to call when mitigation did not help, and when. */
  readonly escalation: string;
}

/** `NodeDown` -> `node-down`, `EtcdDatabaseNearQuota` -> `etcd-database-near-quota`. */
export function alertSlug(alertName: string): string {
  return alertName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The problems of an inline runbook, as `runbook.<section> ...` sentences; empty when complete. */
export function runbookProblems(runbook: InlineRunbook): string[] {
  const problems: string[] = [];
  const blank = (s: string | undefined) => s === undefined || s.trim() === '';
  if (blank(runbook.tldr)) problems.push('runbook.tldr is empty; say in one or two sentences what broke and what to do first.');
  if (!runbook.mitigation?.length || runbook.mitigation.some(blank)) problems.push('runbook.mitigation needs at least one non-empty step that helps within five minutes.');
  if (blank(runbook.impact)) problems.push('runbook.impact is empty; say who or what suffers while the alert fires.');
  if (!runbook.diagnosis?.queries?.length || runbook.diagnosis.queries.some(blank)) problems.push('runbook.diagnosis.queries needs at least one PromQL query to run.');
  if (blank(runbook.escalation)) problems.push('runbook.escalation is empty; say whom to call and when.');
  return problems;
}

/** Grafana links for the person paged (see runbookLinks in constructs/observability/grafana). */
export interface RunbookLinks {
  /** What the links filter on, e.g. `environment prod, cluster prod-eu1, namespace nats`. */
  readonly filters: string;
  /** The dashboard panel that shows what the alert measures, when a dashboard has one. */
  readonly dashboard?: { readonly title: string; readonly url: string };
  /** Grafana Explore on the error logs (Loki). */
  readonly logs: string;
  /** Grafana Explore on the failed spans (Tempo). */
  readonly traces: string;
}

export interface RunbookHeader {
  readonly alert: string;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
  /** The owning team (the alert's `team` label). */
  readonly team: string;
  /** The receivers Alertmanager notifies, in route order; empty when no route takes the alert. */
  readonly notifies: readonly string[];
  /** Grafana links. @default - none (the environment names no Grafana URL) */
  readonly links?: RunbookLinks;
}

/** The links, as Markdown list lines after a sentence saying what they filter on. */
function linkLines(links: RunbookLinks): string[] {
  return [
    `Open in Grafana (filtered to ${links.filters}; narrow it further with the alert's own labels, such as namespace, pod or service):`,
    '',
    ...(links.dashboard ? [`- Dashboard panel: [${links.dashboard.title}](${links.dashboard.url})`] : []),
    `- Logs: [error logs in Loki](${links.logs})`,
    `- Traces: [failed spans in Tempo](${links.traces})`,
    '',
  ];
}

/** Who owns the alert and who is notified, from the environment's routing. */
function escalationPath(header: RunbookHeader): string {
  const receivers = [...new Set(header.notifies)].map((r) => `\`${r}\``);
  const notified =
    receivers.length > 0
      ? `Alertmanager notifies ${receivers.join(' and ')}.`
      : 'No route of this environment takes it (alerting.routes): it is shown only in Alertmanager and Grafana.';
  return `Owner: team **${header.team}** (label \`team="${header.team}"\`). ${notified}`;
}

/**
 * An annotation's template as a page that is read without the alert's labels: each action that
 * prints a label or the value becomes its name as a placeholder, `<pod>` or `<value>`, so the
 * reader sees which part of the notification to look at, not `{{ $labels.pod }}`.
 */
function placeholders(template: string): string {
  return template.replace(/\{\{-?\s*(?:\$labels\.([A-Za-z_][A-Za-z0-9_]*)|(\$value))\b[^}]*\}\}/g, (_, label: string | undefined) => `\`<${label ?? 'value'}>\``);
}

/** The Markdown of a runbook. */
export function renderRunbook(header: RunbookHeader, runbook: InlineRunbook): string {
  const said = placeholders(header.description.trim());
  const lines = [
    `# ${header.alert}`,
    '',
    `Severity: **${header.severity}**. ${placeholders(header.summary)}`,
    '',
    '## TL;DR',
    '',
    runbook.tldr.trim(),
    '',
    '## Mitigation (under five minutes)',
    '',
    ...runbook.mitigation.map((step, i) => `${i + 1}. ${step.trim()}`),
    '',
    '## Impact',
    '',
    runbook.impact.trim(),
    '',
    '## Diagnosis',
    '',
    `The alert says: ${said}${said === header.description.trim() ? '' : ' (The notification fills in each `<name>` from the alert\'s labels and value.)'}`,
    '',
    'Queries to run (Prometheus or Grafana Explore):',
    '',
    ...runbook.diagnosis.queries.flatMap((q) => ['```promql', q.trim(), '```', '']),
    ...(header.links ? linkLines(header.links) : []),
    ...(runbook.diagnosis.steps?.length ? [...runbook.diagnosis.steps.map((s) => `- ${s.trim()}`), ''] : []),
    '## Escalation',
    '',
    escalationPath(header),
    '',
    runbook.escalation.trim(),
    '',
  ];
  return lines.join('\n');
}
