/**
 * The application descriptor: the one shape every Argo CD application of a platform has, whether
 * gitplane ships it (stacks/apps/) or the team writes it (apps/<name>/index.ts, registered in
 * gitplane.config.ts).
 *
 * A descriptor says what the application is (name, wave, namespace), what it needs from the rest
 * of the platform (CRDs, cluster-scoped kinds, scrape targets, alerts, dashboards, Services others
 * reach) and how to build its objects. Every per-application table gitplane used to keep by hand
 * (namespaces, AppProject grants, CRD owners, alert and dashboard wiring, waves) is derived from
 * the descriptors; see docs/decisions.md.
 */
import { TSchema } from '@sinclair/typebox';
import { Chart } from 'cdk8s';
import { EnvironmentSpec } from '../environments/schema';
import { AppLabels, IngressPeer } from '../constructs/core';
import { AlertSet } from '../constructs/observability/alerts';
import { DashboardSpec } from '../constructs/observability/grafana';
import { Versions } from './versions';

/** Pod Security Standard a namespace enforces. @see https://kubernetes.io/docs/concepts/security/pod-security-standards/ */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** A Kubernetes kind by API group (`''` for the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** A Service by name, namespace and port. */
export interface ServiceAddress {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
}

/** An API group whose CRDs an application installs and whose operator it runs. */
export interface CustomResourceGroup {
  readonly group: string;
  /**
   * Kinds of the group that are cluster-scoped, so the AppProject must grant them by name.
   * @default - none
   */
  readonly clusterScopedKinds?: readonly string[];
}

/** Services of the application Prometheus scrapes, through a ServiceMonitor gitplane adds. */
export interface ScrapeTarget {
  /** Name of the ServiceMonitor. */
  readonly name: string;
  /** Labels of the scraped Services (selected by name and instance). */
  readonly labels: AppLabels;
  /** Name of the Service port that serves metrics. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /**
   * Namespace of the scraped Services, where the ServiceMonitor goes; the AppProject must grant it.
   * @default - the application's namespace
   */
  readonly namespace?: string;
}

/** A Helm chart an application installs, with the values gitplane generates for it. */
export interface HelmRelease {
  /** Key of the chart in environments/versions.yaml. */
  readonly chart: string;
  /** Release name; also used for `fullnameOverride` so object names are stable. */
  readonly releaseName: string;
  readonly values: Record<string, unknown>;
  /**
   * Dotted paths of values under which the chart accepts any key although its defaults list
   * only some (argo-cd's `configs.cm`, say); below them keys are not checked against the defaults.
   * @default - every key is checked
   */
  readonly openKeys?: readonly string[];
  /**
   * Dotted paths of values that hold the name of the cluster the release runs on, such as
   * Prometheus's `externalLabels.cluster`. In a fleet every cluster shares the values file, so
   * the ApplicationSet sets each path as a Helm parameter to the cluster generator's cluster name.
   * @default - none
   */
  readonly clusterNameValues?: readonly string[];
  /**
   * Namespaces besides the application's own that the chart renders objects into with these
   * values (read from its templates at the pinned version), such as kube-prometheus-stack's
   * exporter Services in `kube-system`; the AppProject allows each as a destination, since Argo
   * CD refuses the whole Application when one object's namespace is not permitted.
   * @default - none
   */
  readonly renderedNamespaces?: readonly string[];
}

/** A problem with an application's settings: the path below `apps.<name>` and what is wrong, as the rest of a sentence. */
export interface SettingsProblem {
  readonly path: readonly (string | number)[];
  /** e.g. `names no entry of secrets.refs (known: a, b). Add it to secrets.refs.` */
  readonly message: string;
}

/** What an application's functions get: the environment, the resolved pins and the rest of the platform. */
export interface PlatformContext {
  readonly spec: EnvironmentSpec;
  readonly versions: Versions;
  /** The applications the environment runs (enabled), in platform order. */
  readonly apps: readonly AppDescriptor[];
}

/** The context of one application: the platform's, its own settings, and what it needs to reach the rest. */
export interface AppContext<Settings = unknown> extends PlatformContext {
  /** The application's entry under `apps:` in the environment file, checked and defaulted by its `settings` schema. */
  readonly settings: Settings;
  /**
   * Where Prometheus scrapes from: the namespaces of the running applications that serve
   * monitoring.coreos.com. A NetworkPolicy admitting them on the metrics port lets the scrape in.
   */
  readonly scrapers: readonly IngressPeer[];
}

/**
 * What an application is, as data: its name, wave and namespace, and what the platform grants it
 * (CRD groups, cluster-scoped kinds). Everything here is known without building the application,
 * so what only reads manifests (`gitplane policy --dir`) needs nothing else.
 */
export interface AppData {
  /** Folder under apps/, and the Application's name after `<env>-`; a DNS-1123 label. */
  readonly name: string;
  /** Wave of the Application in the root app-of-apps (stacks/waves.ts). */
  readonly wave: number;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /**
   * The team that owns the application, a label value such as `shop`: its alerts carry
   * `team: <owner>`, which `alerting.routes.teams` routes on, and their runbooks name it.
   * @default - the environment's `alerting.owner`, the platform team
   */
  readonly owner?: string;
  /** Default namespace of the application's objects. */
  readonly namespace: string;
  /**
   * The field of the environment file that configures the application, as a path: policy
   * findings on its objects point at that line (SARIF, pull-request annotations).
   * @default - `apps.<name>`
   */
  readonly configuredAt?: readonly string[];
  /**
   * When set, the application owns its namespace and gitplane creates it with this Pod Security
   * level: in the namespaces application (Wave.Foundation), or in the application itself when it
   * syncs before that wave.
   * @default - the namespace belongs to another application
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Applications that must be healthy before this one syncs; synth checks that each one listed
   * in the platform is in an earlier wave.
   * @default - none
   */
  readonly dependsOn?: readonly string[];
  /** API groups whose CRDs the application installs and whose operator it runs. @default - none */
  readonly crds?: readonly CustomResourceGroup[];
  /**
   * Cluster-scoped kinds its Helm chart renders (from the chart's templates at the pinned
   * version), granted by the AppProject; required with `helm` (`[]` for none), since a chart
   * nobody reviewed cannot be granted anything. Cluster-scoped objects gitplane builds are found
   * in the output and need no entry.
   * @default - none
   */
  readonly clusterKinds?: readonly GroupKind[];
}

/**
 * One Argo CD application of the platform: a folder under `apps/` of the environment's output and
 * an Application (or fleet ApplicationSet) in the root app-of-apps.
 */
export interface AppDescriptor<Settings = unknown> extends AppData {
  /**
   * Whether an environment runs the application.
   * @default - when the environment file lists it under `apps:`
   */
  readonly enabled?: (spec: EnvironmentSpec) => boolean;
  /**
   * TypeBox schema of the application's settings under `apps.<name>` in the environment file;
   * the loader checks them (and fills their defaults) with the same file:line:field errors as
   * every other field.
   * @default - the application takes no settings (an empty mapping)
   */
  readonly settings?: TSchema;
  /**
   * Rules on the settings that span other fields of the environment (a secret reference that
   * must exist, say); the loader reports each problem at `apps.<name>.<path>` with file and line.
   * @default - the schema alone
   */
  readonly checkSettings?: (settings: Settings, spec: EnvironmentSpec) => readonly SettingsProblem[];
  /** Services the application creates without gitplane rendering them (an operator's), which others address. @default - none */
  readonly services?: (ctx: AppContext<Settings>) => readonly ServiceAddress[];
  /** Alerts on the application, added to the platform's Prometheus rules when it runs. @default - none */
  readonly alerts?: (ctx: AppContext<Settings>) => readonly AlertSet[];
  /** Grafana dashboards of the application. @default - none */
  readonly dashboards?: readonly DashboardSpec[];
  /** Services Prometheus scrapes; a ServiceMonitor is added for each when the platform runs Prometheus. @default - none */
  readonly scrape?: (ctx: AppContext<Settings>) => readonly ScrapeTarget[];
  /** A pinned Helm chart the application installs besides its plain manifests. */
  readonly helm?: (ctx: AppContext<Settings>) => HelmRelease;
  /** Adds the application's objects to its chart. */
  readonly build: (chart: Chart, ctx: AppContext<Settings>) => void;
}

/**
 * Declares an application. Give its settings type, the static type of its `settings` schema, as
 * the type argument (`defineApp<Static<typeof Settings>>({...})`) so `ctx.settings` is typed.
 */
export function defineApp<Settings = Record<string, never>>(descriptor: AppDescriptor<Settings>): AppDescriptor {
  return descriptor as AppDescriptor;
}

/** Whether an environment runs an application. */
export function isEnabled(app: AppDescriptor, spec: EnvironmentSpec): boolean {
  return app.enabled ? app.enabled(spec) : app.name in spec.apps;
}

export const PROMETHEUS_GROUP = 'monitoring.coreos.com';

const RBAC = 'rbac.authorization.k8s.io';
/** What an operator's chart renders at cluster scope: its CRDs and the ClusterRoles it binds. */
export const OPERATOR_CHART_KINDS: readonly GroupKind[] = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: RBAC, kind: 'ClusterRole' },
  { group: RBAC, kind: 'ClusterRoleBinding' },
];
/** The admission webhook configurations an operator's chart registers. */
export const MUTATING_WEBHOOK: GroupKind = { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' };
export const VALIDATING_WEBHOOK: GroupKind = { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' };

/** The context of one application within the platform's. */
export function appContext(ctx: PlatformContext, app: AppDescriptor): AppContext {
  const scrapers = ctx.apps.filter((a) => a.crds?.some((c) => c.group === PROMETHEUS_GROUP)).map((a) => ({ namespace: a.namespace }));
  return { ...ctx, settings: ctx.spec.apps[app.name] ?? {}, scrapers };
}

/** The Services the running applications create without gitplane rendering them. */
export function externalServicesFor(ctx: PlatformContext): ServiceAddress[] {
  return ctx.apps.flatMap((a) => a.services?.(appContext(ctx, a)) ?? []);
}
