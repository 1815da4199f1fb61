import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { AppLabels, standardLabels } from '../../core/labels';
import { DATASOURCE_UIDS } from './dashboard-model';

export interface GrafanaDatasourcesProps {
  readonly labels: AppLabels;
  /** Base URL of Prometheus, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** Base URL of Loki's HTTP API. */
  readonly lokiUrl: string;
  /** Base URL of Tempo's HTTP API. */
  readonly tempoUrl: string;
}

/** File name of the provisioning file inside the ConfigMap. */
export const DATASOURCES_FILE = 'gitplane-datasources.yaml';

/**
 * Prometheus, Loki and Tempo as Grafana datasources with fixed UIDs, linked to each other:
 * exemplars and log trace ids open the trace in Tempo, a trace opens its logs and its span
 * metrics, and Tempo's service map reads Prometheus.
 *
 * Grafana expands environment variables in provisioning files, so every `$` that Grafana itself
 * must see (`${__value.raw}`, `$__tags`) is written `$$`.
 *
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources
 * @see https://grafana.com/docs/grafana/latest/datasources/tempo/configure-tempo-data-source/
 */
export class GrafanaDatasources extends Construct {
  public readonly configMapName = 'grafana-datasources';
  public readonly content: string;

  constructor(scope: Construct, id: string, props: GrafanaDatasourcesProps) {
    super(scope, id);
    const uid = DATASOURCE_UIDS;
    const shift = { spanStartTimeShift: '-5m', spanEndTimeShift: '5m' };
    const datasources = [
      {
        name: 'Prometheus',
        type: 'prometheus',
        uid: uid.prometheus,
        access: 'proxy',
        url: props.prometheusUrl,
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          timeInterval: '30s',
          // Tempo's metrics generator labels exemplars traceID; OTel SDK exemplars use trace_id.
          exemplarTraceIdDestinations: [
            { name: 'traceID', datasourceUid: uid.tempo },
            { name: 'trace_id', datasourceUid: uid.tempo },
          ],
        },
      },
      {
        name: 'Loki',
        type: 'loki',
        uid: uid.loki,
        access: 'proxy',
        url: props.lokiUrl,
        editable: false,
        jsonData: {
          maxLines: 1000,
          // OTLP logs carry the trace id as structured metadata, not in the line.
          derivedFields: [{ name: 'TraceID', matcherType: 'label', matcherRegex: 'trace_id', url: '$${__value.raw}', datasourceUid: uid.tempo, urlDisplayLabel: 'Open trace' }],
        },
      },
      {
        name: 'Tempo',
        type: 'tempo',
        uid: uid.tempo,
        access: 'proxy',
        url: props.tempoUrl,
        editable: false,
        jsonData: {
          tracesToLogsV2: {
            datasourceUid: uid.loki,
            ...shift,
            tags: [
              { key: 'service.name', value: 'service_name' },
              { key: 'k8s.namespace.name', value: 'k8s_namespace_name' },
            ],
            customQuery: true,
            query: '{$${__tags}} | trace_id="$${__trace.traceId}"',
          },
          tracesToMetrics: {
            datasourceUid: uid.prometheus,
            ...shift,
            tags: [{ key: 'service.name', value: 'service' }],
            queries: [
              { name: 'Request rate', query: 'sum(rate(traces_spanmetrics_calls_total{$$__tags}[5m]))' },
              { name: 'Error rate', query: 'sum(rate(traces_spanmetrics_calls_total{$$__tags, status_code="STATUS_CODE_ERROR"}[5m]))' },
              { name: 'Latency p95', query: 'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$$__tags}[5m])))' },
            ],
          },
          serviceMap: { datasourceUid: uid.prometheus },
          nodeGraph: { enabled: true },
          lokiSearch: { datasourceUid: uid.loki },
          streamingEnabled: { search: true },
        },
      },
    ];
    this.content = stringify({ apiVersion: 1, datasources }, { lineWidth: 0, aliasDuplicateObjects: false });
    new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.configMapName, labels: { ...standardLabels(props.labels), grafana_datasource: '1' } },
      data: { [DATASOURCES_FILE]: this.content },
    });
  }
}
