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

export interface RunbookHeader {
  readonly alert: string;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
  /** The owning team (the alert's `team` label). */
  readonly team: string;
  /** The receivers Alertmanager notifies, in route order; empty when no route takes the alert. */
  readonly notifies: readonly string[];
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

/** The Markdown of a runbook. */
export function renderRunbook(header: RunbookHeader, runbook: InlineRunbook): string {
  const lines = [
    `# ${header.alert}`,
    '',
    `Severity: **${header.severity}**. ${header.summary}`,
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
    `The alert says: ${header.description.trim()}`,
    '',
    'Queries to run (Prometheus or Grafana Explore):',
    '',
    ...runbook.diagnosis.queries.flatMap((q) => ['```promql', q.trim(), '```', '']),
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
