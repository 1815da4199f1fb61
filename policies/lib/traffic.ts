/**
 * The connections an environment's telemetry depends on, read from its objects: who opens them
 * (pods), to which pods and container port, and which object asks for them.
 *
 * - A ServiceMonitor or PodMonitor that a Prometheus selects: Prometheus's pods scrape the pods
 *   behind each endpoint.
 * - A Prometheus's `alerting.alertmanagers`: its pods reach Alertmanager's.
 * - An in-cluster address (`name.namespace.svc:port`) in a configuration a pod reads (a mounted
 *   or referenced ConfigMap, a ConfigMap a k8s-sidecar collects by label such as Grafana's
 *   datasources, a container's args and env): that pod reaches the Service's pods.
 *
 * Pods are those of the workloads' pod templates and those the prometheus-operator runs for each
 * Prometheus and Alertmanager resource. A connection with an end that is not in the objects (a
 * Service nobody renders, a chart's pods before the chart is rendered) is not listed.
 */
import { Manifest, RenderedObject, objectRef } from '../../stacks/objects';
import { ADDRESS, DEFAULT_PORTS } from '../../validation/wiring';
import { ContainerPort, LabelSelector, Labels, NAMESPACE_NAME_LABEL, PodRef, selectorMatches } from './network-policy';
import { push } from './lookup';
import { listOf, mapsOf } from './shape';
import { Json, containers, podTemplate } from './workloads';

/** Pods that share a template: a workload's, or those an operator runs for a resource. */
export interface PodGroup extends PodRef {
  readonly object: RenderedObject;
  /** How a message names the pods, e.g. `DaemonSet monitoring/otel-agent`. */
  readonly name: string;
}

/** One connection the telemetry needs. */
export interface Hop {
  readonly from: PodGroup;
  readonly to: PodGroup;
  readonly port: number;
  readonly protocol: string;
  /** The receiving container port's name, when it has one. */
  readonly portName?: string;
  /** The Service (and its port) addressed, when the connection goes through one. */
  readonly via?: string;
  /** The object that asks for the connection (monitor, Prometheus, ConfigMap, workload). */
  readonly object: RenderedObject;
  /** What the connection is for, e.g. `scrapes endpoint "manager" of ServiceMonitor ...`. */
  readonly purpose: string;
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}
interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
}

/**
 * Labels and ports of the pods the prometheus-operator runs for a Prometheus or Alertmanager (the
 * server and its config-reloader sidecar), and the ports of the governing Service it creates for
 * them in the resource's namespace
 * (prometheus-operator pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go).
 */
