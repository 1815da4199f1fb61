/**
 * gitplane's public API: what a platform repository imports to declare its own applications and
 * register them in gitplane.config.ts. This repository's own project configuration and example
 * application use nothing else.
 *
 * @see README.md, "Your own applications"
 */
import type * as NetworkPolicy from './constructs/core/network-policy';
import type * as ObservabilityServiceMonitor from './constructs/observability/service-monitor';
import type * as Secrets from './constructs/secrets';
import type * as Workloads from './constructs/workloads';

export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
export type { Chart } from 'cdk8s';

export { defineApp, OPERATOR_CHART_KINDS, MUTATING_WEBHOOK, VALIDATING_WEBHOOK } from './stacks/application';
export type {
  AppContext,
  AppData,
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

export { selectorLabels, standardLabels } from './constructs/core/labels';
export type { AppLabels, IngressAllow, IngressPeer, IngressPolicyProps, SecretEnv } from './constructs/core';
export type { ContainerResources, HttpServiceProps } from './constructs/workloads';
export type { ServiceMonitorProps } from './constructs/observability/service-monitor';
export type { ExternalSecretKey, ExternalSecretProps } from './constructs/secrets';
export type { AlertSet, BuiltinAlert, AlertTest, InlineRunbook, Severity } from './constructs/observability/alerts';
export type { DashboardSpec, PanelSpec } from './constructs/observability/grafana';

/*
 * The constructs are loaded on first use. An application's module imports them at its top but
 * uses them only in its functions (`build`), so reading a project's applications for their data
 * (the CRD groups `gitplane policy --dir` needs) loads no construct code, cdk8s included.
 */
export declare const IngressPolicy: typeof NetworkPolicy.IngressPolicy;
export type IngressPolicy = NetworkPolicy.IngressPolicy;
export declare const HttpService: typeof Workloads.HttpService;
export type HttpService = Workloads.HttpService;
export declare const ServiceMonitor: typeof ObservabilityServiceMonitor.ServiceMonitor;
export type ServiceMonitor = ObservabilityServiceMonitor.ServiceMonitor;
export declare const ExternalSecret: typeof Secrets.ExternalSecret;
export type ExternalSecret = Secrets.ExternalSecret;

/* eslint-disable @typescript-eslint/no-require-imports */
// Written as TypeScript writes a re-export, so Node finds the names when an ES module imports
// gitplane; `require` loads each module once, on the first read of one of these names.
Object.defineProperty(exports, 'IngressPolicy', { enumerable: true, get: () => (require('./constructs/core/network-policy') as typeof NetworkPolicy).IngressPolicy });
Object.defineProperty(exports, 'HttpService', { enumerable: true, get: () => (require('./constructs/workloads') as typeof Workloads).HttpService });
Object.defineProperty(exports, 'ServiceMonitor', { enumerable: true, get: () => (require('./constructs/observability/service-monitor') as typeof ObservabilityServiceMonitor).ServiceMonitor });
Object.defineProperty(exports, 'ExternalSecret', { enumerable: true, get: () => (require('./constructs/secrets') as typeof Secrets).ExternalSecret });
/* eslint-enable @typescript-eslint/no-require-imports */
