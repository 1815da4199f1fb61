import { Construct } from 'constructs';
import { ServiceMonitor as ServiceMonitorResource } from '../../../imports/monitoring.coreos.com';
import { AppLabels, selectorLabels, standardLabels } from '../../core/labels';

export interface ServiceMonitorProps {
  readonly name: string;
  /** Labels of the monitored application; the monitor selects its Services by name and instance. */
  readonly labels: AppLabels;
  /** Name of the Service port to scrape. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** Namespace of the monitored Services. @default - the namespace the application syncs to */
  readonly namespace?: string;
  /** @default '30s' */
  readonly interval?: string;
  /** Sync wave: the one where operator-served custom resources land. */
  readonly wave: number;
}

/** Label of headless Services; monitors skip them so each pod is scraped once, not once per Service. */
export const HEADLESS_LABEL = 'gitplane.dev/headless';

/**
 * A prometheus-operator ServiceMonitor for one application's Services. It skips the dry run, because its CRD comes from the kube-prometheus-stack
 * application and may not exist yet when Argo CD first diffs this one.
 *
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 */
export class ServiceMonitor extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    this.name = props.name;
    new ServiceMonitorResource(this, 'Resource', {
      metadata: {
        name: props.name,
        ...(props.namespace ? { namespace: props.namespace } : {}),
        labels: standardLabels(props.labels),
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.wave) },
      },
      spec: {
        selector: { matchLabels: selectorLabels(props.labels), matchExpressions: [{ key: HEADLESS_LABEL, operator: 'DoesNotExist' }] },
        endpoints: [{ port: props.port, path: props.path ?? '/metrics', interval: props.interval ?? '30s' }],
      },
    });
  }
}