const RELOADER = { name: 'reloader-web', containerPort: 8080 };
const OPERATED = new Map<string, { app: string; service: string; ports: readonly ContainerPort[]; servicePorts: readonly string[] }>([
  ['Prometheus', { app: 'prometheus', service: 'prometheus-operated', ports: [{ name: 'web', containerPort: 9090 }, RELOADER], servicePorts: ['web'] }],
  [
    'Alertmanager',
    {
      app: 'alertmanager',
      service: 'alertmanager-operated',
      ports: [{ name: 'web', containerPort: 9093 }, { name: 'mesh-tcp', containerPort: 9094 }, { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' }, RELOADER],
      servicePorts: ['web', 'mesh-tcp', 'mesh-udp'],
    },
  ],
]);

const OPERATOR_GROUP = 'monitoring.coreos.com/';

function isOperated(m: Manifest): boolean {
  return m.apiVersion.startsWith(OPERATOR_GROUP) && OPERATED.has(m.kind);
}

const namespaceOf = (m: Manifest): string => m.metadata.namespace ?? 'default';

/** The pods of an object: a workload's template, or an operator's pods for a Prometheus or Alertmanager. */
function podGroup(o: RenderedObject): PodGroup | undefined {
  const m = o.manifest;
  const name = `${m.kind} ${namespaceOf(m)}/${m.metadata.name}`;
  if (isOperated(m)) {
    const op = OPERATED.get(m.kind)!;
    const spec = (m.spec ?? {}) as Json;
    const labels = {
      ...(spec.podMetadata?.labels ?? {}),
      'app.kubernetes.io/name': op.app,
      'app.kubernetes.io/instance': m.metadata.name,
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      [op.app]: m.metadata.name,
      ...(m.kind === 'Prometheus' ? { 'operator.prometheus.io/name': m.metadata.name } : {}),
    };
    return { object: o, name, namespace: namespaceOf(m), labels, ports: op.ports };
  }
  const t = podTemplate(m);
  if (!t) return undefined;
  const ports = containers(t)
    .filter((c) => !c.init)
    .flatMap((c) => mapsOf(c.container.ports) as ContainerPort[]);
  return { object: o, name, namespace: namespaceOf(m), labels: t.metadata.labels ?? {}, ports, hostNetwork: t.spec.hostNetwork === true };
}

/** The Services of the objects, with the governing Services the prometheus-operator creates. */
function servicesOf(objects: readonly RenderedObject[]): Service[] {
  const services: Service[] = [];
  const implied = new Set<string>();
  for (const { manifest: m } of objects) {
    if (m.kind === 'Service' && m.apiVersion === 'v1') {
      const spec = (m.spec ?? {}) as Json;
      services.push({ namespace: namespaceOf(m), name: m.metadata.name, labels: m.metadata.labels ?? {}, selector: spec.selector, ports: mapsOf(spec.ports) as ServicePort[] });
    } else if (isOperated(m) && !implied.has(`${namespaceOf(m)}/${m.kind}`)) {
      implied.add(`${namespaceOf(m)}/${m.kind}`);
      const op = OPERATED.get(m.kind)!;
      const ports = op.ports.filter((p) => op.servicePorts.includes(p.name!)).map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: p.protocol }));
      services.push({ namespace: namespaceOf(m), name: op.service, labels: {}, selector: { 'app.kubernetes.io/name': op.app }, ports });
    }
  }
  return services;
}

/** The container port a connection to `target` (a number or a port name) lands on, in one pod group. */
function resolvePort(pods: PodGroup, target: number | string, protocol: string): { port: number; portName?: string } | undefined {
  const declared = (pods.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === protocol);
  if (typeof target === 'number') return { port: target, portName: declared.find((p) => p.containerPort === target)?.name };
  const named = declared.find((p) => p.name === target);
  return named && { port: named.containerPort, portName: named.name };
}

/** The map under `key`, made when absent. */
function inner<K, L, V>(map: Map<K, Map<L, V>>, key: K): Map<L, V> {
  let found = map.get(key);
  if (!found) map.set(key, (found = new Map()));
  return found;
}

/** Everything the hops are computed from, indexed once. */
class Environment {
  readonly pods: PodGroup[];
  readonly services: Service[];
  readonly namespaceLabels = new Map<string, Labels>();
  /** Pods, Services and ConfigMaps by namespace, and Services by `namespace/name`: lookups stay linear in the environment. */
  private readonly podsIn = new Map<string, PodGroup[]>();
  private readonly servicesIn = new Map<string, Service[]>();
  private readonly servicesByName = new Map<string, Service>();
  /** ConfigMaps by namespace, then name. */
  readonly configMapsNamed = new Map<string, Map<string, RenderedObject[]>>();
  /** ConfigMaps by each label key they carry, then namespace, for k8s-sidecars that collect by label. */
  readonly configMapsLabelled = new Map<string, Map<string, RenderedObject[]>>();
  /** Each ConfigMap's place in the output. */
  readonly configMapOrder = new Map<RenderedObject, number>();
  private allNamespaces?: string[];

