import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, standardLabels } from '../../core/labels';

export interface PlatformProjectProps {
  /** Project name, usually the environment name. */
  readonly name: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Repositories Applications of the project may read. */
  readonly sourceRepos: string[];
  /** Clusters (API server URLs) the project may deploy to. */
  readonly servers: string[];
  /** Namespaces the project may deploy to. */
  readonly namespaces: string[];
  /** Cluster-scoped kinds the project may manage, one by one. */
  readonly clusterResources: { group: string; kind: string }[];
  readonly labels: AppLabels;
}

/**
 * An Argo CD AppProject with least privilege: named sources, named destinations and an explicit
 * list of cluster-scoped kinds.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class PlatformProject extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformProjectProps) {
    super(scope, id);
    this.name = props.name;
    const destinations = props.servers.flatMap((server) => props.namespaces.map((namespace) => ({ server, namespace })));
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels: standardLabels(props.labels),
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        description: `gitplane platform for the ${props.name} environment`,
        sourceRepos: [...props.sourceRepos].sort(),
        destinations,
        clusterResourceWhitelist: props.clusterResources,
      },
    });
  }
}
