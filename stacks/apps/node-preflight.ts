/** The `node-preflight` application: the DaemonSet that checks every node's cgroup and storage prerequisites. */
import { IngressPolicy, PlatformNamespace } from '../../constructs/core';
import { NodePreflight } from '../../constructs/node/preflight';
import type { PlatformApp, PlatformContext } from '../platform';
import { shippedScript } from '../scripts';
import { imageRef } from '../versions';
import { syncWave, Wave } from '../waves';

export const NODE_PREFLIGHT_APP: PlatformApp = {
  name: 'node-preflight',
  namespace: 'node-preflight',
  wave: Wave.Preflight,
  component: 'node-preflight',
  enabled: (spec) => spec.components.preflight.enabled,
  build: (chart, { spec, versions }: PlatformContext) => {
    const preflight = spec.components.preflight;
    const app = { name: 'node-preflight', instance: `node-preflight-${spec.name}`, component: 'node-preflight' };
    // The preflight syncs before the namespaces application (Wave.Foundation), so it brings its own
    // namespace; Argo CD applies a Namespace first within its Application. Privileged: the
    // preflight reads the host's /proc, /sys and /boot as root with the host network.
    new PlatformNamespace(chart, 'namespace', { name: 'node-preflight', podSecurity: 'privileged', app, annotations: syncWave(Wave.Preflight) });
    // The preflight runs on the host network, which NetworkPolicy does not reach, and serves no
    // port; the default deny covers any other pod that may ever run in the namespace.
    new IngressPolicy(chart, 'default-deny', { name: 'default-deny-ingress', app, annotations: syncWave(Wave.Preflight) });
    new NodePreflight(chart, 'node-preflight', {
      app,
      script: shippedScript('node/preflight/preflight.sh'),
      image: imageRef(versions, 'preflight'),
      architectures: preflight.architectures,
      fix: preflight.fix,
      requireNfs: spec.components.longhorn.enabled && spec.components.longhorn.rwx,
      annotations: syncWave(Wave.Preflight),
    });
  },
};
