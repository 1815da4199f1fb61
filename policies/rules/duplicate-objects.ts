import { RenderedObject } from '../../stacks/objects';
import { groupOf } from '../data/crd-owners';
import { applicationOf, describeAt, instancesOf, landingNamespace, namespaceOf } from '../lib/argocd';
import { docsUrl } from '../lib/docs-url';
import { parseYamlFile } from '../lib/embedded';
import { ofKind, push } from '../lib/lookup';
import { appOf } from '../lib/ordering';
import { containers, Json, podTemplate, WORKLOAD_KINDS } from '../lib/workloads';
import { EnvironmentRule, PolicyContext, RuleFinding } from '../types';
import { mapsOf } from '../lib/shape';

export const rule: EnvironmentRule = {
  id: 'duplicate-objects',
  scope: 'environment',
  severity: 'error',
  pack: 'core',
  description:
    "No object (group, kind, namespace, name on one cluster) is produced twice, by gitplane and a chart or by two applications; and the Grafana datasource files its sidecar collects neither provision one uid twice in an organization, nor mark more than one datasource of an organization default, nor write the same file twice.",
  rationale:
    "Two Applications that apply one object overwrite each other on every sync and never settle; within one Application Argo CD keeps only the last copy. Grafana refuses to provision datasources when an organization has two defaults or one uid twice, and then does not start, which is what a chart's datasource beside gitplane's does.",
  remediation:
    "Produce the object in one place only: turn the chart's copy off with its values (kube-prometheus-stack's grafana.sidecar.datasources.defaultDatasourceEnabled: false, say) or drop gitplane's; give every datasource its own uid and mark one default per organization.",
  docsUrl: docsUrl('duplicate-objects'),
  kinds: [],
  check(ctx) {
    const findings = [...duplicateObjects(ctx), ...datasourceConflicts(ctx)];
    const seen = new Set<string>();
    // A fleet repeats every object on each cluster; say each conflict once.
    return findings.filter((f) => {
      const key = `${f.object?.file}\u0000${f.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
};

interface Placed {
  readonly object: RenderedObject;
  /** Name of the Application or ApplicationSet that applies it, or its folder when none does. */
  readonly application: string;
  readonly namespace?: string;
}

/** Where an object lands: one placement per cluster its Application runs on. */
function placements(o: RenderedObject, ctx: PolicyContext, into: { cluster: string; placed: Placed }[]): void {
  const application = applicationOf(o, ctx);
  const name = application?.manifest.metadata?.name ?? (appOf(o) || '(no application)');
  for (const i of application ? instancesOf(application, ctx) : [undefined]) {
    into.push({ cluster: i?.server ?? i?.clusterName ?? '', placed: { object: o, application: name, namespace: landingNamespace(o, i, ctx) } });
  }
}

function duplicateObjects(ctx: PolicyContext): RuleFinding[] {
  // Placements by the object's name first: only objects of one name can be one object, and most
  // names are unique, so the whole key (cluster, group, kind, namespace) is spelled for the rest alone.
  const all: { cluster: string; placed: Placed }[] = [];
  for (const o of ctx.objects) placements(o, ctx, all);
  const byName = new Map<string, number[]>();
  all.forEach(({ placed }, i) => push(byName, `${placed.object.manifest.metadata?.name ?? ''}`, i));
  // Keys that recur, each with its placements in the order found; sorted by where each key first occurs.
  const repeated: Placed[][] = [];
  const firstAt = new Map<Placed[], number>();
  for (const indexes of byName.values()) {
    if (indexes.length < 2) continue;
    const byKey = new Map<string, Placed[]>();
    for (const i of indexes) {
      const { cluster, placed } = all[i];
      const m = placed.object.manifest;
      const key = `${cluster}\u0000${groupOf(m.apiVersion ?? '')}\u0000${m.kind}\u0000${placed.namespace ?? ''}`;
      const copies = byKey.get(key);
      if (copies) copies.push(placed);
      else {
        const fresh = [placed];
        byKey.set(key, fresh);
        firstAt.set(fresh, i);
      }
    }
    for (const copies of byKey.values()) if (copies.length > 1) repeated.push(copies);
  }
  repeated.sort((a, b) => firstAt.get(a)! - firstAt.get(b)!);
  const findings: RuleFinding[] = [];
  for (const [first, ...rest] of repeated) {
    for (const later of rest) {
      const same = later.application === first.application;
      findings.push({
        object: later.object,
        message: `${describeAt(later.object, later.namespace)} is produced twice: by application ${first.application} (${first.object.file}) and by application ${later.application} (${later.object.file}); ${same ? 'Argo CD applies only the last copy' : 'the two applications overwrite each other on every sync and never settle'}.`,
        value: `${first.object.file}, ${later.object.file}`,
      });
    }
  }
  return findings;
}

/** How one Grafana's datasource sidecar (kiwigrid k8s-sidecar, as the grafana chart configures it) finds provisioning files. */
interface Sidecar {
  readonly label: string;
  /** Any value of the label when undefined. */
  readonly labelValue?: string;
  /** Namespaces searched; 'ALL' for every one. */
  readonly namespaces: readonly string[] | 'ALL';
  readonly resource: string;
}

/** The datasource sidecar kube-prometheus-stack configures, assumed when no rendered Grafana shows its own. */
const ASSUMED_SIDECAR: Sidecar = { label: 'grafana_datasource', namespaces: 'ALL', resource: 'both' };

function sidecars(ctx: PolicyContext): Sidecar[] {
  const found: Sidecar[] = [];
  for (const kind of WORKLOAD_KINDS) {
    for (const o of ofKind(ctx, kind)) {
      const t = podTemplate(o.manifest);
      if (!t) continue;
      for (const { container } of containers(t)) {
        const env = new Map<string, string>(mapsOf(container.env).filter((e) => typeof e?.value === 'string').map((e) => [e.name, e.value]));
        if (!/\/provisioning\/datasources\/?$/.test(env.get('FOLDER') ?? '') || !env.get('LABEL')) continue;
        const search = env.get('NAMESPACE');
        found.push({
          label: env.get('LABEL')!,
          labelValue: env.get('LABEL_VALUE'),
          namespaces: search === 'ALL' ? 'ALL' : search ? search.split(',').map((s) => s.trim()) : [namespaceOf(o, ctx)],
          resource: env.get('RESOURCE') ?? 'configmap',
        });
      }
    }
  }
  return found.length > 0 ? found : [ASSUMED_SIDECAR];
}

interface Provisioned {
  readonly source: RenderedObject;
  /** `ConfigMap monitoring/name (key)`. */
  readonly where: string;
  readonly key: string;
}

/** The files a sidecar writes into Grafana's provisioning folder: one per data key of every labelled ConfigMap or Secret it watches. */
function provisioningFiles(sidecar: Sidecar, ctx: PolicyContext): { file: Provisioned; text: string }[] {
  const kinds = sidecar.resource === 'both' ? ['ConfigMap', 'Secret'] : sidecar.resource === 'secret' ? ['Secret'] : ['ConfigMap'];
  const files: { file: Provisioned; text: string }[] = [];
  for (const kind of kinds) {
    for (const o of ofKind(ctx, kind)) {
      const value = o.manifest.metadata?.labels?.[sidecar.label];
      if (value === undefined || (sidecar.labelValue !== undefined && value !== sidecar.labelValue)) continue;
      const namespace = namespaceOf(o, ctx);
      if (sidecar.namespaces !== 'ALL' && !sidecar.namespaces.includes(namespace)) continue;
      const m = o.manifest as Json;
      const entries: [string, string][] = [
        ...Object.entries((m.data ?? {}) as Record<string, string>).map(([k, v]): [string, string] => [k, kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v)]),
        ...Object.entries((m.stringData ?? {}) as Record<string, string>).map(([k, v]): [string, string] => [k, String(v)]),
      ];
      for (const [key, text] of entries) files.push({ file: { source: o, key, where: `${kind} ${namespace}/${m.metadata.name} (${key})` }, text });
    }
  }
  return files;
}

interface Datasource {
  readonly name: string;
  readonly uid?: string;
  readonly org: number;
  readonly isDefault: boolean;
  readonly file: Provisioned;
}

/**
 * Conflicts among the datasources one sidecar provisions: Grafana reads every `.yaml`/`.yml` file
 * of the folder, counts defaults per organization (orgId, 1 when unset) and refuses a second.
 *
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources
 */
function datasourceConflicts(ctx: PolicyContext): RuleFinding[] {
  const findings: RuleFinding[] = [];
  // Sidecars configured alike (one per Grafana of a fleet's clusters) provision the same files: judge them once.
  const distinct = new Map(sidecars(ctx).map((s) => [JSON.stringify(s), s]));
  const parsed = new Map<string, ReturnType<typeof parseYamlFile>>();
  for (const sidecar of distinct.values()) {
    const files = provisioningFiles(sidecar, ctx);
    const written = new Map<string, Provisioned>();
    const datasources: Datasource[] = [];
    for (const { file, text } of files) {
      const earlier = written.get(file.key);
      if (earlier) {
        findings.push({ object: file.source, message: `${file.where} and ${earlier.where} both become the file ${file.key} in Grafana's datasource folder; one replaces the other.`, value: file.key });
      }
      written.set(file.key, file);
      if (!/\.ya?ml$/.test(file.key)) continue;
      // The same provisioning file recurs in every copy of its ConfigMap (a fleet's, say): parse each text once.
      let read = parsed.get(text);
      if (!read) {
        read = parseYamlFile(text);
        parsed.set(text, read);
      }
      if ('error' in read) {
        findings.push({ object: file.source, message: `${file.where} is not valid YAML (${read.error}); Grafana refuses to provision datasources and does not start.`, value: file.key });
        continue;
      }
      const doc = read.value as Json;
      for (const ds of (Array.isArray(doc?.datasources) ? doc.datasources : []) as Json[]) {
        datasources.push({ name: String(ds?.name), uid: typeof ds?.uid === 'string' ? ds.uid : undefined, org: Number(ds?.orgId) || 1, isDefault: ds?.isDefault === true, file });
      }
    }
    const byUid = new Map<string, Datasource>();
    for (const ds of datasources.filter((d) => d.uid !== undefined)) {
      const key = `${ds.org}\u0000${ds.uid}`;
      const first = byUid.get(key);
      if (!first) {
        byUid.set(key, ds);
        continue;
      }
      findings.push({
        object: ds.file.source,
        message: `Grafana datasource uid ${ds.uid} (organization ${ds.org}) is provisioned twice: ${first.name} by ${first.file.where} and ${ds.name} by ${ds.file.where}; one overwrites the other or provisioning fails.`,
        value: ds.uid,
      });
    }
    for (const org of [...new Set(datasources.map((d) => d.org))].sort((a, b) => a - b)) {
      const defaults = datasources.filter((d) => d.org === org && d.isDefault);
      if (defaults.length < 2) continue;
      findings.push({
        object: defaults[1].file.source,
        message: `Grafana organization ${org} has ${defaults.length} default datasources (${defaults.map((d) => `${d.name} by ${d.file.where}`).join(', ')}); Grafana refuses to provision them (only one datasource per organization can be marked as default) and does not start.`,
        value: defaults.map((d) => d.name).join(', '),
      });
    }
  }
  return findings;
}
