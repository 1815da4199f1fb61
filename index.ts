/**
 * gitplane's public API: what a platform repository imports to declare its own applications and
 * register them in gitplane.config.ts. This repository's own project configuration and example
 * application use nothing else.
 *
 * @see README.md, "Your own applications"
 */
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
export type { Chart } from 'cdk8s';

export { defineApp, OPERATOR_CHART_KINDS, MUTATING_WEBHOOK, VALIDATING_WEBHOOK } from './stacks/application';
export type {
  AppContext,
  AppDescriptor,
  CustomResourceGroup,
  GroupKind,
  HelmRelease,
  PlatformContext,
  PodSecurityLevel,
  ScrapeTarget,
  SettingsProblem,
  ServiceAddress,
} from './stacks/application';
export { defineConfig } from './stacks/project';
export type { ProjectConfig } from './stacks/project';
export { Wave, syncWave } from './stacks/waves';
export type { EnvironmentSpec } from './environments/schema';

export { IngressPolicy, selectorLabels, standardLabels } from './constructs/core';
export type { AppLabels, IngressAllow, IngressPeer, IngressPolicyProps, SecretEnv } from './constructs/core';
export { HttpService } from './constructs/workloads';
export type { ContainerResources, HttpServiceProps } from './constructs/workloads';
export { ServiceMonitor } from './constructs/observability/service-monitor';
export type { ServiceMonitorProps } from './constructs/observability/service-monitor';
export { ExternalSecret } from './constructs/secrets';
export type { ExternalSecretKey, ExternalSecretProps } from './constructs/secrets';
export type { AlertSet, BuiltinAlert, AlertTest, InlineRunbook, Severity } from './constructs/observability/alerts';
export type { DashboardSpec, PanelSpec } from './constructs/observability/grafana';