  constructor(readonly objects: readonly RenderedObject[]) {
    this.pods = objects.flatMap((o) => podGroup(o) ?? []);
    this.services = servicesOf(objects);
    for (const { manifest: m } of objects) if (m.kind === 'Namespace') this.namespaceLabels.set(m.metadata.name, m.metadata.labels ?? {});
    for (const p of this.pods) push(this.podsIn, p.namespace, p);
    for (const s of this.services) {
      push(this.servicesIn, s.namespace, s);
      if (!this.servicesByName.has(`${s.namespace}/${s.name}`)) this.servicesByName.set(`${s.namespace}/${s.name}`, s);
    }
    for (const o of objects) {
      if (o.manifest.kind !== 'ConfigMap') continue;
      this.configMapOrder.set(o, this.configMapOrder.size);
      const ns = namespaceOf(o.manifest);
      push(inner(this.configMapsNamed, ns), o.manifest.metadata.name, o);
      for (const key of Object.keys(o.manifest.metadata.labels ?? {})) push(inner(this.configMapsLabelled, key), ns, o);
    }
  }

  /** The Services of a namespace. */
  servicesOfNamespace(namespace: string): readonly Service[] {
    return this.servicesIn.get(namespace) ?? [];
  }

  nsLabels(ns: string): Labels {
    return { ...this.namespaceLabels.get(ns), [NAMESPACE_NAME_LABEL]: ns };
  }

  /** Namespaces a selector picks: every namespace of the objects whose labels it matches. */
  namespacesMatching(selector: LabelSelector): string[] {
    this.allNamespaces ??= [...new Set([...this.namespaceLabels.keys(), ...this.objects.flatMap((o) => o.manifest.metadata.namespace ?? [])])];
    return this.allNamespaces.filter((ns) => selectorMatches(selector, this.nsLabels(ns)));
  }

  /** The pods of a namespace a label selector selects: `{}` selects all of them, as a PodMonitor's does. */
  podsSelected(namespace: string, selector: LabelSelector): PodGroup[] {
    return (this.podsIn.get(namespace) ?? []).filter((p) => selectorMatches(selector, p.labels));
  }

  /** Connections from `from` through a Service port to each pod behind it. */
  throughService(from: PodGroup, service: Service, port: ServicePort, object: RenderedObject, purpose: string): Hop[] {
    const protocol = port.protocol ?? 'TCP';
    const via = `Service ${service.namespace}/${service.name} port ${port.name ?? port.port}`;
    // A Service without a selector (or with an empty one) has hand-made endpoints: nothing here to judge.
    const selected = Object.keys(service.selector ?? {}).length > 0 ? this.podsSelected(service.namespace, { matchLabels: service.selector }) : [];
    return selected.flatMap((to) => {
      const landed = resolvePort(to, port.targetPort ?? port.port, protocol);
      return landed ? [{ from, to, ...landed, protocol, via, object, purpose }] : [];
    });
  }

  service(namespace: string, name: string): Service | undefined {
    return this.servicesByName.get(`${namespace}/${name}`);
  }
}

type PrometheusSpec = Record<string, LabelSelector | undefined> & { alerting?: { alertmanagers?: { namespace?: string; name: string; port: number | string }[] } };

/** Whether a Prometheus picks a monitor: by its `<kind>Selector` (null picks none) in its `<kind>NamespaceSelector` (null: its own namespace). */
function picks(env: Environment, prometheus: PodGroup, monitor: Manifest): boolean {
  const field = monitor.kind === 'ServiceMonitor' ? 'serviceMonitor' : 'podMonitor';
  const spec = (prometheus.object.manifest.spec ?? {}) as PrometheusSpec;
  const selector = spec[`${field}Selector`];
  if (!selector || !selectorMatches(selector, monitor.metadata.labels ?? {})) return false;
  const nsSelector = spec[`${field}NamespaceSelector`];
  return nsSelector ? selectorMatches(nsSelector, env.nsLabels(namespaceOf(monitor))) : namespaceOf(monitor) === prometheus.namespace;
}

/** The namespaces a monitor looks in: `namespaceSelector.any`, `matchNames`, or its own. */
function monitoredNamespaces(env: Environment, monitor: Manifest): string[] {
  const sel = (monitor.spec as Json)?.namespaceSelector;
  if (sel?.any) return env.namespacesMatching({});
  const names = listOf(sel?.matchNames).filter((n): n is string => typeof n === 'string');
  return names.length > 0 ? names : [namespaceOf(monitor)];
}

