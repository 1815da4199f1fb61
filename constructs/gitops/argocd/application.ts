import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, standardLabels } from '../../core/labels';
import { ApplicationSpecProps, applicationSpec } from './application-spec';

export interface PlatformApplicationProps extends ApplicationSpecProps {
  /** Application name, unique across environments, e.g. `prod-nats`. */
  readonly name: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave of the Application inside its parent. */
  readonly wave: number;
  readonly labels: AppLabels;
}

/**
 * An Argo CD Application for one folder of synthesized manifests (and optionally a pinned Helm
 * chart), with gitplane's sync policy: retry with backoff, no namespace creation (gitplane
 * creates namespaces itself), server-side apply, and the cascade-delete finalizer.
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
        // Argo CD's cascade-delete finalizer by its qualified name (foreground deletion, as the bare
        // name means): the API server warns on a finalizer name without a path.
        finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
      },
      spec: applicationSpec(props),
    });
  }
}
