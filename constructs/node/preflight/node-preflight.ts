import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppLabels, PRIVILEGED_REASON, RenderedConfig, selectorLabels, standardLabels, unlessEmpty } from '../../core';
import { containerSecurity, cpu, hostPathVolume, IMAGE_PULL_POLICY, memory, withoutConstructAddress } from '../../workloads/secure-defaults';

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

    const script = new kplus.ConfigMap(this, 'script', { metadata: metadata('node-preflight'), data: { 'preflight.sh': props.script } });
    const volumes = {
      script: kplus.Volume.fromConfigMap(this, 'script-volume', script, { name: 'script', defaultMode: 0o555 }),
      textfile: hostPathVolume(this, 'textfile', PREFLIGHT_TEXTFILE_DIR, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE),
      tmp: kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp', { sizeLimit: memory('16Mi') }),
    };
    const hostVolumes = hostMounts.map(([name, path, writable]) => ({
      volume: hostPathVolume(this, `host-${name}`, path, ['kubelet', 'containerd'].includes(name) ? kplus.HostPathVolumeType.DIRECTORY_OR_CREATE : kplus.HostPathVolumeType.DIRECTORY),
      path: `${HOST}${path}`,
      readOnly: !writable,
    }));

    const daemonSet = new kplus.DaemonSet(this, 'daemonset', {
      metadata: metadata('node-preflight'),
      select: false,
      podMetadata: {
        labels,
        annotations: { [PRIVILEGED_REASON]: 'reads root-owned host files (/proc, /sys, /boot, kubelet and containerd configuration) as uid 0 and writes node-exporter textfile metrics on the host' },
      },
      // /proc/sys/net is per network namespace: ip_forward must be read in the host's.
      // Host-network pods are outside NetworkPolicy; the preflight serves no port at all.
      hostNetwork: true,
      dns: { policy: kplus.DnsPolicy.CLUSTER_FIRST_WITH_HOST_NET },
      automountServiceAccountToken: false,
      // Host files are root's; reading them needs uid 0, nothing more.
      securityContext: { user: 0, group: 0, ensureNonRoot: false },
      containers: [
        {
          name: 'preflight',
          image: props.image,
          imagePullPolicy: IMAGE_PULL_POLICY,
          command: ['/bin/sh', '-c', `while true; do /bin/sh ${SCRIPT} ${flags} --textfile /textfile || true; sleep ${this.intervalSeconds}; done`],
          envVariables: { PREFLIGHT_REQUIRE_NFS: kplus.EnvValue.fromValue(props.requireNfs ? '1' : '0') },
          readiness: kplus.Probe.fromCommand(['/bin/sh', SCRIPT, '--root', HOST], { periodSeconds: Duration.seconds(60), timeoutSeconds: Duration.seconds(10), failureThreshold: 1 }),
          // Alive while the loop still runs: each run rewrites the textfile, so one older
          // than three intervals means the loop is stuck.
          liveness: kplus.Probe.fromCommand(['/bin/sh', '-c', `test -n "$(find /textfile/gitplane_preflight.prom -mmin -${staleMinutes} 2>/dev/null)"`], {
            initialDelaySeconds: Duration.seconds(60),
            periodSeconds: Duration.seconds(60),
            timeoutSeconds: Duration.seconds(10),
            failureThreshold: 3,
          }),
          resources: { cpu: { request: cpu('5m') }, memory: { request: memory('16Mi'), limit: memory('64Mi') } },
          securityContext: containerSecurity(0),
          volumeMounts: [
            { volume: volumes.script, path: SCRIPT, subPath: 'preflight.sh', readOnly: true },
            { volume: volumes.textfile, path: '/textfile' },
            { volume: volumes.tmp, path: '/tmp' },
            ...hostVolumes,
          ],
        },
      ],
    });
    daemonSet.select(kplus.LabelSelector.of({ labels: selectorLabels(props.app) }));
    daemonSet.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.in('kubernetes.io/arch', [...props.architectures])));
    daemonSet.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.any()));
    withoutConstructAddress(daemonSet);
    // Fields cdk8s-plus-28 does not model; patches apply before the conversion to JSON, so the
    // update strategy is written in cdk8s-plus's own Kubernetes types.
    ApiObject.of(daemonSet).addJsonPatch(
      JsonPatch.add('/spec/updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: kplus.k8s.IntOrString.fromString('25%') } }),
      JsonPatch.add('/spec/template/spec/enableServiceLinks', false),
      JsonPatch.add('/spec/template/spec/priorityClassName', 'system-node-critical'),
    );

    new RenderedConfig(this, 'config', { name: 'preflight', description: 'preflight.sh, the node preflight (DaemonSet and host script)', content: props.script });
  }
}
