/**
 * The label and annotation rules the API server applies to every object's metadata, and to the
 * metadata of the pod and claim templates a workload carries: no schema states them (a label is
 * any string there), so neither the kind's schema nor a CRD's catches them, and Argo CD's sync of
 * such an object fails.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { isMap } from '../stacks/objects';

/** A name part, and a label value when not empty: at most 63 of these characters. */
const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_NAME = 63;
/** A key's prefix: a DNS subdomain of at most 253 characters. */
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const MAX_SUBDOMAIN = 253;
/** The API server's limit on an object's annotations: keys and values together, in bytes. */
const MAX_ANNOTATIONS = 256 * 1024;

const REFUSED = 'the API server refuses the object';
const NAME_RULE = 'at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit';

/** The metadata of templates each workload kind holds, as paths of fields (`[]`: each entry of a list). */
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec.template.metadata'],
  ReplicaSet: ['spec.template.metadata'],
  DaemonSet: ['spec.template.metadata'],
  Job: ['spec.template.metadata'],
  StatefulSet: ['spec.template.metadata', 'spec.volumeClaimTemplates[].metadata'],
  CronJob: ['spec.jobTemplate.metadata', 'spec.jobTemplate.spec.template.metadata'],
  PodTemplate: ['template.metadata'],
};

/** What the API server would refuse in the labels and annotations of `manifest` (and its templates, for built-in `kind`s). */
export function metadataProblems(manifest: { kind?: unknown; metadata?: unknown }, builtIn: boolean): string[] {
  const problems: string[] = [];
  judgeMetadata(manifest.metadata, 'metadata', problems);
  const templates = builtIn && typeof manifest.kind === 'string' && Object.hasOwn(TEMPLATES, manifest.kind) ? TEMPLATES[manifest.kind] : [];
  for (const path of templates) for (const [where, metadata] of at(manifest, path.split('.'), '')) judgeMetadata(metadata, where, problems);
  return problems;
}

/** The values at `steps` below `value`, with their paths. */
function at(value: unknown, steps: readonly string[], where: string): [string, unknown][] {
  if (steps.length === 0) return [[where, value]];
  const [step, ...rest] = steps;
  if (step.endsWith('[]')) {
    const list = isMap(value) ? value[step.slice(0, -2)] : undefined;
    return Array.isArray(list) ? list.flatMap((entry, i) => at(entry, rest, `${where ? `${where}.` : ''}${step.slice(0, -2)}[${i}]`)) : [];
  }
  return isMap(value) && step in value ? at(value[step], rest, `${where ? `${where}.` : ''}${step}`) : [];
}

function judgeMetadata(metadata: unknown, where: string, problems: string[]): void {
  if (!isMap(metadata)) return;
  const labels = metadata.labels;
  if (isMap(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      const field = `${where}.labels[${JSON.stringify(key)}]`;
      const bad = keyProblem(key);
      if (bad) problems.push(`${field}: the key is not a label key: ${bad}; ${REFUSED}. Fix the key.`);
      if (typeof value === 'string' && value !== '' && (value.length > MAX_NAME || !NAME.test(value))) {
        problems.push(`${field}: the value ${JSON.stringify(value)} is not a label value: ${NAME_RULE} (it has ${value.length} characters); ${REFUSED}. Shorten or change the value, or move it to an annotation.`);
      }
    }
  }
  const annotations = metadata.annotations;
  if (isMap(annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      // Annotation keys follow the label key rules, whatever their case.
      const bad = keyProblem(key.toLowerCase());
      if (bad) problems.push(`${where}.annotations[${JSON.stringify(key)}]: the key is not an annotation key: ${bad}; ${REFUSED}. Fix the key.`);
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > MAX_ANNOTATIONS) {
      problems.push(`${where}.annotations: its keys and values hold ${bytes} bytes, more than the ${MAX_ANNOTATIONS} the API server accepts; ${REFUSED}. Move the large values into a ConfigMap.`);
    }
  }
}

/** Why `key` is not a label key (an optional DNS subdomain prefix and "/", then a name), or undefined. */
function keyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `${JSON.stringify(key)} has more than one "/"`;
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '' || prefix.length > MAX_SUBDOMAIN || !SUBDOMAIN.test(prefix)) {
      return `its prefix ${JSON.stringify(prefix)} must be a DNS subdomain: at most 253 lower-case letters, digits, "-" and ".", such as example.com`;
    }
  }
  if (name.length > MAX_NAME || !NAME.test(name)) return `its name ${JSON.stringify(name)} must be ${NAME_RULE}`;
  return undefined;
}
