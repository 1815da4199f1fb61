import { AlertSet } from './types';

/**
 * The node preflight writes `gitplane_preflight_check_ok{check,node}` (1 pass, 0 fail) through
 * node-exporter's textfile collector; one alert fires per failing check and node.
 */
export function preflightAlerts(): AlertSet {
  const series = (ok: number) => [{ series: 'gitplane_preflight_check_ok{job="node-exporter",instance="10.0.0.21:9100",node="pi-w-1",check="cgroup-memory"}', values: `${ok}x20` }];
  return {
    name: 'gitplane-node-preflight',
    component: 'node-preflight',
    alerts: [
      {
        name: 'NodePreflightCheckFailed',
        expr: 'gitplane_preflight_check_ok == 0',
        for: '10m',
        severity: 'critical',
        summary: 'Preflight check {{ $labels.check }} fails on node {{ $labels.node }}.',
        description: 'The node preflight check {{ $labels.check }} fails on {{ $labels.node }}: a prerequisite of the kubelet, containerd or Longhorn (cgroup controllers, kernel modules, swap) is missing.',
        runbook: {
          tldr: 'A node misses a prerequisite. Read the preflight log of the node; it prints the fix for each failing check.',
          mitigation: [
            'kubectl -n node-preflight logs -l app.kubernetes.io/name=node-preflight --field-selector spec.nodeName=<node> (or find the pod with -o wide).',
            'Cordon the node so nothing new lands on it: kubectl cordon <node>.',
            'cgroup-memory on a Raspberry Pi: add cgroup_enable=memory to /boot/firmware/cmdline.txt (one line) and reboot; or set components.preflight.fix: true.',
          ],
          impact: 'Pods on the node may be OOM-killed without limits being enforced, or Longhorn cannot attach volumes there.',
          diagnosis: { queries: ['gitplane_preflight_check_ok == 0', 'count by (check) (gitplane_preflight_check_ok == 0)'] },
          escalation: 'If the fix needs hands on the hardware, open a ticket with the site; call the platform team if every node fails the same check.',
        },
        test: {
          series: series(0),
          firesAt: '15m',
          labels: { job: 'node-exporter', instance: '10.0.0.21:9100', node: 'pi-w-1', check: 'cgroup-memory' },
          quiet: { series: series(1), at: '15m' },
        },
      },
    ],
  };
}
