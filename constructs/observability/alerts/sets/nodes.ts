import { AlertSet } from './types';

const FS = 'job="node-exporter",fstype!~"tmpfs|overlay|squashfs|ramfs|iso9660"';
const NODE = 'job="node-exporter",instance="10.0.0.11:9100",node="worker-1"';
const DISK = `${NODE},device="/dev/sda1",fstype="ext4",mountpoint="/var/lib"`;
const diskLabels = { job: 'node-exporter', instance: '10.0.0.11:9100', node: 'worker-1', device: '/dev/sda1', fstype: 'ext4', mountpoint: '/var/lib' };
const nodeLabels = { job: 'node-exporter', instance: '10.0.0.11:9100', node: 'worker-1' };

/**
 * Node health from kube-state-metrics and node-exporter (whose `node` label KPS values add). The
 * CPU and memory alerts read level-1 recorded series (see recordingRuleSets).
 */
export function nodeAlerts(): AlertSet {
  return {
    name: 'gitplane-nodes',
    component: 'nodes',
    alerts: [
      {
        name: 'NodeDown',
        expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
        for: '5m',
        severity: 'critical',
        summary: 'Node {{ $labels.node }} is not Ready.',
        description: 'The kubelet on {{ $labels.node }} has not reported Ready for 5 minutes. Its pods are being evicted and every other alert on this node is silenced while this one fires.',
        runbook: {
          tldr: 'A node left the cluster. Check whether it is powered and reachable, then whether the kubelet runs.',
          mitigation: [
            'kubectl get node <node> -o wide and kubectl describe node <node>: read the Conditions and the last heartbeat.',
            'Ping or SSH to the node. On a Raspberry Pi, check power and the SD card or SSD (dmesg for I/O errors).',
            'If the host is up: systemctl status kubelet containerd; systemctl restart kubelet.',
            'If the host is gone for good: kubectl cordon <node> and kubectl drain <node> --ignore-daemonsets --delete-emptydir-data so Longhorn rebuilds replicas elsewhere.',
          ],
          impact: 'Pods on the node are evicted after the toleration timeout; Longhorn volumes lose a replica; an etcd member may be down on control-plane nodes.',
          diagnosis: {
            queries: ['kube_node_status_condition{condition="Ready",status="true"} == 0', 'up{job="node-exporter"} == 0', 'ALERTS{node="<node>"}'],
            steps: ['journalctl -u kubelet --since "-30m" on the node.'],
          },
          escalation: 'If more than one node is down, or a control-plane node stays down for 30 minutes, call the platform on-call lead.',
        },
        test: {
          series: [{ series: 'kube_node_status_condition{job="kube-state-metrics",node="worker-1",condition="Ready",status="true"}', values: '0x15' }],
          firesAt: '10m',
          labels: { job: 'kube-state-metrics', node: 'worker-1', condition: 'Ready', status: 'true' },
          quiet: { series: [{ series: 'kube_node_status_condition{job="kube-state-metrics",node="worker-1",condition="Ready",status="true"}', values: '1x15' }], at: '10m' },
        },
      },
      {
        name: 'NodeHighCpu',
        expr: 'instance:node_cpu_utilisation:rate5m > 0.9',
        for: '15m',
        severity: 'warning',
        summary: 'Node {{ $labels.node }} CPU is above 90%.',
        description: 'The CPUs of {{ $labels.node }} ({{ $labels.instance }}) have been more than 90% busy for 15 minutes; workloads are being throttled.',
        runbook: {
          tldr: 'A node is CPU-saturated. Find the pod that uses the CPU and limit or move it.',
          mitigation: [
            'kubectl top pods -A --sort-by=cpu | head, filtered to the node with kubectl get pods -A --field-selector spec.nodeName=<node>.',
            'If one workload runs away, scale it down or restart it; if the node is simply full, cordon it so nothing new lands there.',
          ],
          impact: 'Latency rises for every pod on the node; the kubelet and node-exporter may miss heartbeats.',
          diagnosis: { queries: ['instance:node_cpu_utilisation:rate5m', 'topk(10, sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{node="<node>"}[5m])))'] },
          escalation: 'If the node stays saturated for an hour and no single workload explains it, ask the platform team to add capacity.',
        },
        test: {
          series: [{ series: `node_cpu_seconds_total{${NODE},cpu="0",mode="idle"}`, values: '0+0x40' }],
          firesAt: '30m',
          labels: nodeLabels,
          quiet: { series: [{ series: `node_cpu_seconds_total{${NODE},cpu="0",mode="idle"}`, values: '0+60x40' }], at: '30m' },
        },
      },
      {
        name: 'NodeMemoryHigh',
        expr: 'instance:node_memory_utilisation:ratio > 0.9',
        for: '15m',
        severity: 'warning',
        summary: 'Node {{ $labels.node }} memory is above 90%.',
        description: 'Less than 10% of the memory of {{ $labels.node }} ({{ $labels.instance }}) has been available for 15 minutes; the kernel OOM killer and kubelet evictions are next.',
        runbook: {
          tldr: 'A node is running out of memory. Find the largest pods and move or limit them before the OOM killer picks for you.',
          mitigation: [
            'kubectl top pods -A --sort-by=memory and kubectl get pods -A --field-selector spec.nodeName=<node>.',
            'Restart or scale down the workload that grew; cordon the node if it keeps filling.',
          ],
          impact: 'Pods on the node get OOM-killed or evicted; on small Raspberry Pi nodes the kubelet itself may stall.',
          diagnosis: { queries: ['instance:node_memory_utilisation:ratio', 'topk(10, sum by (namespace, pod) (container_memory_working_set_bytes{node="<node>"}))'] },
          escalation: 'If evictions start or the node becomes NotReady, page the platform on-call lead.',
        },
        test: {
          series: [
            { series: `node_memory_MemAvailable_bytes{${NODE}}`, values: '5x30' },
            { series: `node_memory_MemTotal_bytes{${NODE}}`, values: '100x30' },
          ],
          firesAt: '20m',
          labels: nodeLabels,
          quiet: {
            series: [
              { series: `node_memory_MemAvailable_bytes{${NODE}}`, values: '50x30' },
              { series: `node_memory_MemTotal_bytes{${NODE}}`, values: '100x30' },
            ],
            at: '20m',
          },
        },
      },
      {
        name: 'NodeFilesystemAlmostFull',
        expr: `(node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.10) and on (instance, device, mountpoint) (node_filesystem_readonly{job="node-exporter"} == 0)`,
        for: '15m',
        severity: 'critical',
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is more than 90% full.',
        description: 'Filesystem {{ $labels.device }} mounted at {{ $labels.mountpoint }} on {{ $labels.node }} has less than 10% space left.',
        runbook: {
          tldr: 'A node disk is nearly full. Free space now: images, logs, or old Longhorn snapshots.',
          mitigation: [
            'SSH to the node and run df -h and du -xh --max-depth=2 <mountpoint> | sort -h | tail.',
            'crictl rmi --prune removes unused images; journalctl --vacuum-size=200M trims the journal.',
            'If Longhorn data fills it, delete old snapshots in the Longhorn UI or lower the snapshot retain count.',
          ],
          impact: 'When the disk is full the kubelet evicts pods (DiskPressure), containerd cannot pull images and etcd or Longhorn may stop writing.',
          diagnosis: { queries: ['node_filesystem_avail_bytes{node="<node>"} / node_filesystem_size_bytes{node="<node>"}', 'kube_node_status_condition{condition="DiskPressure",status="true"} == 1'] },
          escalation: 'If the disk cannot be freed below 85% within an hour, ask the platform team to grow the disk or move workloads.',
        },
        test: {
          series: [
            { series: `node_filesystem_avail_bytes{${DISK}}`, values: '5x30' },
            { series: `node_filesystem_size_bytes{${DISK}}`, values: '100x30' },
            { series: `node_filesystem_readonly{${DISK}}`, values: '0x30' },
          ],
          firesAt: '20m',
          labels: diskLabels,
          quiet: {
            series: [
              { series: `node_filesystem_avail_bytes{${DISK}}`, values: '50x30' },
              { series: `node_filesystem_size_bytes{${DISK}}`, values: '100x30' },
              { series: `node_filesystem_readonly{${DISK}}`, values: '0x30' },
            ],
            at: '20m',
          },
        },
      },
      {
        name: 'NodeFilesystemFillingUp',
        expr: `(node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.25) and on (instance, device, mountpoint) (predict_linear(node_filesystem_avail_bytes{${FS}}[6h], 24 * 3600) < 0) and on (instance, device, mountpoint) (node_filesystem_readonly{job="node-exporter"} == 0)`,
        for: '1h',
        severity: 'warning',
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} will be full within a day.',
        description: 'Filesystem {{ $labels.device }} at {{ $labels.mountpoint }} on {{ $labels.node }} has less than 25% space left and, at the growth rate of the last six hours, fills up within 24 hours.',
        runbook: {
          tldr: 'A node disk is filling steadily. Find what grows before it becomes NodeFilesystemAlmostFull.',
          mitigation: [
            'On the node: du -xh --max-depth=3 <mountpoint> | sort -h | tail -20, twice a few minutes apart, to see what grows.',
            'Rotate or delete runaway logs; prune images with crictl rmi --prune.',
          ],
          impact: 'Nothing yet; within a day the kubelet starts evicting pods from the node.',
          diagnosis: { queries: [`predict_linear(node_filesystem_avail_bytes{node="<node>"}[6h], 24 * 3600)`, 'rate(node_filesystem_avail_bytes{node="<node>"}[1h])'] },
          escalation: 'If the growth is a workload writing legitimately, ask its owners and the platform team for a larger volume.',
        },
        test: {
          series: [
            { series: `node_filesystem_avail_bytes{${DISK}}`, values: '400-1x300' },
            { series: `node_filesystem_size_bytes{${DISK}}`, values: '1000x300' },
            { series: `node_filesystem_readonly{${DISK}}`, values: '0x300' },
          ],
          firesAt: '240m',
          labels: diskLabels,
          quiet: {
            series: [
              { series: `node_filesystem_avail_bytes{${DISK}}`, values: '200x300' },
              { series: `node_filesystem_size_bytes{${DISK}}`, values: '1000x300' },
              { series: `node_filesystem_readonly{${DISK}}`, values: '0x300' },
            ],
            at: '240m',
          },
        },
      },
      {
        name: 'NodeFilesystemReadOnly',
        expr: `node_filesystem_readonly{${FS}} == 1`,
        for: '5m',
        severity: 'critical',
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} turned read-only.',
        description: 'Filesystem {{ $labels.device }} at {{ $labels.mountpoint }} on {{ $labels.node }} is mounted read-only. The kernel does this after I/O errors, typically a failing SD card or SSD.',
        runbook: {
          tldr: 'The kernel remounted a disk read-only after I/O errors. Drain the node; the disk is probably failing.',
          mitigation: [
            'kubectl cordon <node> and kubectl drain <node> --ignore-daemonsets --delete-emptydir-data.',
            'On the node: dmesg | grep -iE "i/o error|ext4|remount" to confirm disk errors.',
            'Replace the SD card or SSD; do not simply remount read-write, the filesystem may be corrupt.',
          ],
          impact: 'Pods on the node cannot write; Longhorn replicas on the disk fail; etcd on a control-plane node stops.',
          diagnosis: { queries: ['node_filesystem_readonly{node="<node>"} == 1', 'rate(node_disk_io_time_seconds_total{node="<node>"}[5m])'] },
          escalation: 'Open a hardware ticket for the node; if it is a control-plane node, page the platform on-call lead.',
        },
        test: {
          series: [{ series: `node_filesystem_readonly{${DISK}}`, values: '1x15' }],
          firesAt: '10m',
          labels: diskLabels,
          quiet: { series: [{ series: `node_filesystem_readonly{${DISK}}`, values: '0x15' }], at: '10m' },
        },
      },
    ],
  };
}
