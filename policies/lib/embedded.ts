/**
 * Structured text embedded in string values (config files in ConfigMaps, Helm values, dashboards),
 * parsed once per distinct text: several rules read the same strings, and the same configs recur
 * across environments.
 *
 * Parsing YAML is the largest cost of the rules on a real environment (the yaml package reads
 * about a megabyte a second), and the texts recur from run to run too: a command may keep the
 * parsed documents between runs (`keepParsedIn`), as entries of stacks/content-cache.ts keyed by
 * the text and the yaml release, read back with JSON.parse. Only documents JSON gives back exactly
 * are kept (no NaN, infinities, -0, shared or circular values, `__proto__` keys); any other is
 * parsed again each run. The rules see the same values either way.
 */
import { parse } from 'yaml';
import { contentKey, pruneDaily, readEntry, writeEntry } from '../../stacks/content-cache';
import { jsonExact } from '../../stacks/json-exact';

const MAX_ENTRIES = 4096;
const cache = new Map<string, unknown>();
/** Changes when what an entry holds, or how the text is parsed, changes (the yaml release included). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FORMAT = `embedded 1 yaml ${(require('yaml/package.json') as { version: string }).version}`;
/** The body of an entry for a text that is neither JSON nor YAML. */
const NOT_A_DOCUMENT = '';
let store: string | undefined;

/** Keeps parsed documents in `dir` between runs (undefined: in this process only). */
export function keepParsedIn(dir: string | undefined): void {
  store = dir;
  if (dir !== undefined) pruneDaily(dir);
}

/** The parsed document, or undefined when the text is neither JSON nor YAML. */
export function parseEmbedded(text: string): unknown {
  const known = cache.get(text);
  if (known !== undefined || cache.has(text)) return known;
  const value = parseText(text);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(text, value);
  return value;
}

/**
 * A YAML file's text as the yaml package's `parse` reads it (the whole text, no JSON shortcut),
 * or the first line of the error it throws: for rules that judge the file as its reader would.
 * Documents are kept between runs as parseEmbedded's are; a text that fails is parsed each time.
 */
export function parseYamlFile(text: string): { value: unknown } | { error: string } {
  const value = store === undefined ? parseYaml(text) : parseKept(store, text);
  if (value !== undefined) return { value };
  try {
    return { value: parse(text, { logLevel: 'error' }) };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  }
}

/** A YAML document kept in `dir` (parsed and kept when it is not there yet). */
function parseKept(dir: string, text: string): unknown {
  const key = contentKey([FORMAT, text]);
  const kept = readEntry(dir, key);
  if (kept !== undefined) return kept === NOT_A_DOCUMENT ? undefined : JSON.parse(kept);
  const value = parseYaml(text);
  if (value === undefined) writeEntry(dir, key, NOT_A_DOCUMENT);
  else if (jsonExact(value)) writeEntry(dir, key, JSON.stringify(value));
  return value;
}

function parseText(text: string): unknown {
  const trimmed = text.trim();
  // JSON (dashboards, most generated configs) parses an order of magnitude faster than as YAML.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // not JSON; YAML flow syntax is tried below
    }
  }
  return store === undefined ? parseYaml(trimmed) : parseKept(store, trimmed);
}

function parseYaml(text: string): unknown {
  try {
    // Go templates such as `{{ .name }}` read as YAML flow mappings with mapping keys; the yaml
    // library warns about those on stderr, which is noise in a policy report.
    return parse(text, { logLevel: 'error' });
  } catch {
    return undefined;
  }
}
