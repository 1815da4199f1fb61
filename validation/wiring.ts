/**
 * The pipeline wiring check: every in-cluster address a rendered configuration points at
 * (exporter endpoints, remote-write URLs, datasource URLs, ...) must name a Service and a port
 * that the same environment synthesizes, or a Service another application is known to create.
 *
 * Addresses are found in the text of every ConfigMap and every rendered configuration file, in
 * the Kubernetes DNS form `name.namespace.svc[.cluster.local][:port]`, with or without a scheme.
 */
import { Manifest, RenderedObject, objectRef } from '../stacks/objects';
import { ValidationProblem } from './index';

/** A Service port that exists without gitplane rendering it (created by an operator or chart). */
export interface KnownService {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
}

/** Where an address was found: a file of the environment's output and a description of the place. */
interface Source {
  readonly file: string;
  readonly object: string;
  readonly where: string;
  readonly text: string;
}

/** An in-cluster address: optional scheme, Service name, namespace, optional port. */
export const ADDRESS = /\b(?:([a-z][a-z0-9+.-]*):\/\/)?([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\b(?::([0-9]+))?/g;
/** The port a scheme implies; a Map, so that a scheme such as `constructor` implies none. */
export const DEFAULT_PORTS: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['https', 443],
]);

/**
 * Problems of an environment's wiring, one per address that names a missing Service or port.
 *
 * @param configs rendered configuration files by name (`gitplane config`), checked besides the ConfigMaps
 * @param external Services other applications create (operator-managed ones)
 */
export function checkWiring(
  objects: readonly RenderedObject[],
  configs: ReadonlyMap<string, { content: string }>,
  external: readonly KnownService[],
  env: string,
): ValidationProblem[] {
  const services = new Map<string, Set<number>>();
  const add = (namespace: string, name: string, port: number) => {
    const key = `${namespace}/${name}`;
    services.set(key, (services.get(key) ?? new Set()).add(port));
  };
  for (const { manifest } of objects) {
    if (manifest.kind !== 'Service' || manifest.apiVersion !== 'v1') continue;
    const ports = ((manifest.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map((p) => p.port);
    for (const port of ports) add(manifest.metadata.namespace ?? 'default', manifest.metadata.name, port);
  }
  const externalKeys = new Set(external.map((s) => `${s.namespace}/${s.name}`));
  for (const s of external) add(s.namespace, s.name, s.port);

  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  for (const source of sources(objects, configs, env)) {
    for (const m of source.text.matchAll(ADDRESS)) {
      const [address, scheme, name, namespace, portText] = m;
      const key = `${source.file}|${address}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const port = portText !== undefined ? Number(portText) : scheme !== undefined ? DEFAULT_PORTS.get(scheme) : undefined;
      const say = (message: string) => problems.push({ file: source.file, object: source.object, message: `${source.where} points at ${address}, but ${message}` });
      const ports = services.get(`${namespace}/${name}`);
      if (!ports) {
        const inNamespace = [...services.keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1)).sort();
        say(
          `the environment has no Service "${name}" in namespace "${namespace}" (Services there: ${inNamespace.join(', ') || 'none'}). Point it at one of them, or turn on the component that provides it.`,
        );
      } else if (port === undefined) {
        say(`the address has no port and no scheme that implies one (Service ${namespace}/${name} serves ${[...ports].sort((a, b) => a - b).join(', ')}). Add the port.`);
      } else if (!ports.has(port)) {
        const origin = externalKeys.has(`${namespace}/${name}`) ? 'is created outside gitplane and known to serve' : 'serves';
        say(`Service ${namespace}/${name} has no port ${port} (it ${origin} ${[...ports].sort((a, b) => a - b).join(', ')}). Fix the port.`);
      }
    }
  }
  return problems;
}

/** ConfigMap data, then rendered configs that no ConfigMap carries (those go to Secrets or files). */
function* sources(objects: readonly RenderedObject[], configs: ReadonlyMap<string, { content: string }>, env: string): Generator<Source> {
  const inConfigMaps = new Set<string>();
  for (const { manifest, file } of objects) {
    if (manifest.kind !== 'ConfigMap') continue;
    for (const [key, text] of Object.entries((manifest as Manifest & { data?: Record<string, string> }).data ?? {})) {
      inConfigMaps.add(text);
      yield { file: `${env}/${file}`, object: objectRef(manifest), where: `data["${key}"]`, text };
    }
  }
  for (const [name, { content }] of configs) {
    if (inConfigMaps.has(content)) continue;
    yield { file: `gitplane config ${name} --env ${env}`, object: `config/${name}`, where: 'the file', text: content };
  }
}
