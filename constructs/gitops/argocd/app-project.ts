import { Construct } from 'constructs';
import { AppProject } from '../../../imports/argoproj.io';
import { AppLabels, standardLabels } from '../../core/labels';
import { byCodePoint } from '../../core/order';
import { CLUSTER_NAMESPACES_ANNOTATION } from './project-clusters';

export interface ProjectDestination {
  /** Cluster API server URL. */
  readonly server: string;
  readonly namespace: string;
}

export interface PlatformProjectProps {
  /** Project name, usually the environment name. */
  readonly name: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Repositories Applications of the project may read. */
  readonly sourceRepos: string[];
  /** Cluster and namespace pairs the project may deploy to. */
  readonly destinations: ProjectDestination[];
  /**
   * The namespaces each cluster registered to the project is limited to, for a fleet whose
   * clusters are project-scoped: Argo CD grants them on every such cluster, so the project stays
   * the same size however many clusters join. Written as the annotation
   * `gitplane.dev/cluster-namespaces`, which registration reads. @default - no project-scoped clusters
   */
  readonly clusterNamespaces?: string[];
  /** Cluster-scoped kinds the project may manage, one by one. */
  readonly clusterResources: { group: string; kind: string }[];
  readonly labels: AppLabels;
}

/**
 * An Argo CD AppProject with least privilege: named sources, named destinations (or, for clusters
 * registered to the project, named namespaces) and an explicit list of cluster-scoped kinds. A `*`
 * anywhere is refused: every grant is spelt out.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class PlatformProject extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformProjectProps) {
    super(scope, id);
    this.name = props.name;
    const clusterNamespaces = props.clusterNamespaces && [...new Set(props.clusterNamespaces)].sort(byCodePoint);
    const grants = [...props.sourceRepos, ...props.destinations.flatMap((d) => [d.server, d.namespace]), ...(clusterNamespaces ?? []), ...props.clusterResources.flatMap((r) => [r.group, r.kind])];
    const wildcard = grants.find((g) => g.includes('*'));
    if (wildcard !== undefined) throw new Error(`AppProject ${props.name}: "${wildcard}" is a wildcard; list every repository, destination and kind by name.`);
    const key = (d: ProjectDestination) => `${d.server} ${d.namespace}`;
    const destinations = [...new Map(props.destinations.map((d) => [key(d), { server: d.server, namespace: d.namespace }])).values()].sort((a, b) => byCodePoint(key(a), key(b)));
    new AppProject(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels: standardLabels(props.labels),
        ...(clusterNamespaces ? { annotations: { [CLUSTER_NAMESPACES_ANNOTATION]: clusterNamespaces.join(',') } } : {}),
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        description: `gitplane platform for the ${props.name} environment`,
        sourceRepos: [...new Set(props.sourceRepos)].sort(),
        destinations,
        clusterResourceWhitelist: [...props.clusterResources].sort((a, b) => byCodePoint(`${a.group}/${a.kind}`, `${b.group}/${b.kind}`)),
      },
    });
  }
}
