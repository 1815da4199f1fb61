/**
 * The namespaces a pinned chart's own templates write literally (`namespace: kube-system`), for
 * the values given, as far as that can be read without Helm: each `namespace:` line is counted
 * when every `if` around it holds. A condition made only of `.Values` paths (`if .Values.a`,
 * `if and .Values.a .Values.b`) is decided on the values; any other condition is taken to hold,
 * so a namespace is never missed, only possibly over-counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { readTarGz } from '../../stacks/chart-archive';
import { Manifest } from '../../stacks/objects';
import { SHARED_DIR } from './cli';

export const CHARTS = path.join(SHARED_DIR, 'charts');

type Values = Record<string, unknown>;

function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Go template truth: false, 0, nil and empty strings and collections are false. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

function lookup(values: Values, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), values);
}

/** Whether an `if` condition holds: decided for `.Values` paths joined by `and`, assumed otherwise. */
function holds(condition: string, values: Values): boolean {
  const words = condition.trim().split(/\s+/);
  const paths = words[0] === 'and' ? words.slice(1) : words;
  if (!paths.every((w) => /^\.Values(\.[A-Za-z0-9_]+)+$/.test(w))) return true;
  return paths.every((w) => truthy(lookup(values, w.slice('.Values.'.length))));
}

const ACTION = /\{\{-?\s*(?:(if|else if|else|with|range|end|define|block)\b)?([^}]*?)-?\}\}/g;

/**
 * The lines of a template that render with these values: those whose enclosing conditions hold,
 * without the lines that hold only actions. Other actions stay as written.
 */
export function renderedLines(template: string, values: Values): string[] {
  const kept: string[] = [];
  const stack: boolean[] = [];
  for (const line of template.split('\n')) {
    if (line.replace(ACTION, '').trim() !== '') {
      if (stack.every(Boolean)) kept.push(line);
      continue;
    }
    for (const [, action, rest] of line.matchAll(ACTION)) {
      if (action === 'if') stack.push(holds(rest, values));
      else if (action === 'else') stack.push(!stack.pop());
      else if (action === 'else if') stack.push(!stack.pop() && holds(rest, values));
      else if (action === 'end') stack.pop();
      else if (action !== undefined) stack.push(true);
    }
  }
  return kept;
}

/** Literal namespaces of one template's objects whose enclosing conditions hold. */
export function literalNamespaces(template: string, values: Values): string[] {
  return renderedLines(template, values).flatMap((line) => /^\s*namespace:\s*"?([a-z0-9-]+)"?\s*$/.exec(line)?.[1] ?? []);
}

function chartFiles(chart: string, version: string): Map<string, Buffer> {
  return readTarGz(fs.readFileSync(path.join(CHARTS, `${chart}-${version}.tgz`)));
}

/** The values a pinned chart renders with: its own values.yaml with `values` merged over it, as Helm merges them. */
export function chartValues(chart: string, version: string, values: Values): Values {
  const defaults = parse(chartFiles(chart, version).get(`${chart}/values.yaml`)!.toString('utf8')) as Values;
  return merge(defaults, values) as Values;
}

/**
 * Namespaces the templates of the pinned `chart` archive (its own, not its subcharts') write
 * literally, with its default values under `values`.
 */
export function chartLiteralNamespaces(chart: string, version: string, values: Values): string[] {
  const files = chartFiles(chart, version);
  const merged = chartValues(chart, version, values);
  const namespaces = new Set<string>();
  for (const [file, content] of files) {
    if (!file.startsWith(`${chart}/templates/`) || path.basename(file).startsWith('_')) continue;
    for (const ns of literalNamespaces(content.toString('utf8'), merged)) namespaces.add(ns);
  }
  return [...namespaces].sort();
}

/**
 * The NetworkPolicies of a pinned chart's own templates, rendered with its defaults under
 * `values` as far as that can be read without Helm: a templated namespace is the release's, and
 * a policy that keeps any other template action is left out.
 */
export function chartNetworkPolicies(chart: string, version: string, namespace: string, values: Values): Manifest[] {
  const merged = chartValues(chart, version, values);
  const policies: Manifest[] = [];
  for (const [file, content] of chartFiles(chart, version)) {
    if (!file.startsWith(`${chart}/templates/`) || !file.endsWith('.yaml')) continue;
    const text = renderedLines(content.toString('utf8'), merged)
      .map((line) => line.replace(/^(\s*namespace:\s*)\{\{.*\}\}\s*$/, `$1${namespace}`))
      .join('\n');
    for (const doc of text.split(/^---$/m)) {
      if (!/^kind: NetworkPolicy$/m.test(doc) || doc.includes('{{')) continue;
      policies.push(parse(doc) as Manifest);
    }
  }
  return policies;
}
