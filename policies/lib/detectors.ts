/**
 * Credential detectors for values found in manifests. A value is scanned as is, decoded from
 * base64 when it looks like base64, and, when it is a YAML/JSON document or `key = value` lines,
 * as a structure so that names such as `password` are seen beside their values.
 *
 * Templates and references are never credentials: `$(VAR)`, `${VAR}`, `{{ ... }}`, SOPS `ENC[...]`,
 * values of keys ending in `_file`/`File`/`Ref`/`Name`/`Path`, and absolute file paths.
 */
import { parseEmbedded } from './embedded';

export interface Detection {
  /** Detector name, e.g. `AWS access key id`. */
  readonly detector: string;
  /** Where the value sits, e.g. `data.alertmanager.yaml: receivers[0].slack_configs[0].api_url`. */
  readonly path: string;
  /** The value, redacted to its first characters. */
  readonly value: string;
}

interface PatternDetector {
  readonly name: string;
  readonly pattern: RegExp;
}

const PATTERNS: readonly PatternDetector[] = [
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { name: 'private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'Slack webhook URL', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/ },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { name: 'Microsoft Teams webhook URL', pattern: /https:\/\/[a-z0-9.-]+\.webhook\.office\.com\/webhookb2\/\S+|https:\/\/[a-z0-9.-]+\.logic\.azure\.com(?::443)?\/workflows\/\S*sig=\S+/i },
  { name: 'Discord webhook URL', pattern: /https:\/\/(?:canary\.|ptb\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/ },
  { name: 'credentials in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:(?!\$\(|\$\{|\{\{)[^\s@/]+@[^\s]+/i },
  { name: 'database connection string with a password', pattern: /\bjdbc:[a-z0-9]+:[^\s]*[?;&]password=(?!\$\(|\$\{|\{\{)[^&;\s]+|(?:^|;)\s*(?:password|pwd)\s*=\s*(?!\$\(|\$\{|\{\{)[^;\s]+\s*;.*(?:server|host|data source)\s*=|(?:server|host|data source)\s*=[^;]*;.*(?:password|pwd)\s*=\s*(?!\$\(|\$\{|\{\{)[^;\s]+/i },
  { name: 'docker registry auth', pattern: /"auths"\s*:\s*\{[\s\S]*"(?:auth|password)"\s*:\s*"[^"$]{4,}"/ },
];

/**
 * A literal every pattern above needs; most strings have none, and one search for all of them is
 * much cheaper than trying each pattern. Keep it in step with PATTERNS (every detector test
 * fails when it does not).
 */
export const PATTERN_HINT = /AKIA|ASIA|ABIA|ACCA|PRIVATE KEY|eyJ|hooks\.slack\.com|xox|webhook\.office\.com|logic\.azure\.com|discord|:\/\/|password|pwd|"auths"/i;

/** Keys whose literal value is a credential whatever it looks like. */
const KEYED: readonly { name: string; key: RegExp }[] = [
  { name: 'PagerDuty routing key', key: /^(?:routing_?key|service_?key|integration_?key|routingKey|serviceKey)$/i },
  { name: 'Opsgenie API key', key: /^opsgenie_?api_?key$|^apiKey$|^api_key$/i },
  { name: 'Slack API URL', key: /^slack_api_url$/i },
];

/** Names that say the value is secret. */
const SECRET_NAME = /(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth)$/i;
/** Names that hold a reference to a secret, not the secret. */
const REFERENCE_NAME = /(?:_file|File|_path|Path|Ref|_ref|Name|_name|existingSecret|Selector)$/;

export function isTemplateOrReference(value: string): boolean {
  return /\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[^}]+\}|\{\{[\s\S]*\}\}|^ENC\[|^<path:|^vault:|^ref\+/.test(value) || /^\/[^\s]*$/.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

export function redact(value: string): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length <= 12 ? `${flat.slice(0, 4)}…` : `${flat.slice(0, 12)}… (${value.length} characters)`;
}

/** Every credential found in a value (any JSON value), with paths below `path`. */
export function scanValue(value: unknown, path: string, key = '', depth = 0): Detection[] {
  const found: Detection[] = [];
  walk(value, path, key, depth, found);
  return found;
}

function walk(value: unknown, path: string, key: string, depth: number, found: Detection[]): void {
  if (value === null || value === undefined || depth > 12) return;
  if (typeof value === 'string') {
    const detections = scanString(value, path, key, depth);
    for (const d of detections) found.push(d);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`, key, depth + 1, found);
  } else if (typeof value === 'object') {
    for (const k in value as Record<string, unknown>) walk((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, k, depth + 1, found);
  }
}

function scanString(value: string, path: string, key: string, depth: number): Detection[] {
  const found: Detection[] = [];
  if (PATTERN_HINT.test(value)) {
    for (const d of PATTERNS) {
      const m = d.pattern.exec(value);
      if (m) found.push({ detector: d.name, path, value: redact(m[0]) });
    }
    if (found.length > 0) return found;
  }
  const trimmed = value.trim();
  if (key && trimmed && !isTemplateOrReference(trimmed)) {
    const keyed = KEYED.find((k) => k.key.test(key) && !trimmed.startsWith('http://') && !/^https?:\/\/[^/]*\.svc/.test(trimmed));
    if (keyed && trimmed.length >= 8 && !trimmed.includes(' ')) return [{ detector: keyed.name, path, value: redact(trimmed) }];
    // Lower-case words joined by '-' are object names (secret: etcd-backup-credentials), not secrets.
    const looksLikeName = /^[a-z][a-z-]*[a-z]$/.test(trimmed);
    if (SECRET_NAME.test(key) && !REFERENCE_NAME.test(key) && !looksLikeName && trimmed.length >= 8 && !trimmed.includes(' ') && entropy(trimmed) >= 3) {
      return [{ detector: `high-entropy value under the secret-like name "${key}"`, path, value: redact(trimmed) }];
    }
  }
  if (depth > 8) return [];
  const decoded = decodeBase64(trimmed);
  if (decoded !== undefined) return scanString(decoded, `${path} (base64-decoded)`, key, depth + 4);
  if (/\n/.test(trimmed) || /^[{[]/.test(trimmed) || /^[\w.-]+:\s/.test(trimmed)) {
    const doc = parseEmbedded(withoutTemplates(trimmed));
    if (doc && typeof doc === 'object') return scanValue(doc, '', '', depth + 2).map((d) => ({ ...d, path: `${path}: ${d.path}` }));
    return trimmed.split('\n').flatMap((line) => {
      const kv = /^\s*([A-Za-z0-9_.-]+)\s*[=:]\s*(.+?)\s*$/.exec(line);
      return kv ? scanString(kv[2].replace(/^["']|["']$/g, ''), `${path}: ${kv[1]}`, kv[1], depth + 2) : [];
    });
  }
  return [];
}


/**
 * Go templates (`{{ .name }}`) replaced by a `$(TEMPLATE)` placeholder: a template is not a
 * credential, and unmasked, `{{ .name }}` parses as a map used as a key.
 */
function withoutTemplates(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, '$(TEMPLATE)');
}

/** The decoded text when a value is base64 of mostly printable text. */
function decodeBase64(value: string): string | undefined {
  if (value.length < 16 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  const printable = [...text].filter((c) => /[\x20-\x7e\n\r\t]/.test(c)).length;
  return text.length > 0 && printable / text.length > 0.95 ? text : undefined;
}
