/** The `node-preflight` application: the DaemonSet that checks every node's cgroup and storage prerequisites. */
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
    new NodePreflight(chart, 'node-preflight', {
      app: { name: 'node-preflight', instance: `node-preflight-${spec.name}`, component: 'node-preflight' },
      script: shippedScript('node/preflight/preflight.sh'),
      image: imageRef(versions, 'preflight'),
      architectures: preflight.architectures,
      fix: preflight.fix,
      requireNfs: spec.components.longhorn.enabled && spec.components.longhorn.rwx,
      annotations: syncWave(Wave.Preflight),
    });
  },
};
