import { AlertSet } from './types';

const KSM = 'job="kube-state-metrics"';
const ksm = { job: 'kube-state-metrics' };

/** Kubernetes workload health from kube-state-metrics and the kubelet's volume statistics. */
export function workloadAlerts(): AlertSet {
  return {
    name: 'gitplane-workloads',
    component: 'workloads',
    alerts: [
      {
        name: 'KubePodCrashLooping',
        expr: `max_over_time(kube_pod_container_status_waiting_reason{${KSM},reason="CrashLoopBackOff"}[5m]) >= 1`,
        for: '15m',
        severity: 'warning',
        summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.',
        runbook: {
          tldr: 'A container keeps crashing. Read its previous logs; roll back the last change if it started after a deploy.',
          mitigation: [
            'kubectl -n <namespace> logs <pod> -c <container> --previous | tail -50.',
            'kubectl -n <namespace> describe pod <pod>: look at Last State (OOMKilled? exit code?).',
            'If a recent sync caused it, roll back in Argo CD (History and Rollback) or revert the commit.',
          ],
          impact: 'The workload runs with fewer replicas or not at all.',
          diagnosis: { queries: ['kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}', 'increase(kube_pod_container_status_restarts_total{namespace="<namespace>"}[1h])'] },
          escalation: 'Hand over to the team owning the namespace; page them if the workload is user-facing and down.',
        },
        test: {
          series: [{ series: `kube_pod_container_status_waiting_reason{${KSM},namespace="shop",pod="api-0",container="api",reason="CrashLoopBackOff"}`, values: '1x30' }],
          firesAt: '25m',
          labels: { ...ksm, namespace: 'shop', pod: 'api-0', container: 'api', reason: 'CrashLoopBackOff' },
          quiet: { at: '10m' },
        },
      },
      {
        name: 'KubePodNotReady',
        expr: `sum by (namespace, pod) (kube_pod_status_phase{${KSM},phase=~"Pending|Unknown|Failed"}) > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been running for 15 minutes.',
        description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending, Unknown or Failed for 15 minutes.',
        runbook: {
          tldr: 'A pod cannot start. The events of the pod say why: scheduling, image pull or volume attach.',
          mitigation: [
            'kubectl -n <namespace> describe pod <pod> and read Events.',
            'Unschedulable: check node capacity and taints. ImagePullBackOff: check the image tag in environments/versions.yaml. Volume: check Longhorn.',
          ],
          impact: 'The workload has fewer replicas than it needs.',
          diagnosis: { queries: ['kube_pod_status_phase{phase=~"Pending|Unknown|Failed"} > 0', 'kube_pod_container_status_waiting_reason{namespace="<namespace>",pod="<pod>"}'] },
          escalation: 'Hand over to the team owning the namespace; call the platform team if scheduling or storage is the cause.',
        },
        test: {
          series: [{ series: `kube_pod_status_phase{${KSM},namespace="shop",pod="api-1",phase="Pending"}`, values: '1x30' }],
          firesAt: '20m',
          labels: { namespace: 'shop', pod: 'api-1' },
          quiet: { series: [{ series: `kube_pod_status_phase{${KSM},namespace="shop",pod="api-1",phase="Pending"}`, values: '0x30' }], at: '20m' },
        },
      },
      {
        name: 'KubeDeploymentReplicasMismatch',
        expr: `kube_deployment_spec_replicas{${KSM}} > kube_deployment_status_replicas_available{${KSM}}`,
        for: '15m',
        severity: 'warning',
        summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} is missing replicas.',
        description: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had fewer available replicas than desired for 15 minutes.',
        runbook: {
          tldr: 'A Deployment is short of replicas. Look at its pods: they crash, wait for scheduling or fail readiness.',
          mitigation: ['kubectl -n <namespace> get pods -l <selector> and describe the ones that are not Ready.', 'kubectl -n <namespace> rollout status deployment/<deployment>; roll back with kubectl rollout undo if a rollout is stuck.'],
          impact: 'Less capacity and no redundancy for the workload.',
          diagnosis: { queries: ['kube_deployment_spec_replicas - kube_deployment_status_replicas_available'] },
          escalation: 'Hand over to the team owning the namespace.',
        },
        test: {
          series: [
            { series: `kube_deployment_spec_replicas{${KSM},namespace="shop",deployment="web"}`, values: '3x30' },
            { series: `kube_deployment_status_replicas_available{${KSM},namespace="shop",deployment="web"}`, values: '1x30' },
          ],
          firesAt: '20m',
          labels: { ...ksm, namespace: 'shop', deployment: 'web' },
          quiet: {
            series: [
              { series: `kube_deployment_spec_replicas{${KSM},namespace="shop",deployment="web"}`, values: '3x30' },
              { series: `kube_deployment_status_replicas_available{${KSM},namespace="shop",deployment="web"}`, values: '3x30' },
            ],
            at: '20m',
          },
        },
      },
      {
        name: 'KubeStatefulSetReplicasMismatch',
        expr: `kube_statefulset_status_replicas_ready{${KSM}} != kube_statefulset_replicas{${KSM}}`,
        for: '15m',
        severity: 'warning',
        summary: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} is missing ready replicas.',
        description: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not had all its replicas ready for 15 minutes.',
        runbook: {
          tldr: 'A StatefulSet is short of ready replicas; a stuck pod usually waits for its volume.',
          mitigation: ['kubectl -n <namespace> get pods,pvc and describe the pod that is not Ready.', 'If its PVC is stuck attaching, check the Longhorn volume of that PVC.'],
          impact: 'A clustered service (NATS, Loki, Tempo) runs degraded; with one more loss it may lose quorum.',
          diagnosis: { queries: ['kube_statefulset_replicas - kube_statefulset_status_replicas_ready'] },
          escalation: 'For platform StatefulSets call the platform team; otherwise the team owning the namespace.',
        },
        test: {
          series: [
            { series: `kube_statefulset_status_replicas_ready{${KSM},namespace="loki",statefulset="loki"}`, values: '0x30' },
            { series: `kube_statefulset_replicas{${KSM},namespace="loki",statefulset="loki"}`, values: '1x30' },
          ],
          firesAt: '20m',
          labels: { ...ksm, namespace: 'loki', statefulset: 'loki' },
          quiet: { at: '10m' },
        },
      },
      {
        name: 'KubeDaemonSetNotReady',
        expr: `kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_number_ready{${KSM}} > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is not ready on every node.',
        description: 'Some pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} have not been ready for 15 minutes.',
        runbook: {
          tldr: 'A per-node agent is missing somewhere. Find the node whose pod is not ready.',
          mitigation: ['kubectl -n <namespace> get pods -l <selector> -o wide and describe the pod that is not Ready.', 'If one node is the problem, see the node alerts for that node.'],
          impact: 'Whatever the agent does (logs, metrics, storage, preflight) is missing on that node.',
          diagnosis: { queries: ['kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_number_ready'] },
          escalation: 'Call the platform team if the DaemonSet belongs to the platform.',
        },
        test: {
          series: [
            { series: `kube_daemonset_status_desired_number_scheduled{${KSM},namespace="monitoring",daemonset="otel-agent"}`, values: '3x30' },
            { series: `kube_daemonset_status_number_ready{${KSM},namespace="monitoring",daemonset="otel-agent"}`, values: '2x30' },
          ],
          firesAt: '20m',
          labels: { ...ksm, namespace: 'monitoring', daemonset: 'otel-agent' },
          quiet: { at: '10m' },
        },
      },
      {
        name: 'KubeJobFailed',
        expr: `kube_job_status_failed{${KSM}} > 0`,
        for: '15m',
        severity: 'warning',
        summary: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed.',
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} has failed pods; it did not complete.',
        runbook: {
          tldr: 'A Job failed. Read the logs of its last pod, fix the cause and delete the Job so its CronJob can run again.',
          mitigation: ['kubectl -n <namespace> logs job/<job_name> | tail -50.', 'After fixing: kubectl -n <namespace> delete job <job_name>.'],
          impact: 'Whatever the Job does (a backup, a migration) did not happen.',
          diagnosis: { queries: ['kube_job_status_failed > 0', 'kube_job_owner{job_name="<job_name>"}'] },
          escalation: 'Hand over to the team owning the namespace.',
        },
        test: {
          series: [{ series: `kube_job_status_failed{${KSM},namespace="shop",job_name="migrate-42"}`, values: '1x30' }],
          firesAt: '20m',
          labels: { ...ksm, namespace: 'shop', job_name: 'migrate-42' },
          quiet: { series: [{ series: `kube_job_status_failed{${KSM},namespace="shop",job_name="migrate-42"}`, values: '0x30' }], at: '20m' },
        },
      },
      {
        name: 'KubePersistentVolumeFillingUp',
        expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.15',
        for: '10m',
        severity: 'warning',
        summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than 85% full.',
        description: 'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 15% space left.',
        runbook: {
          tldr: 'A volume is filling. Expand the PVC (Longhorn supports online expansion) or delete data.',
          mitigation: [
            'kubectl -n <namespace> patch pvc <persistentvolumeclaim> -p \'{"spec":{"resources":{"requests":{"storage":"<bigger>"}}}}\'.',
            'For Loki, Tempo or Prometheus, lower retention in environments/<env>.yaml as a stopgap.',
          ],
          impact: 'When the volume is full the workload stops writing: lost logs, traces, metrics or messages.',
          diagnosis: { queries: ['kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes', 'predict_linear(kubelet_volume_stats_available_bytes[6h], 4 * 24 * 3600)'] },
          escalation: 'If the volume cannot be expanded (no Longhorn capacity), call the platform team.',
        },
        test: {
          series: [
            { series: 'kubelet_volume_stats_available_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '10x20' },
            { series: 'kubelet_volume_stats_capacity_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '100x20' },
          ],
          firesAt: '15m',
          labels: { job: 'kubelet', namespace: 'nats', persistentvolumeclaim: 'nats-js-nats-0' },
          quiet: {
            series: [
              { series: 'kubelet_volume_stats_available_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '50x20' },
              { series: 'kubelet_volume_stats_capacity_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '100x20' },
            ],
            at: '15m',
          },
        },
      },
      {
        name: 'KubePersistentVolumeAlmostFull',
        expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.05',
        for: '5m',
        severity: 'critical',
        summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than 95% full.',
        description: 'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 5% space left; writes fail soon.',
        runbook: {
          tldr: 'A volume is about to be full. Expand it now.',
          mitigation: ['Expand the PVC as in the KubePersistentVolumeFillingUp runbook.', 'If expansion is not possible, scale the writer down to stop corruption.'],
          impact: 'Writes fail within minutes; databases may corrupt their files.',
          diagnosis: { queries: ['kubelet_volume_stats_available_bytes{persistentvolumeclaim="<persistentvolumeclaim>"}'] },
          escalation: 'Page the platform on-call lead if the volume belongs to NATS, Prometheus or Loki.',
        },
        test: {
          series: [
            { series: 'kubelet_volume_stats_available_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '2x20' },
            { series: 'kubelet_volume_stats_capacity_bytes{job="kubelet",namespace="nats",persistentvolumeclaim="nats-js-nats-0"}', values: '100x20' },
          ],
          firesAt: '10m',
          labels: { job: 'kubelet', namespace: 'nats', persistentvolumeclaim: 'nats-js-nats-0' },
          quiet: { at: '3m' },
        },
      },
    ],
  };
}
