/** The `node-preflight` application: the DaemonSet that checks every node's cgroup and storage prerequisites. */
import { IngressPolicy } from '../../constructs/core';
import { preflightAlerts } from '../../constructs/observability/alerts';
import { NodePreflight } from '../../constructs/node/preflight';
import type { AppDescriptor, PlatformContext } from '../application';
import { shippedScript } from '../scripts';
import { imageRef } from '../versions';
import { syncWave, Wave } from '../waves';
import { NODE_PREFLIGHT_DATA } from './catalog';

export const NODE_PREFLIGHT_APP: AppDescriptor = {
  ...NODE_PREFLIGHT_DATA,
  enabled: (spec) => spec.components.preflight.enabled,
  alerts: () => [preflightAlerts()],
  build: (chart, { spec, versions }: PlatformContext) => {
    const preflight = spec.components.preflight;
    const app = { name: 'node-preflight', instance: `node-preflight-${spec.name}`, component: 'node-preflight' };
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
