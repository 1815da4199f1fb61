/**
 * The name, namespace, label and annotation rules the API server applies to every object's
 * metadata, and to the metadata of the pod and claim templates a workload carries: no schema
 * states them (a name or a label is any string there), so neither the kind's schema nor a CRD's
 * catches them, and Argo CD's sync of such an object fails.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { isMap } from '../stacks/objects';
import { FieldProblem } from './field-problem';

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

/** The name rules of the API server, by what they are called in its messages. */
const NAME_RULES = {
  subdomain: { test: (n: string) => n.length <= MAX_SUBDOMAIN && SUBDOMAIN.test(n), rule: 'a DNS subdomain: at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit' },
  label: { test: (n: string) => n.length <= MAX_NAME && DNS_LABEL.test(n), rule: 'a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit' },
  '1035': { test: (n: string) => n.length <= MAX_NAME && DNS_1035.test(n), rule: 'a DNS-1035 label: at most 63 lower-case letters, digits and "-", starting with a letter and ending with a letter or digit' },
  segment: { test: (n: string) => n !== '.' && n !== '..' && !/[/%]/.test(n), rule: 'a name without "/" or "%", and not "." or ".."' },
} as const;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

/**
 * How the API server judges the names of the built-in kinds gitplane and the charts write; any
 * other built-in kind is held to the rule every object meets (`segment`), custom resources to a
 * DNS subdomain.
 */
const NAMES: Readonly<Record<string, keyof typeof NAME_RULES>> = {
  Namespace: 'label',
  StatefulSet: 'label',
  Service: '1035',
  ...Object.fromEntries(
    [
      'ConfigMap', 'Secret', 'Pod', 'ServiceAccount', 'PersistentVolume', 'PersistentVolumeClaim', 'Endpoints', 'LimitRange', 'ResourceQuota',
      'Deployment', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'Ingress', 'IngressClass', 'NetworkPolicy',
      'StorageClass', 'PriorityClass', 'CustomResourceDefinition',
    ].map((kind) => [kind, 'subdomain']),
  ),
};
/** A CronJob's Jobs are named after it with 11 characters more, and a Job's name becomes a label value. */
const MAX_CRONJOB_NAME = 52;

/** What the API server would refuse in the name, namespace, labels and annotations of `manifest` (and its templates, for built-in `kind`s). */
export function metadataProblems(manifest: { kind?: unknown; metadata?: unknown }, builtIn: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '';
  judgeName(manifest.metadata, kind, builtIn ? (NAMES[kind] ?? 'segment') : 'subdomain', problems);
  judgeMetadata(manifest.metadata, ['metadata'], 'metadata', problems);
  const templates = builtIn && Object.hasOwn(TEMPLATES, kind) ? TEMPLATES[kind] : [];
  for (const steps of templates) for (const [path, shown, metadata] of at(manifest, steps.split('.'), [], '')) judgeMetadata(metadata, path, shown, problems);
  return problems;
}

/** The values at `steps` below `value`, with their paths as keys and as shown (`a.b[0].c`). */
function at(value: unknown, steps: readonly string[], path: readonly string[], shown: string): [string[], string, unknown][] {
  if (steps.length === 0) return [[[...path], shown, value]];
  const [step, ...rest] = steps;
  const dot = shown ? '.' : '';
  if (step.endsWith('[]')) {
    const key = step.slice(0, -2);
    const list = isMap(value) ? value[key] : undefined;
    return Array.isArray(list) ? list.flatMap((entry, i) => at(entry, rest, [...path, key, String(i)], `${shown}${dot}${key}[${i}]`)) : [];
  }
  return isMap(value) && step in value ? at(value[step], rest, [...path, step], `${shown}${dot}${step}`) : [];
}

function judgeName(metadata: unknown, kind: string, rule: keyof typeof NAME_RULES, problems: FieldProblem[]): void {
  if (!isMap(metadata)) return;
  const { name, namespace } = metadata;
  const path = ['metadata', 'name'];
  // A missing name is reported with the object's other required fields.
  if (typeof name === 'string' && name !== '') {
    if (!NAME_RULES[rule].test(name)) problems.push({ path, message: `metadata.name: ${JSON.stringify(name)} is not a ${kind} name: it must be ${NAME_RULES[rule].rule}; ${REFUSED}. Rename it.` });
    else if (kind === 'CronJob' && name.length > MAX_CRONJOB_NAME) {
      problems.push({ path, message: `metadata.name: ${JSON.stringify(name)} has ${name.length} characters; a CronJob's name has at most ${MAX_CRONJOB_NAME}, as its Jobs add 11; ${REFUSED}. Shorten it.` });
    }
  }
  if (typeof namespace === 'string' && namespace !== '' && !NAME_RULES.label.test(namespace)) {
    problems.push({ path: ['metadata', 'namespace'], message: `metadata.namespace: ${JSON.stringify(namespace)} is not a namespace name: it must be ${NAME_RULES.label.rule}; ${REFUSED}. Fix the namespace.` });
  }
}

function judgeMetadata(metadata: unknown, path: readonly string[], shown: string, problems: FieldProblem[]): void {
  if (!isMap(metadata)) return;
  const labels = metadata.labels;
  if (isMap(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      const field = { path: [...path, 'labels', key], shown: `${shown}.labels[${JSON.stringify(key)}]` };
      const bad = keyProblem(key);
      if (bad) problems.push({ path: field.path, message: `${field.shown}: the key is not a label key: ${bad}; ${REFUSED}. Fix the key.` });
      if (typeof value === 'string' && value !== '' && (value.length > MAX_NAME || !NAME.test(value))) {
        problems.push({
          path: field.path,
          message: `${field.shown}: the value ${JSON.stringify(value)} is not a label value: ${NAME_RULE} (it has ${value.length} characters); ${REFUSED}. Shorten or change the value, or move it to an annotation.`,
        });
      }
    }
  }
  const annotations = metadata.annotations;
  if (isMap(annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      // Annotation keys follow the label key rules, whatever their case.
      const bad = keyProblem(key.toLowerCase());
      if (bad) problems.push({ path: [...path, 'annotations', key], message: `${shown}.annotations[${JSON.stringify(key)}]: the key is not an annotation key: ${bad}; ${REFUSED}. Fix the key.` });
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > MAX_ANNOTATIONS) {
      problems.push({ path: [...path, 'annotations'], message: `${shown}.annotations: its keys and values hold ${bytes} bytes, more than the ${MAX_ANNOTATIONS} the API server accepts; ${REFUSED}. Move the large values into a ConfigMap.` });
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
