/** Pod templates and containers of workload objects, and the privilege contract constructs state. */
import { PRIVILEGED_REASON } from '../../constructs/core/labels';
import { Manifest } from '../../stacks/objects';
import { CheckResult, RuleFinding } from '../types';
import { isMap, mapOf } from './shape';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;
/** Workloads that run continuously (probes apply). */
export const SERVING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] as const;

/**
 * Annotation on a workload's pod template (or the workload) that states why it needs privilege:
 * root, a writable root filesystem, privilege escalation, capabilities or `privileged: true`.
 * Defined beside the labels constructs set, so the two sides of the contract are one constant.
 */
export { PRIVILEGED_REASON };

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export interface PodTemplate {
  readonly metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly spec: Json;
  /** Field path of the pod spec inside the manifest, e.g. `spec.template.spec`. */
  readonly path: string;
}

export interface ContainerRef {
  readonly container: Json;
  /** e.g. `spec.template.spec.containers[0]` */
  readonly path: string;
  readonly init: boolean;
}

/**
 * Pod templates and their containers, per workload manifest: a dozen rules ask about every
 * workload. Other kinds are not remembered (an entry costs more than the answer).
 */
const templates = new WeakMap<Manifest, PodTemplate | undefined>();
const containerRefs = new WeakMap<PodTemplate, ContainerRef[]>();

/** The pod template of a workload (the pod itself for a Pod); its metadata and spec are maps whatever the manifest holds. */
export function podTemplate(m: Manifest): PodTemplate | undefined {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(m.kind)) return undefined;
  if (templates.has(m)) return templates.get(m);
  const t = templateOf(m);
  templates.set(m, t);
  return t;
}

function templateOf(m: Manifest): PodTemplate | undefined {
  const s = m.spec as Json;
  if (!isMap(s)) return undefined;
  if (m.kind === 'Pod') return { metadata: m.metadata, spec: s, path: 'spec' };
  const t = m.kind === 'CronJob' ? s.jobTemplate?.spec?.template : s.template;
  if (!isMap(t)) return undefined;
  const metadata = mapOf(t.metadata);
  return {
    metadata: { labels: isMap(metadata.labels) ? metadata.labels : undefined, annotations: isMap(metadata.annotations) ? metadata.annotations : undefined },
    spec: mapOf(t.spec),
    path: m.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec',
  };
}

export function containers(t: PodTemplate): readonly ContainerRef[] {
  let refs = containerRefs.get(t);
  if (!refs) {
    const list = (field: string, init: boolean): ContainerRef[] =>
      (Array.isArray(t.spec[field]) ? (t.spec[field] as unknown[]) : []).flatMap((c, i) => (isMap(c) ? [{ container: c, path: `${t.path}.${field}[${i}]`, init }] : []));
    refs = [...list('initContainers', true), ...list('containers', false)];
    containerRefs.set(t, refs);
  }
  return refs;
}

/**
 * The findings of `check` on every container of the object's pod template, in container order;
 * 'not-applicable' when the object has no pod template.
 */
export function checkContainers(m: Manifest, check: (ref: ContainerRef) => readonly RuleFinding[]): CheckResult {
  const t = podTemplate(m);
  return t ? containers(t).flatMap(check) : 'not-applicable';
}

/** The stated reason for privilege, when the workload or its pod template carries one. */
export function privilegedReason(m: Manifest, t: PodTemplate): string | undefined {
  const reason = t.metadata.annotations?.[PRIVILEGED_REASON] ?? m.metadata.annotations?.[PRIVILEGED_REASON];
  return typeof reason === 'string' && reason.trim().length > 0 ? reason.trim() : undefined;
}
