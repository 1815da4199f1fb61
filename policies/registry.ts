/** Every rule gitplane ships, in one list (the docs, SARIF rule table and meta-test read it). */
import { rule as alertAnnotations } from './rules/alert-annotations';
import { rule as alertRunbookUrl } from './rules/alert-runbook-url';
import { rule as apiVersionRemoved } from './rules/api-version-removed';
import { rule as applicationWaveHealth } from './rules/application-wave-health';
import { rule as appprojectAdmission } from './rules/appproject-admission';
import { rule as containerProbes } from './rules/container-probes';
import { rule as containerResources } from './rules/container-resources';
import { rule as containerSecurityContext } from './rules/container-security-context';
import { rule as crdBeforeCustomResource } from './rules/crd-before-custom-resource';
import { rule as cronjobDeadlineConcurrency } from './rules/cronjob-deadline-concurrency';
import { rule as customResourceAfterOperator } from './rules/custom-resource-after-operator';
import { rule as duplicateObjects } from './rules/duplicate-objects';
import { rule as exemptionExpired } from './rules/exemption-expired';
import { rule as fleetClusterLabel } from './rules/fleet-cluster-label';
import { rule as fleetParity } from './rules/fleet-parity';
import { rule as hookDeletePolicy } from './rules/hook-delete-policy';
import { rule as hostPathAllowed } from './rules/host-path-allowed';
import { rule as imagePinned } from './rules/image-pinned';
import { rule as labelSelectorOperator } from './rules/label-selector-operator';
import { rule as metricExported } from './rules/metric-exported';
import { rule as namespaceBeforeObjects } from './rules/namespace-before-objects';
import { rule as natsStreamLimits } from './rules/nats-stream-limits';
import { rule as natsStreamRecreate } from './rules/nats-stream-recreate';
import { rule as networkPolicyCoverage } from './rules/network-policy-coverage';
import { rule as networkPolicyShape } from './rules/network-policy-shape';
import { rule as networkReachability } from './rules/network-reachability';
import { rule as noDefaultNamespaceOrServiceAccount } from './rules/no-default-namespace-or-service-account';
import { rule as noHighCardinalityLabels } from './rules/no-high-cardinality-labels';
import { rule as noPlaintextCredentials } from './rules/no-plaintext-credentials';
import { rule as noSecretData } from './rules/no-secret-data';
import { rule as recordingRuleLayering } from './rules/recording-rule-layering';
import { rule as renderDeterministic } from './rules/render-deterministic';
import { rule as replicatedDisruption } from './rules/replicated-disruption';
import { rule as runbookBaseUrl } from './rules/runbook-base-url';
import { rule as runbookSections } from './rules/runbook-sections';
import { rule as selectorMatchesTemplate } from './rules/selector-matches-template';
import { rule as selfReplicatingStorage } from './rules/self-replicating-storage';
import { rule as serviceMonitorTarget } from './rules/service-monitor-target';
import { rule as skipDryRunCrossApp } from './rules/skip-dry-run-cross-app';
import { rule as syncOrderAcyclic } from './rules/sync-order-acyclic';
import { rule as syncWaveFormat } from './rules/sync-wave-format';
import { rule as watchdogDeadMansSwitch } from './rules/watchdog-dead-mans-switch';
import { rule as workloadSchedulable } from './rules/workload-schedulable';
import { Rule } from './types';

export const RULES: readonly Rule[] = [
  alertAnnotations,
  alertRunbookUrl,
  apiVersionRemoved,
  applicationWaveHealth,
  appprojectAdmission,
  containerProbes,
  containerResources,
  containerSecurityContext,
  crdBeforeCustomResource,
  cronjobDeadlineConcurrency,
  customResourceAfterOperator,
  duplicateObjects,
  exemptionExpired,
  fleetClusterLabel,
  fleetParity,
  hookDeletePolicy,
  hostPathAllowed,
  imagePinned,
  labelSelectorOperator,
  metricExported,
  namespaceBeforeObjects,
  natsStreamLimits,
  natsStreamRecreate,
  networkPolicyCoverage,
  networkPolicyShape,
  networkReachability,
  noDefaultNamespaceOrServiceAccount,
  noHighCardinalityLabels,
  noPlaintextCredentials,
  noSecretData,
  recordingRuleLayering,
  renderDeterministic,
  replicatedDisruption,
  runbookBaseUrl,
  runbookSections,
  selectorMatchesTemplate,
  selfReplicatingStorage,
  serviceMonitorTarget,
  skipDryRunCrossApp,
  syncOrderAcyclic,
  syncWaveFormat,
  watchdogDeadMansSwitch,
  workloadSchedulable,
];
