/**
 * Every rule judges objects of any shape without failing: a directory given to `policy --dir`
 * holds whatever a pull request puts there, and a crashed rule reports "a bug in the rule"
 * instead of what is wrong with the object.
 *
 * The rules first judge a real environment (dev as synthesized, and a small corpus of the kinds
 * whose selectors and ports the rules follow) while every field they read is recorded; then each
 * field a rule read is replaced, one at a time, by values of every other type, and the rules that
 * read it judge the environment again.
 */
import { runPolicies } from '../../policies/engine';
import { fromBuilt } from '../../policies/inputs';
import { RULES } from '../../policies/registry';
import { PolicyEnvironment, Rule } from '../../policies/types';
import { Manifest, RenderedObject } from '../../stacks/objects';
import { built } from '../support/environments';
import { goodDeployment, namespace, networkPolicy, obj, TODAY } from './support';

/** Values of every YAML type, to put where another one belongs. */
const WRONG: readonly unknown[] = [null, 7, 'gitplane-fuzz', [], {}, [null]];

/**
 * The identity `policy --dir` refuses to judge without (policies/inputs.ts refuseUnidentified):
 * apiVersion, kind and metadata.name strings, namespace a string, labels and annotations maps of
 * strings.
 */
function identity(keys: readonly string[]): boolean {
  if (keys.length === 1) return keys[0] === 'apiVersion' || keys[0] === 'kind' || keys[0] === 'metadata';
  return keys[0] === 'metadata' && ['name', 'namespace', 'labels', 'annotations'].includes(keys[1]);
}

/** Objects of the kinds the selector-following rules read, beside a Deployment they scrape and protect. */
function monitoring(): RenderedObject[] {
  const labels = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' };
  const deployment = goodDeployment((d) => {
    d.spec.replicas = 2;
    d.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8080 }];
    d.spec.template.spec.containers[0].env = [{ name: 'LOKI', value: 'http://loki.demo.svc:3100' }];
  });
  const policy = networkPolicy('demo');
  (policy.spec as Record<string, unknown>).ingress = [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['prometheus'] }] } }], ports: [{ port: 'http' }] }];
  const manifests: Manifest[] = [
    namespace('demo'),
    deployment,
    policy,
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'demo', labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'loki', namespace: 'demo', labels }, spec: { selector: labels, ports: [{ name: 'http', port: 3100, targetPort: 8080 }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'demo', namespace: 'demo' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'k8s', namespace: 'demo' },
      spec: { serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {}, podMonitorSelector: { matchLabels: labels }, alerting: { alertmanagers: [{ name: 'loki', port: 'http' }] } },
    },
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'demo', namespace: 'demo', labels }, spec: { selector: { matchLabels: labels }, namespaceSelector: { matchNames: ['demo'] }, endpoints: [{ port: 'http' }] } },
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'demo', namespace: 'demo', labels }, spec: { selector: { matchLabels: labels }, podMetricsEndpoints: [{ port: 'http' }] } },
  ];
  return manifests.map((m) => obj(m));
}

function corpora(): PolicyEnvironment[] {
  const dev = fromBuilt(built('dev'));
  return [dev, { name: 'demo', objects: monitoring(), files: new Map(), root: 'demo' }];
}

/** A path into an object: its index in the environment, then the keys from its manifest down. */
type FieldPath = readonly [number, ...string[]];

/** The environment with each manifest behind a proxy that adds to `reads` every own field read. */
function recording(env: PolicyEnvironment, reads: Set<string>): PolicyEnvironment {
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown, path: string): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    let proxy = proxies.get(value);
    if (!proxy) {
      proxy = new Proxy(value, {
        get(target, key, receiver) {
          const v = Reflect.get(target, key, receiver);
          if (typeof key !== 'string' || !Object.hasOwn(target, key) || (Array.isArray(target) && key === 'length')) return v;
          const field = `${path}\0${key}`;
          reads.add(field);
          return wrap(v, field);
        },
      });
      proxies.set(value, proxy);
    }
    return proxy;
  };
  return { ...env, objects: env.objects.map((o, i) => ({ ...o, manifest: wrap(o.manifest, String(i)) as Manifest })) };
}

/** Crashes of `rules` over the environment, as `rule: message`. */
function crashes(env: PolicyEnvironment, rules: readonly Rule[]): string[] {
  const findings = runPolicies([env], { rules, today: TODAY }).environments[0].findings;
  return findings.filter((f) => f.message.includes('a bug in the rule')).map((f) => `${f.rule}: ${f.message}`);
}

/** The environment with the field at `path` set to `value`, in a copy of its object. */
function withField(env: PolicyEnvironment, [index, ...keys]: FieldPath, value: unknown): PolicyEnvironment {
  const objects = env.objects.map((o) => ({ ...o }));
  const manifest = structuredClone(env.objects[index].manifest) as Record<string, unknown>;
  let parent: Record<string, unknown> = manifest;
  for (const k of keys.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  parent[keys[keys.length - 1]] = value;
  objects[index] = { ...objects[index], manifest: manifest as Manifest };
  return { ...env, objects };
}

describe('rules on hostile shapes', () => {
  test.each(corpora().map((e) => [e.name, e] as const))('no rule fails on a field of the wrong type in %s', (_name, env) => {
    expect(crashes(env, RULES)).toEqual([]);
    // Which rules read which field; a field of a kind is judged once, in the first object and list entry that has it.
    const readers = new Map<string, Rule[]>();
    const kindFields = new Map<string, string>();
    for (const rule of RULES) {
      const reads = new Set<string>();
      runPolicies([recording(env, reads)], { rules: [rule], today: TODAY });
      for (const field of reads) {
        const [index, ...keys] = field.split('\0');
        if (identity(keys)) continue;
        const shape = `${env.objects[Number(index)].manifest.kind} ${keys.map((k) => (/^[0-9]+$/.test(k) ? '[]' : k)).join('.')}`;
        if ((kindFields.get(shape) ?? field) !== field) continue;
        kindFields.set(shape, field);
        readers.set(field, [...(readers.get(field) ?? []), rule]);
      }
    }
    expect(readers.size).toBeGreaterThan(100);
    const failures = new Set<string>();
    for (const [field, rules] of readers) {
      const [index, ...keys] = field.split('\0');
      const path: FieldPath = [Number(index), ...keys];
      const kind = env.objects[Number(index)].manifest.kind;
      for (const value of WRONG) {
        for (const crash of crashes(withField(env, path, value), rules)) failures.add(`${kind} ${keys.join('.')} = ${JSON.stringify(value)}: ${crash}`);
      }
    }
    expect([...failures]).toEqual([]);
  });
});

describe('rules on hostile names', () => {
  // Names every JavaScript object answers to: a rule that looks a kind up in a plain object must not take them for its own entries.
  const INHERITED = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

  test('no rule fails on an object whose kind is a name every JavaScript object has', () => {
    const env = corpora()[1];
    const apiVersions = [...new Set(env.objects.map((o) => o.manifest.apiVersion))];
    const hostile = apiVersions.flatMap((apiVersion) =>
      INHERITED.map((kind) => obj({ apiVersion, kind, metadata: { name: 'gitplane-fuzz', namespace: 'demo' }, spec: { selector: { matchLabels: { app: 'demo' } } } })),
    );
    expect(crashes({ ...env, objects: [...env.objects, ...hostile] }, RULES)).toEqual([]);
  });
});
