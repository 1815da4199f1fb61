import { Construct } from 'constructs';
import { ApplicationSet } from '../../../imports/argoproj.io';
import { AppLabels, standardLabels } from '../../core/labels';
import { ApplicationSpecProps, applicationSpec } from './application-spec';

export interface FleetApplicationSetProps extends Omit<ApplicationSpecProps, 'server'> {
  /** ApplicationSet name; each generated Application is named `<name>-<cluster>`. */
  readonly name: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave of the ApplicationSet inside the root app-of-apps. */
  readonly wave: number;
  /** Labels a registered Argo CD cluster must carry to receive the Application: they alone select the clusters. */
  readonly clusterLabels: Record<string, string>;
  /** Label key naming the cluster, copied onto each generated Application. */
  readonly clusterNameLabel: string;
  readonly labels: AppLabels;
}

/**
 * An ApplicationSet that stamps one Application per cluster of a fleet from one template, using
 * the cluster generator with a label selector: a cluster is added by registering it in Argo CD
 * with the labels, never by copying manifests or listing it here, so the ApplicationSet stays the
 * same however many clusters join.
 *
 * Go templates with `missingkey=error`, so a typo in a parameter fails instead of rendering
 * an empty string. Unregistering a cluster keeps its workloads running
 * (`preserveResourcesOnDeletion`): a site is decommissioned deliberately, not by an edit.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Cluster/
 */
export class FleetApplicationSet extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: FleetApplicationSetProps) {
    super(scope, id);
    this.name = props.name;
    const labels = standardLabels(props.labels);
    new ApplicationSet(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels,
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.wave) },
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            clusters: {
              selector: { matchLabels: props.clusterLabels },
            },
          },
        ],
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: `${props.name}-{{.name}}`,
            labels: { ...labels, [props.clusterNameLabel]: '{{.name}}' },
            annotations: { 'argocd.argoproj.io/sync-wave': String(props.wave) },
          },
          spec: applicationSpec({ ...props, server: '{{.server}}' }),
        },
      },
    });
  }
}
