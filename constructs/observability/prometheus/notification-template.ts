/**
 * The notification templates every receiver uses, so that the person paged reads, in the
 * notification itself: what is wrong (summary, description), how bad (severity), where
 * (environment, cluster, site, namespace, instance), what to do (the runbook), where to look
 * (the on-call dashboard for those labels, the Prometheus graph) and how to silence it, with
 * every alert of the group listed.
 *
 * Written in Alertmanager's template language (Go text/template plus Alertmanager's functions),
 * using only what Alertmanager 0.25 and 0.34 both know.
 *
 * @see https://prometheus.io/docs/alerting/latest/notifications/
 */

/** Where kube-prometheus-stack mounts `alertmanager.templateFiles`, and the name of gitplane's file there. */
export const ALERTMANAGER_TEMPLATE_DIR = '/etc/alertmanager/config';
export const NOTIFICATION_TEMPLATE_FILE = 'gitplane.tmpl';

/** Names of the templates receivers reference. */
export const TEMPLATES = {
  /** One line: status, count, severity, alert name, cluster and environment. */
  title: 'gitplane.title',
  /** Every firing alert with its context and links, the resolved ones, and the silence link. */
  text: 'gitplane.text',
  /** The same as `text`, escaped for an HTML e-mail. */
  html: 'gitplane.html',
  /** The link that opens a new silence for the group's labels. */
  silence: 'gitplane.silence',
} as const;

export interface NotificationTemplateProps {
  /** Environment name, shown when an alert carries no `environment` label. */
  readonly environment: string;
  /**
   * Grafana's external URL; alerts link to the on-call dashboard there, filtered to their labels.
   * @default - no dashboard link, the Prometheus graph link only
   */
  readonly grafanaUrl?: string;
  /** UID of the dashboard alerts link to. */
  readonly dashboardUid: string;
}

/** `{{ template "name" . }}`, for receiver fields. */
export function useTemplate(name: string): string {
  return `{{ template "${name}" . }}`;
}

/** The content of gitplane.tmpl. */
export function notificationTemplate(props: NotificationTemplateProps): string {
  const env = JSON.stringify(props.environment);
  const dashboard = props.grafanaUrl
    ? `Dashboard: ${props.grafanaUrl.replace(/\/+$/, '')}/d/${props.dashboardUid}?from=now-1h&to=now` +
      '&var-environment={{ or .Labels.environment ' + env + ' | urlquery }}' +
      '{{ with .Labels.cluster }}&var-cluster={{ . | urlquery }}{{ end }}' +
      '{{ with .Labels.service }}&var-service={{ . | urlquery }}{{ end }}\n'
    : '';
  return `{{/* gitplane notification templates: every receiver shows the same context. */}}

{{ define "${TEMPLATES.title}" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ or .CommonLabels.severity "mixed" | toUpper }} {{ or .GroupLabels.alertname .CommonLabels.alertname "several alerts" }} in {{ or .CommonLabels.environment ${env} }}{{ with .CommonLabels.cluster }}/{{ . }}{{ end }}{{ with .CommonLabels.site }} ({{ . }}){{ end }}
{{- end }}

{{ define "gitplane.alert" -}}
{{ .Labels.severity | toUpper }}: {{ .Annotations.summary }}
{{ .Annotations.description }}
Where: environment {{ or .Labels.environment ${env} }}{{ with .Labels.cluster }}, cluster {{ . }}{{ end }}{{ with .Labels.site }}, site {{ . }}{{ end }}{{ with .Labels.namespace }}, namespace {{ . }}{{ end }}{{ with .Labels.node }}, node {{ . }}{{ end }}{{ with .Labels.instance }}, instance {{ . }}{{ end }}{{ with .Labels.team }}
Owner: team {{ . }}{{ end }}
Since: {{ .StartsAt.UTC.Format "2006-01-02 15:04:05 UTC" }}
Runbook: {{ or .Annotations.runbook_url "none (every gitplane alert has one: check the rule)" }}
${dashboard}Graph: {{ .GeneratorURL }}
{{- end }}

{{ define "${TEMPLATES.silence}" -}}
{{ .ExternalURL }}/#/silences/new?filter=%7B{{ range $i, $p := .GroupLabels.SortedPairs }}{{ if $i }}%2C{{ end }}{{ $p.Name | urlquery }}%3D%22{{ $p.Value | urlquery }}%22{{ end }}%7D
{{- end }}

{{ define "${TEMPLATES.text}" -}}
{{ range .Alerts.Firing }}{{ template "gitplane.alert" . }}

{{ end }}{{ if .Alerts.Resolved }}Resolved:
{{ range .Alerts.Resolved }}- {{ .Annotations.summary }}
{{ end }}
{{ end }}Silence: {{ template "${TEMPLATES.silence}" . }}
{{- end }}

{{ define "${TEMPLATES.html}" -}}
<pre>{{ template "${TEMPLATES.text}" . }}</pre>
{{- end }}
`;
}
