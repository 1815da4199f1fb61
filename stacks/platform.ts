/**
 * The platform composition: which Argo CD applications an environment gets and what goes in each.
 *
 * Adding a component is a construct folder under constructs/ plus one entry in PLATFORM_APPS
 * (and its namespace in PLATFORM_NAMESPACES when it brings a new one). The one exception is an
 * application in a wave before Wave.Foundation (node-preflight), which creates its own namespace.
 */
import { Chart } from 'cdk8s';
import { EnvironmentSpec } from '../environments/schema';
import { PlatformNamespace } from '../constructs/core';
import { Wave, syncWave } from './waves';
import { Versions } from './versions';
import { ETCD_BACKUP_APP } from './apps/etcd-backup';
import { EXTERNAL_SECRETS_APP } from './apps/external-secrets';
import { LONGHORN_APP } from './apps/longhorn';
import { NATS_APP } from './apps/nats';
import { NODE_PREFLIGHT_APP } from './apps/node-preflight';
import { MONITORING_APP } from './apps/monitoring';
import { OBSERVABILITY_PIPELINE_APPS } from './apps/observability-pipeline';

/** What a component's build function gets: the spec and the resolved pins. */
export interface PlatformContext {
  readonly spec: EnvironmentSpec;
  readonly versions: Versions;
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
}

/** One Argo CD application of the platform: a folder under `apps/`. */
export interface PlatformApp {
  /** Folder under apps/, and the Application's name after `<env>-`. */
  readonly name: string;
  /** Default namespace of the application's objects. */
  readonly namespace: string;
  /** Wave of the Application in the root app-of-apps. */
  readonly wave: number;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  readonly enabled: (spec: EnvironmentSpec) => boolean;
  /**
   * Applications that must be healthy before this one syncs; synth checks that each one listed
   * in the platform is in an earlier wave.
   * @default - none
   */
  readonly dependsOn?: readonly string[];
  /** Adds the application's objects to its chart. */
  readonly build: (chart: Chart, ctx: PlatformContext) => void;
  /** A pinned Helm chart the application installs besides its plain manifests. */
  readonly helm?: (ctx: PlatformContext) => HelmRelease;
}

/** A namespace gitplane creates for a component (Argo CD never creates namespaces). */
export interface NamespaceEntry {
  readonly name: string;
  readonly component: string;
  readonly podSecurity: 'restricted' | 'baseline' | 'privileged';
  readonly enabled: (spec: EnvironmentSpec) => boolean;
}

export const PLATFORM_NAMESPACES: readonly NamespaceEntry[] = [
  // node-exporter needs the host network and PID namespace.
  { name: 'monitoring', component: 'observability', podSecurity: 'privileged', enabled: (s) => s.components.observability.enabled },
  // Longhorn's manager and CSI plugins run privileged on every node.
  { name: 'longhorn-system', component: 'storage', podSecurity: 'privileged', enabled: (s) => s.components.longhorn.enabled },
  { name: 'nats', component: 'messaging', podSecurity: 'restricted', enabled: (s) => s.components.nats.enabled },
  // Backups read etcd's certificates from the host as root.
  {
    name: 'etcd-backup',
    component: 'backup',
    podSecurity: 'privileged',
    enabled: (s) => s.components.etcdBackup.enabled && s.cluster.distribution === 'kubeadm',
  },
  // node-preflight is not here: it syncs before this application (Wave.Preflight) and creates its
  // own namespace (stacks/apps/node-preflight.ts).
  { name: 'external-secrets', component: 'secrets', podSecurity: 'restricted', enabled: (s) => s.secrets.provider === 'external-secrets' },
];

export const NAMESPACES_APP: PlatformApp = {
  name: 'namespaces',
  namespace: 'default',
  wave: Wave.Foundation,
  component: 'namespaces',
  enabled: () => true,
  build: (chart, { spec }) => {
    for (const ns of PLATFORM_NAMESPACES.filter((n) => n.enabled(spec))) {
      new PlatformNamespace(chart, ns.name, {
        name: ns.name,
        podSecurity: ns.podSecurity,
        app: { name: ns.component, instance: `${ns.component}-${spec.name}`, component: ns.component },
        annotations: syncWave(Wave.Foundation),
      });
    }
  },
};

/** Every application of the platform, in the order they are listed in the output. */
export const PLATFORM_APPS: readonly PlatformApp[] = [
  NAMESPACES_APP,
  NODE_PREFLIGHT_APP,
  EXTERNAL_SECRETS_APP,
  LONGHORN_APP,
  MONITORING_APP,
  ...OBSERVABILITY_PIPELINE_APPS,
  NATS_APP,
  ETCD_BACKUP_APP,
];

/** Names of the namespaces an environment gets. */
export function namespacesFor(spec: EnvironmentSpec): string[] {
  return PLATFORM_NAMESPACES.filter((n) => n.enabled(spec)).map((n) => n.name);
}
