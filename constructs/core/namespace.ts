import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from './collections';
import { AppLabels, standardLabels } from './labels';

export interface PlatformNamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /** Labels of the component that lives in it. */
  readonly app: AppLabels;
  /**
   * Pod Security Standard enforced on the namespace.
   * @default 'restricted'
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
   */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
  /** Extra annotations, such as a sync wave. */
  readonly annotations?: Record<string, string>;
}

/** A namespace for one platform component, labelled and with its Pod Security level enforced. */
export class PlatformNamespace extends Construct {
  public readonly name: string;
  public readonly podSecurity: 'restricted' | 'baseline' | 'privileged';

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.podSecurity = props.podSecurity ?? 'restricted';
    new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: props.name,
        labels: {
          ...standardLabels(props.app),
          'pod-security.kubernetes.io/enforce': this.podSecurity,
          'pod-security.kubernetes.io/warn': this.podSecurity,
        },
        annotations: unlessEmpty(props.annotations),
      },
    });
  }
}
