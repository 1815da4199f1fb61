/**
 * Structured text embedded in string values (config files in ConfigMaps, Helm values, dashboards),
 * parsed once per distinct text: several rules read the same strings, and the same configs recur
 * across environments.
 */
import { parse } from 'yaml';

const MAX_ENTRIES = 4096;
const cache = new Map<string, unknown>();

/** The parsed document, or undefined when the text is neither JSON nor YAML. */
export function parseEmbedded(text: string): unknown {
  if (cache.has(text)) return cache.get(text);
  const value = parseText(text);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(text, value);
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
  try {
    // Go templates such as `{{ .name }}` read as YAML flow mappings with mapping keys; the yaml
    // library warns about those on stderr, which is noise in a policy report.
    return parse(trimmed, { logLevel: 'error' });
  } catch {
    return undefined;
  }
}
