/**
 * gitplane's secure defaults for workloads built with cdk8s-plus, in one place: every Deployment,
 * DaemonSet and CronJob of gitplane's own takes its container security context, image pull
 * policy, quantities and host path volumes from here.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { quantityBytes } from '../core/units';

/**
 * A container's security context: no privilege escalation, a read-only root filesystem, every
 * capability dropped and the RuntimeDefault seccomp profile. `user` 0 is for the few jobs that
 * read root-owned host files; anything else also refuses to start as root.
 */
export function containerSecurity(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: user !== 0,
    user,
    group: user,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** Images are pinned to a tag or digest, so a node pulls each once (cdk8s-plus's default is Always). */
export const IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

/** CPU quantity such as `50m` or `2`, as cdk8s-plus models it. */
export function cpu(quantity: string): kplus.Cpu {
  const m = /^([0-9]+)(m?)$/.exec(quantity);
  if (!m) throw new Error(`"${quantity}" is not a CPU quantity such as 50m or 2.`);
  return m[2] ? kplus.Cpu.millis(Number(m[1])) : kplus.Cpu.units(Number(m[1]));
}

/** Memory quantity such as `64Mi` or `1Gi`; cdk8s-plus writes it in mebibytes. */
export function memory(quantity: string): Size {
  const bytes = quantityBytes(quantity);
  if (bytes % 2 ** 20 !== 0) throw new Error(`"${quantity}" is not a whole number of mebibytes; use Mi or Gi.`);
  return Size.mebibytes(bytes / 2 ** 20);
}

/**
 * Drops the `cdk8s.io/metadata.addr` label cdk8s-plus puts on every pod template: it is derived
 * from the construct path, so moving a construct would roll every pod, and gitplane selects pods
 * by the app.kubernetes.io labels instead.
 */
export function withoutConstructAddress(workload: kplus.AbstractPod, template = '/spec/template'): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`${template}/metadata/labels/cdk8s.io~1metadata.addr`));
}

/**
 * A volume of the host's `path`, named `name` in the pod. `type` is what must be there already
 * (`DIRECTORY`, `FILE`) or may be made (`DIRECTORY_OR_CREATE`): a missing path fails the pod
 * instead of mounting an empty directory in its place. Every host path must also be in the
 * allow-list of policies/data/host-paths.ts.
 */
export function hostPathVolume(scope: Construct, name: string, path: string, type: kplus.HostPathVolumeType): kplus.Volume {
  return kplus.Volume.fromHostPath(scope, `${name}-volume`, name, { path, type });
}