function scrapeHops(env: Environment, prometheus: PodGroup, monitor: RenderedObject): Hop[] {
  const m = monitor.manifest;
  const spec = (m.spec ?? {}) as Json;
  const selector: LabelSelector = spec.selector ?? {};
  const namespaces = monitoredNamespaces(env, m);
  const ref = objectRef(m);
  if (m.kind === 'ServiceMonitor') {
    return mapsOf(spec.endpoints).flatMap((endpoint: Json, i: number) => {
      const purpose = `scrapes endpoint ${i} (${endpoint.port ?? endpoint.targetPort}) of ${ref}`;
      return [...new Set(namespaces)]
        .flatMap((ns) => env.servicesOfNamespace(ns))
        .filter((s) => selectorMatches(selector, s.labels))
        .flatMap((s) =>
          s.ports
            .filter((p) => (endpoint.port !== undefined ? p.name === endpoint.port : true))
            .flatMap((p) => {
              // The deprecated `targetPort` names the pod's port directly, whatever the Service says.
              const port = endpoint.port === undefined && endpoint.targetPort !== undefined ? { ...p, targetPort: endpoint.targetPort } : p;
              return env.throughService(prometheus, s, port, monitor, purpose);
            }),
        );
    });
  }
  return mapsOf(spec.podMetricsEndpoints).flatMap((endpoint: Json, i: number) => {
    const target = endpoint.port ?? endpoint.portNumber ?? endpoint.targetPort;
    if (target === undefined) return [];
    const purpose = `scrapes endpoint ${i} (${target}) of ${ref}`;
    return namespaces.flatMap((ns) =>
      env.podsSelected(ns, selector).flatMap((to) => {
        const landed = resolvePort(to, target, 'TCP');
        return landed ? [{ from: prometheus, to, ...landed, protocol: 'TCP', object: monitor, purpose }] : [];
      }),
    );
  });
}

function alertingHops(env: Environment, prometheus: PodGroup): Hop[] {
  const spec = (prometheus.object.manifest.spec ?? {}) as PrometheusSpec;
  return (mapsOf(spec.alerting?.alertmanagers) as { namespace?: string; name: string; port: number | string }[]).flatMap((am) => {
    const s = env.service(am.namespace ?? prometheus.namespace, am.name);
    const port = s?.ports.find((p) => p.name === am.port || p.port === am.port);
    return s && port ? env.throughService(prometheus, s, port, prometheus.object, `sends alerts to ${s.namespace}/${s.name} (spec.alerting.alertmanagers)`) : [];
  });
}

/** ConfigMaps a pod group reads: mounted, referenced from env, or collected by a k8s-sidecar's LABEL. */
function configMapsRead(env: Environment, pods: PodGroup): RenderedObject[] {
  const t = podTemplate(pods.object.manifest);
  if (!t) return [];
  const names = new Set<string>();
  for (const v of mapsOf(t.spec.volumes)) {
    if (v.configMap?.name) names.add(v.configMap.name);
    for (const source of mapsOf(v.projected?.sources)) if (source.configMap?.name) names.add(source.configMap.name);
  }
  const sidecars: { label: string; value?: string; namespaces?: string[] }[] = [];
  for (const { container } of containers(t)) {
    for (const e of mapsOf(container.envFrom)) if (e.configMapRef?.name) names.add(e.configMapRef.name);
    const vars = new Map<string, Json>(mapsOf(container.env).map((e) => [e.name, e]));
    for (const e of vars.values()) if (e.valueFrom?.configMapKeyRef?.name) names.add(e.valueFrom.configMapKeyRef.name);
    // kiwigrid/k8s-sidecar (Grafana's dashboards and datasources): LABEL[=LABEL_VALUE] in NAMESPACE (own by default, or ALL).
    const label = vars.get('LABEL')?.value;
    if (typeof label === 'string' && /k8s-sidecar/.test(String(container.image ?? ''))) {
      const ns = vars.get('NAMESPACE')?.value;
      sidecars.push({ label, value: vars.get('LABEL_VALUE')?.value, namespaces: ns === 'ALL' ? undefined : ns ? String(ns).split(',') : [pods.namespace] });
    }
  }
  const read = new Set<RenderedObject>();
  const named = env.configMapsNamed.get(pods.namespace);
  if (named) for (const name of names) for (const o of named.get(name) ?? []) read.add(o);
  for (const s of sidecars) {
    const labelled = env.configMapsLabelled.get(s.label);
    if (!labelled) continue;
    for (const inNamespace of s.namespaces ? s.namespaces.map((ns) => labelled.get(ns) ?? []) : labelled.values()) {
      for (const o of inNamespace) if (s.value === undefined || o.manifest.metadata.labels?.[s.label] === s.value) read.add(o);
    }
  }
  // In output order, as a scan of the objects would list them.
  return [...read].sort((a, b) => env.configMapOrder.get(a)! - env.configMapOrder.get(b)!);
}

