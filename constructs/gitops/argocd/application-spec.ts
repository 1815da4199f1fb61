/**
 * The `spec` every gitplane Application shares, whether it is written out as an Application or
 * as the template of an ApplicationSet.
 */
import { ApplicationSpec, ApplicationSpecIgnoreDifferences, ApplicationSpecSyncPolicyRetry } from '../../../imports/argoproj.io';

export interface SyncSettings {
  /** Sync automatically on every commit; false means a person presses sync. */
  readonly automated: boolean;
  /** Delete objects that left Git. */
  readonly prune: boolean;
  /** Revert changes made in the cluster by hand. */
  readonly selfHeal: boolean;
}

/** A pinned Helm chart installed by the Application, with its values file in the Git repository. */
export interface ChartSource {
  /** Chart repository URL. */
  readonly repoURL: string;
  readonly chart: string;
  /** Pinned chart version. */
  readonly version: string;
  readonly releaseName: string;
  /** Path of the values file from the Git repository's root. */
  readonly valuesPath: string;
  /**
   * Helm parameters set over the values file (`--set name=value`), such as a value templated
   * per cluster by an ApplicationSet. @default - none
   */
  readonly parameters?: readonly { readonly name: string; readonly value: string }[];
}

export interface ApplicationSpecProps {
  /** AppProject the Application belongs to. */
  readonly project: string;
  /** Git repository Argo CD reads. */
  readonly repoURL: string;
  /** Branch or tag. */
  readonly targetRevision: string;
  /** Folder of plain manifests in the repository. @default - none: the Application only installs `chart` */
  readonly path?: string;
  /** A pinned Helm chart the Application installs, its values read from the Git repository. @default - none */
  readonly chart?: ChartSource;
  /** Destination cluster API server (a Go template such as `{{.server}}` in an ApplicationSet). */
  readonly server: string;
  /** Default namespace of the Application's objects. */
  readonly namespace: string;
  readonly sync: SyncSettings;
}

/** Retry with exponential backoff: 10s, 20s, 40s, ... capped at 5 minutes, five attempts. */
export const RETRY: ApplicationSpecSyncPolicyRetry = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/**
 * Sync options of every Application: gitplane creates namespaces itself, server-side apply
 * because CRDs such as Prometheus's exceed the client-side annotation limit, prune after
 * everything else is applied, and ignored differences respected during sync as well.
 */
export const SYNC_OPTIONS = ['CreateNamespace=false', 'ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'] as const;

/**
 * Fields that controllers rewrite after apply; without these, self-heal and the diff fight them
 * forever. Webhook and conversion CA bundles are injected by cert controllers (external-secrets,
 * kube-prometheus-stack's admission webhooks); the API server fills defaults into StatefulSet
 * volume claim templates. A CRD's one path is a JSON pointer, not jq: Argo CD evaluates the
 * entries on every object of the kind at every comparison, CRDs are the largest objects it
 * compares, and a pointer is a JSON patch `remove` (a no-op where the path is missing) where a jq
 * expression decodes the whole object for gojq and encodes it again. The webhook configurations
 * need jq's `[]` over their list.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/
 */
export const IGNORE_DIFFERENCES: readonly ApplicationSpecIgnoreDifferences[] = [
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jsonPointers: ['/spec/conversion/webhook/clientConfig/caBundle'] },
  { group: 'apps', kind: 'StatefulSet', jqPathExpressions: ['.spec.volumeClaimTemplates[]?.apiVersion', '.spec.volumeClaimTemplates[]?.kind', '.spec.volumeClaimTemplates[]?.status'] },
];

/** The Application `spec`: one Git source, or a chart source plus the Git source as `$values`. */
export function applicationSpec(props: ApplicationSpecProps): ApplicationSpec {
  if (!props.path && !props.chart) throw new Error('an Application needs a path of manifests, a chart, or both');
  const git = { repoUrl: props.repoURL, targetRevision: props.targetRevision, ...(props.path ? { path: props.path } : {}) };
  const source = props.chart
    ? {
        sources: [
          {
            repoUrl: props.chart.repoURL,
            chart: props.chart.chart,
            targetRevision: props.chart.version,
            helm: {
              releaseName: props.chart.releaseName,
              valueFiles: [`$values/${props.chart.valuesPath}`],
              ...(props.chart.parameters?.length ? { parameters: props.chart.parameters.map((p) => ({ ...p })) } : {}),
            },
          },
          { ...git, ref: 'values' },
        ],
      }
    : { source: git };
  return {
    project: props.project,
    ...source,
    destination: { server: props.server, namespace: props.namespace },
    ignoreDifferences: [...IGNORE_DIFFERENCES],
    syncPolicy: {
      ...(props.sync.automated ? { automated: { prune: props.sync.prune, selfHeal: props.sync.selfHeal } } : {}),
      syncOptions: [...SYNC_OPTIONS],
      retry: RETRY,
    },
  };
}
