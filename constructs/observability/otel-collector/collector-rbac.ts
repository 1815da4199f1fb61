import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, standardLabels } from '../../core/labels';

export interface CollectorRbacProps {
  /** Name of the ServiceAccount, ClusterRole and ClusterRoleBinding. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: AppLabels;
  readonly annotations?: Record<string, string>;
}

/**
 * The ServiceAccount of the agent and the read-only cluster access `k8s_attributes` (pod,
 * namespace, node and owner metadata) and `kubeletstats` (the kubelet's stats API) need.
 *
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/processor/k8sattributesprocessor#role-based-access-control
 */
export class CollectorRbac extends Construct {
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: CollectorRbacProps) {
    super(scope, id);
    this.serviceAccountName = props.name;
    const metadata = { name: props.name, labels: standardLabels(props.labels), annotations: unlessEmpty(props.annotations) };
    const read = ['get', 'list', 'watch'];
    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: true });
    new ApiObject(this, 'ClusterRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata,
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: read },
        { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: read },
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: read },
        { apiGroups: [''], resources: ['nodes/stats', 'nodes/proxy'], verbs: ['get'] },
      ],
    });
    new ApiObject(this, 'ClusterRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.name, namespace: props.namespace }],
    });
  }
}
