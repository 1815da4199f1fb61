import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, PRIVILEGED_REASON, RenderedConfig, selectorLabels, standardLabels, unlessEmpty } from '../../core';

/** node-exporter's textfile collector directory on every host; the preflight writes its metrics there. */
export const PREFLIGHT_TEXTFILE_DIR = '/var/lib/node-exporter/textfile';

export interface NodePreflightProps {
  readonly app: AppLabels;
  /** preflight.sh, read by stacks/ and passed in so the construct stays pure. */
  readonly script: string;
  /** Image with a POSIX shell and busybox tools. */
  readonly image: string;
  /** `kubernetes.io/arch` values of the nodes to check. */
  readonly architectures: readonly string[];
  /** Let the preflight append missing boot parameters to cmdline.txt and mark the node for reboot. @default false */
  readonly fix?: boolean;
  /** Also require an NFS client (Longhorn ReadWriteMany volumes). @default false */
  readonly requireNfs?: boolean;
  /** Seconds between runs, and between readiness probes. @default 300 */
  readonly intervalSeconds?: number;
  /** Annotations for every object (a sync wave). */
  readonly annotations?: Record<string, string>;
}

const HOST = '/host';
const SCRIPT = '/opt/gitplane/preflight.sh';

/**
 * The node preflight as a DaemonSet: every selected node runs preflight.sh against its host's
 * /proc, /sys, /boot, /etc/containerd, /usr and kubelet configuration (mounted read-only under /host),
 * writes the results for node-exporter's textfile collector, and stays not Ready while a check
 * fails, so an Argo CD sync that waits for it stops before storage is installed.
 */
export class NodePreflight extends Construct {
  public readonly fix: boolean;
  public readonly intervalSeconds: number;

  constructor(scope: Construct, id: string, props: NodePreflightProps) {
    super(scope, id);
    if (props.architectures.length === 0) throw new Error('NodePreflight: architectures is empty, so no node would be checked. Name at least one, e.g. arm64.');
    this.fix = props.fix ?? false;
    this.intervalSeconds = props.intervalSeconds ?? 300;
    const labels = standardLabels(props.app);
    const metadata = (name: string) => ({ name, labels, annotations: unlessEmpty(props.annotations) });
    const flags = `--root ${HOST}${this.fix ? ' --fix' : ''}`;
    const staleMinutes = Math.ceil((3 * this.intervalSeconds) / 60) + 1;
    const hostMounts: [string, string, boolean][] = [
      ['proc', '/proc', false],
      ['sys', '/sys', false],
      ['boot', '/boot', this.fix],
      // Only containerd's directory of /etc: the preflight reads config.toml there, nothing else.
      ['containerd', '/etc/containerd', false],
      ['usr', '/usr', false],
      ['kubelet', '/var/lib/kubelet', false],
      ...(this.fix ? ([['run', '/run', true]] as [string, string, boolean][]) : []),
    ];

    new ApiObject(this, 'script', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('node-preflight'),
      data: { 'preflight.sh': props.script },
    });

    new ApiObject(this, 'daemonset', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: metadata('node-preflight'),
      spec: {
        selector: { matchLabels: selectorLabels(props.app) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
        template: {
          metadata: {
            labels,
            annotations: { [PRIVILEGED_REASON]: 'reads root-owned host files (/proc, /sys, /boot, kubelet and containerd configuration) as uid 0 and writes node-exporter textfile metrics on the host' },
          },
          spec: {
            // /proc/sys/net is per network namespace: ip_forward must be read in the host's.
            // Host-network pods are outside NetworkPolicy; the preflight serves no port at all.
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName: 'system-node-critical',
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: [...props.architectures] }] }],
                },
              },
            },
            tolerations: [{ operator: 'Exists' }],
            // Host files are root's; reading them needs uid 0, nothing more.
            securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'preflight',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '-c', `while true; do /bin/sh ${SCRIPT} ${flags} --textfile /textfile || true; sleep ${this.intervalSeconds}; done`],
                env: [{ name: 'PREFLIGHT_REQUIRE_NFS', value: props.requireNfs ? '1' : '0' }],
                readinessProbe: {
                  exec: { command: ['/bin/sh', SCRIPT, '--root', HOST] },
                  periodSeconds: 60,
                  timeoutSeconds: 10,
                  failureThreshold: 1,
                },
                // Alive while the loop still runs: each run rewrites the textfile, so one older
                // than three intervals means the loop is stuck.
                livenessProbe: {
                  exec: { command: ['/bin/sh', '-c', `test -n "$(find /textfile/gitplane_preflight.prom -mmin -${staleMinutes} 2>/dev/null)"`] },
                  initialDelaySeconds: 60,
                  periodSeconds: 60,
                  timeoutSeconds: 10,
                  failureThreshold: 3,
                },
                resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'script', mountPath: SCRIPT, subPath: 'preflight.sh', readOnly: true },
                  { name: 'textfile', mountPath: '/textfile' },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...hostMounts.map(([name, path, writable]) => ({ name: `host-${name}`, mountPath: `${HOST}${path}`, readOnly: !writable })),
                ],
              },
            ],
            volumes: [
              { name: 'script', configMap: { name: 'node-preflight', defaultMode: 0o555 } },
              { name: 'textfile', hostPath: { path: PREFLIGHT_TEXTFILE_DIR, type: 'DirectoryOrCreate' } },
              { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
              ...hostMounts.map(([name, path]) => ({ name: `host-${name}`, hostPath: { path, type: ['kubelet', 'containerd'].includes(name) ? 'DirectoryOrCreate' : 'Directory' } })),
            ],
          },
        },
      },
    });

    new RenderedConfig(this, 'config', { name: 'preflight', description: 'preflight.sh, the node preflight (DaemonSet and host script)', content: props.script });
  }
}
