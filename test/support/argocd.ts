/**
 * A real Argo CD against the test API server: its application controller, repo-server and
 * ApplicationSet controller (one binary built by tools/install.sh, run under each component's
 * name) and Redis (Debian's redis-server), as processes on loopback instead of Pods. The
 * controllers reach the API server through its kubeconfig; `ARGOCD_FAKE_IN_CLUSTER` makes the
 * in-cluster destination (https://kubernetes.default.svc) that same server, as it is for a
 * controller running inside the cluster.
 *
 * The repo-server serves gRPC over TLS with the certificate it makes for itself, which the
 * controllers accept without verifying it, as they do by default in a cluster. It trusts the Git
 * server's certificate the way argocd-tls-certs-cm makes it trust
 * one in a cluster: a file named after the host in its TLS data directory.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/server-commands/argocd-application-controller/
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { IN_CLUSTER } from '../../stacks/bootstrap';
import { KubeApiServer } from './kube-apiserver';
import { Server, alive, startOnFreePorts, stopProcess } from './servers';

/**
 * A sync advances from one wave to the next on events, but a health change that lands while the
 * controller applies a wave (a CustomResourceDefinition becoming Established) is missed, and the
 * sync then waits for the next resync of every Application: 120 s plus up to 60 s of jitter by
 * default (`timeout.reconciliation`), several times per environment. Here it is 10 s, without
 * jitter, so the waves advance soon after their health changes.
 */
const RESYNC_FLAGS = ['--app-resync', '10', '--app-resync-jitter', '0'];

/**
 * Nothing on loopback is worth compressing. By default the controller and the repo-server gzip
 * every entry they keep in Redis (`--redis-compress`), and client-go asks the API server for gzip,
 * which it then spends on the whole OpenAPI document the controller fetches again on each of the
 * 120-odd CRD events of a sync: a third of kube-apiserver's CPU in the sync test. Both are Argo
 * CD's own settings, which an install whose API server and Redis are near it can use as well;
 * what is stored, fetched and applied is the same. The controller takes a destination's
 * compression from its cluster Secret, not from the kubeconfig (whose `disable-compression` the
 * other components follow), so the in-cluster destination is declared with `disableCompression`.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters
 */
const REDIS_FLAGS = ['--redis-compress', 'none'];

/** The cluster Secret of the in-cluster destination, as `argocd cluster add --disable-compression` would write it. */
function inClusterDestination(namespace: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cluster-in-cluster', namespace, labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
    stringData: { name: 'in-cluster', server: IN_CLUSTER, config: JSON.stringify({ disableCompression: true }) },
  };
}

export interface ArgoCdBinaries {
  applicationController: string;
  repoServer: string;
  applicationSetController: string;
  redisServer: string;
  /** The Helm the repo-server renders charts with (found on its PATH). */
  helm: string;
}

export interface ArgoCdOptions {
  /** The namespace Argo CD's configuration lives in. */
  namespace: string;
  /** Certificates (PEM files) the repo-server trusts, by host. */
  trustedCertificates: Record<string, string>;
}

export interface ArgoCd {
  /** Ends every process (the API server is the caller's). */
  stop(): Promise<void>;
  /** Throws with the end of a component's log when one has exited. */
  checkAlive(): void;
  /** The directory holding the components' logs and scratch space. */
  readonly dir: string;
}

/** Starts Redis, the repo-server, then both controllers, each once the one before it accepts connections (startOnFreePorts). */
export async function startArgoCd(server: KubeApiServer, bins: ArgoCdBinaries, options: ArgoCdOptions): Promise<ArgoCd> {
  const dir = path.join(server.dir, 'argocd');
  for (const d of ['tls', 'ssh', 'home', 'tmp', 'gpg']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  for (const [host, file] of Object.entries(options.trustedCertificates)) fs.copyFileSync(file, path.join(dir, 'tls', host));
  fs.writeFileSync(path.join(dir, 'ssh', 'ssh_known_hosts'), '');
  const processes: Server[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await stopProcess(p.process);
  };
  const checkAlive = () => processes.forEach(alive);
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(bins.helm)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: path.join(dir, 'home'),
    TMPDIR: path.join(dir, 'tmp'),
    KUBECONFIG: server.kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_TLS_DATA_PATH: path.join(dir, 'tls'),
    ARGOCD_SSH_DATA_PATH: path.join(dir, 'ssh'),
    ARGOCD_GPG_ENABLED: 'false',
    ARGOCD_GNUPGHOME: path.join(dir, 'gpg'),
    // Rendering kube-prometheus-stack takes well over the default 90 s on a loaded machine.
    ARGOCD_EXEC_TIMEOUT: '15m',
    // The run's garbage-collection setting for Go programs (test/support/temporary-setup.js).
    GOGC: process.env.GOGC,
  };
  try {
    /** Ready once it accepts connections on `port`. */
    const accepting = async (port: number) => ((await listening(port)) ? true : undefined);
    const redis = await startOnFreePorts(
      dir,
      1,
      ([port]) => [{ name: 'redis', bin: bins.redisServer, args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', path.join(dir, 'tmp')] }],
      ([port]) => accepting(port),
    );
    processes.push(...redis.servers);
    const destination = await server.request('POST', `/api/v1/namespaces/${options.namespace}/secrets`, inClusterDestination(options.namespace));
    if (destination.status >= 300) throw new Error(`could not declare the in-cluster destination: ${destination.status} ${destination.body?.message}`);
    const common = ['--loglevel', 'info', '--logformat', 'text', '--redis', `127.0.0.1:${redis.ports[0]}`, ...REDIS_FLAGS];
    const repo = await startOnFreePorts(
      dir,
      2,
      ([port, metrics]) => [{ name: 'argocd-repo-server', bin: bins.repoServer, args: [...common, '--address', '127.0.0.1', '--port', String(port), '--metrics-address', '127.0.0.1', '--metrics-port', String(metrics)], env }],
      ([port]) => accepting(port),
    );
    processes.push(...repo.servers);
    const repoServer = `127.0.0.1:${repo.ports[0]}`;
    const controllerFlags = ['--kubeconfig', server.kubeconfig, '--namespace', options.namespace, '--repo-server-timeout-seconds', '900'];
    const controllers = await startOnFreePorts(
      dir,
      4,
      ([metrics, setMetrics, probe, webhook]) => [
        { name: 'argocd-application-controller', bin: bins.applicationController, args: [...common, ...controllerFlags, '--repo-server', repoServer, '--metrics-port', String(metrics), ...RESYNC_FLAGS], env },
        {
          name: 'argocd-applicationset-controller',
          bin: bins.applicationSetController,
          args: ['--loglevel', 'info', '--logformat', 'text', ...controllerFlags, '--argocd-repo-server', repoServer, '--metrics-addr', `127.0.0.1:${setMetrics}`, '--probe-addr', `127.0.0.1:${probe}`, '--webhook-addr', `127.0.0.1:${webhook}`],
          env,
        },
      ],
      async ([metrics, , probe]) => (await accepting(metrics)) && accepting(probe),
    );
    processes.push(...controllers.servers);
    return { stop, checkAlive, dir };
  } catch (e) {
    await stop();
    throw e;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
