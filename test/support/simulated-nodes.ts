/**
 * What makes the test API server a cluster that runs workloads: the real kube-controller-manager
 * (Deployments get ReplicaSets and Pods, Jobs complete, claims bind, namespaces finalize,
 * ServiceAccounts get tokens) and kube-scheduler of the same release, and nodes simulated by kwok:
 * Node objects that kwok keeps Ready, whose Pods it reports Running and Ready (a Job's Pods
 * Succeeded) without a kubelet or a container runtime. No container runs: a Pod's health is what
 * its controller and kwok's stages make of it, not what its program would do.
 *
 * @see https://kwok.sigs.k8s.io/docs/user/kwok-in-cluster/
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeApiServer } from './kube-apiserver';
import { Server, alive, startProcess, stopProcess } from './servers';
import { until } from './loopback';

export interface SimulatedNodesBinaries {
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** The directory of kwok's stage files (tools/install.sh installs it beside kwok). */
  kwokStages: string;
}

export interface SimulatedNode {
  name: string;
  arch: string;
  /** `control-plane` gives the node-role label kubeadm and k3s set. */
  roles: readonly string[];
}

/** The annotation that hands a Node to kwok. */
const KWOK_NODE = 'kwok.x-k8s.io/node';

/**
 * Room for every platform workload on any one node: the simulation judges scheduling by
 * placement rules (selectors, affinity, spread), not by how much the machines hold.
 */
const ALLOCATABLE = { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '1Ti' };

/** Starts the three processes and registers the nodes; `stop` ends the processes (the API server is the caller's). */
export async function startSimulatedNodes(server: KubeApiServer, bins: SimulatedNodesBinaries, nodes: readonly SimulatedNode[]): Promise<{ stop(): Promise<void> }> {
  const processes: Server[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await stopProcess(p.process);
  };
  try {
    // Both talk to the API server as its system:masters user, serve nothing, and run alone.
    const component = [
      `--kubeconfig=${server.kubeconfig}`,
      `--authentication-kubeconfig=${server.kubeconfig}`,
      `--authorization-kubeconfig=${server.kubeconfig}`,
      '--secure-port=0',
      '--leader-elect=false',
      '--profiling=false',
    ];
    processes.push(
      startProcess(server.dir, 'kube-controller-manager', bins.kubeControllerManager, [
        ...component,
        `--service-account-private-key-file=${server.serviceAccountKey}`,
        `--root-ca-file=${server.caFile}`,
      ]),
      startProcess(server.dir, 'kube-scheduler', bins.kubeScheduler, component),
      startProcess(server.dir, 'kwok', bins.kwok, [
        `--kubeconfig=${server.kubeconfig}`,
        ...fs.readdirSync(bins.kwokStages).sort().map((f) => `--config=${path.join(bins.kwokStages, f)}`),
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE}=fake`,
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
      ]),
    );
    for (const node of nodes) {
      const labels: Record<string, string> = { 'kubernetes.io/arch': node.arch, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': node.name, type: 'kwok' };
      if (node.roles.includes('control-plane')) labels['node-role.kubernetes.io/control-plane'] = '';
      const r = await server.request('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: node.name, labels, annotations: { [KWOK_NODE]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
        status: { allocatable: ALLOCATABLE, capacity: ALLOCATABLE },
      });
      if (r.status !== 201) throw new Error(`could not register node ${node.name}: ${r.status} ${r.body?.message}`);
    }
    await until(
      'every simulated node to be Ready',
      async () => {
        for (const p of processes) alive(p);
        const list = (await server.request('GET', '/api/v1/nodes')).body.items ?? [];
        const ready = list.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === nodes.length ? true : undefined;
      },
      300_000,
    );
    return { stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