/** Connections to every in-cluster address in `text`, read by `from`. */
function addressHops(env: Environment, from: PodGroup, text: string, object: RenderedObject, where: string): Hop[] {
  const hops: Hop[] = [];
  for (const [address, scheme, name, namespace, portText] of text.matchAll(ADDRESS)) {
    const number = portText !== undefined ? Number(portText) : scheme !== undefined ? DEFAULT_PORTS.get(scheme) : undefined;
    const s = env.service(namespace, name);
    const port = s?.ports.find((p) => p.port === number);
    if (s && port) hops.push(...env.throughService(from, s, port, object, `connects to ${address} (${where})`));
  }
  return hops;
}

function configHops(env: Environment, pods: PodGroup): Hop[] {
  const fromConfigMaps = configMapsRead(env, pods).flatMap((cm) =>
    Object.entries(((cm.manifest as Json).data ?? {}) as Record<string, unknown>).flatMap(([key, text]) =>
      typeof text === 'string' ? addressHops(env, pods, text, cm, `${objectRef(cm.manifest)} data.${key}`) : [],
    ),
  );
  const t = podTemplate(pods.object.manifest)!;
  const fromContainers = containers(t).flatMap(({ container, path }) => {
    const values = [...listOf(container.args), ...listOf(container.command), ...mapsOf(container.env).map((e) => e.value)];
    return addressHops(env, pods, values.filter((v): v is string => typeof v === 'string').join('\n'), pods.object, `${path} args and env`);
  });
  return [...fromConfigMaps, ...fromContainers];
}

/** Every connection the environment's telemetry needs (in object order, each once), and the labels of its namespaces. */
export function telemetryTraffic(objects: readonly RenderedObject[]): { hops: Hop[]; namespaces: ReadonlyMap<string, Labels> } {
  const env = new Environment(objects);
  const prometheuses = env.pods.filter((p) => p.object.manifest.kind === 'Prometheus' && isOperated(p.object.manifest));
  const monitors = objects.filter((o) => o.manifest.apiVersion.startsWith(OPERATOR_GROUP) && (o.manifest.kind === 'ServiceMonitor' || o.manifest.kind === 'PodMonitor'));
  const hops = [
    ...prometheuses.flatMap((p) => monitors.filter((m) => picks(env, p, m.manifest)).flatMap((m) => scrapeHops(env, p, m))),
    ...prometheuses.flatMap((p) => alertingHops(env, p)),
    ...env.pods.filter((p) => !isOperated(p.object.manifest)).flatMap((p) => configHops(env, p)),
  ];
  const seen = new Set<string>();
  const unique = hops.filter((h) => {
    const key = `${objectRef(h.object.manifest)}|${h.from.name}|${h.to.name}|${h.port}/${h.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { hops: unique, namespaces: env.namespaceLabels };
}
