import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, standardLabels } from '../../core/labels';

export interface SyncSettings {
  /** Sync automatically on every commit; false means a person presses sync. */
  readonly automated: boolean;
  /** Delete objects that left Git. */
  readonly prune: boolean;
  /** Revert changes made in the cluster by hand. */
  readonly selfHeal: boolean;
}

export interface PlatformApplicationProps {
  /** Application name, unique across environments, e.g. `prod-nats`. */
  readonly name: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** AppProject the Application belongs to. */
  readonly project: string;
  /** Git repository Argo CD reads. */
  readonly repoURL: string;
  /** Branch or tag. */
  readonly targetRevision: string;
  /** Folder in the repository. */
  readonly path: string;
  /** Destination cluster API server. */
  readonly server: string;
  /** Default namespace of the Application's objects. */
  readonly namespace: string;
  /** Sync wave of the Application inside its parent. */
  readonly wave: number;
  readonly sync: SyncSettings;
  readonly labels: AppLabels;
}

/**
 * An Argo CD Application for one folder of synthesized manifests, with gitplane's sync policy:
 * retry with backoff, no namespace creation (gitplane creates namespaces itself), server-side
 * apply, and the cascade-delete finalizer.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
export class PlatformApplication extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformApplicationProps) {
    super(scope, id);
    this.name = props.name;
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels: standardLabels(props.labels),
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.wave) },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project,
        source: { repoURL: props.repoURL, targetRevision: props.targetRevision, path: props.path },
        destination: { server: props.server, namespace: props.namespace },
        syncPolicy: {
          ...(props.sync.automated ? { automated: { prune: props.sync.prune, selfHeal: props.sync.selfHeal } } : {}),
          syncOptions: ['CreateNamespace=false', 'ServerSideApply=true', 'PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        },
      },
    });
  }
}
