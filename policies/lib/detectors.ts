/**
 * Credential detectors for values found in manifests and environment files, in one pass over the
 * strings of a value.
 *
 * Two sets of detectors look at each string:
 * - token formats of named providers (GitHub, Stripe, npm, Slack, AWS, GitLab, Grafana, ...), from
 *   secretlint's maintained rule preset, run only on strings holding one of the literals its rules
 *   need (PRESET_MARKERS);
 * - gitplane's own, which know where credentials hide in Kubernetes configuration: private keys,
 *   JWTs, webhooks, credentials in URLs, query strings and connection strings (Azure storage
 *   `AccountKey=`), command-line flags (`--db-password=...`, `mysql -p<pw>`), docker auths,
 *   alerting keys, and random-looking values under secret-like names (map keys, env var names,
 *   `{name, value}` pairs, the flag before an argument).
 * A value is also scanned decoded from base64 when it looks like base64, and, when it is a
 * YAML/JSON document or `key = value` lines, as a structure so that names are seen beside values.
 *
 * Never credentials: templates and references (`$(VAR)`, `${VAR}`, `{{ ... }}`, SOPS `ENC[...]`,
 * Grafana's `$__file{...}`/`$__env{...}`), placeholders (`<your-token-here>`, `changeme`),
 * values of keys ending in `_file`/`File`/`Ref`/`Name`/`Path`, absolute file paths, and AWS's
 * documented example keys.
 *
 * @see https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend
 */
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { parseEmbedded } from './embedded';

export interface Detection {
  /** Detector name, e.g. `GitHub Token(GitHub personal access tokens)`. */
  readonly detector: string;
  /** Where the value sits, e.g. `data.alertmanager.yaml: receivers[0].slack_configs[0].api_url`. */
  readonly path: string;
  /** The value, redacted to its first characters and its length. */
  readonly value: string;
}

// ---- secretlint's rule preset -------------------------------------------------------------------

/** The part of secretlint's rule contract gitplane drives: `create(context, options).file(source)`. */
interface PresetRule {
  readonly meta: { readonly id: string };
  readonly messages: Record<string, { en: (props: Record<string, string>) => string }>;
  create(context: PresetContext, options: object): { file?: (source: { content: string; contentType: 'text' }) => unknown };
}
interface PresetContext {
  report(descriptor: { message: string; range: readonly [number, number] }): void;
  ignore(): void;
  createTranslator(messages: PresetRule['messages']): (id: string, props?: Record<string, string>) => string;
}

/**
 * Literals (lower case) the patterns of each rule of the preset need. A string holding none of
 * them cannot match the rule, so it is not run: most strings of a manifest hold none, and one
 * search for all literals costs less than one rule. test/policies/detectors.test.ts fails when a
 * rule of the preset has no entry here, so a preset upgrade cannot add a rule that never runs.
 */
export const PRESET_MARKERS: Readonly<Record<string, readonly string[]>> = {
  '1password': ['ops_ey'],
  anthropic: ['sk-ant-'],
  aws: ['akia', 'asia', 'a3t', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'secretaccess', 'secret_access'],
  basicauth: ['://'],
  cloudflare: ['cfk_', 'cfut_', 'cfat_'],
  'database-connection-string': ['mongodb', 'mysql', 'postgres'],
  databricks: ['dapi'],
  docker: ['dckr_pat_'],
  figma: ['figd_'],
  github: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  gitlab: ['glpat-'],
  grafana: ['glc_', 'glsa_'],
  groq: ['gsk_'],
  'hashicorp-vault': ['hvs.', 'hvb.', 'hvr.'],
  huggingface: ['hf_'],
  linear: ['lin_api_'],
  notion: ['ntn_'],
  npm: ['npm_', 'x-oauth-basic'],
  openai: ['sk-'],
  privatekey: ['private key'],
  sendgrid: ['sg.'],
  shopify: ['shppa_', 'shpca_', 'shpat_', 'shpss_'],
  slack: ['xox', 'xapp', 'hooks.slack.com'],
  stripe: ['sk_live', 'sk_test', 'rk_live', 'rk_test'],
  tailscale: ['tskey-'],
  vercel: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
};

/**
 * Rules of the preset gitplane leaves out: `gcp` reads only `.json`/`.p12` files by name (a GCP
 * service account key in a manifest is caught by its private key), and `filter-comments` would let
 * a `secretlint-disable` comment inside a value switch detection off.
 */
export const PRESET_EXCLUDED: readonly string[] = ['gcp', 'filter-comments'];

/** Findings of the preset that are not credentials: an AWS account id is an identifier. */
const PRESET_IGNORED_MESSAGES = new Set(['AWSAccountID']);

/** Options per rule: the AWS rule reports access key ids only when asked to. */
const PRESET_OPTIONS: Readonly<Record<string, object>> = { aws: { enableIDScanRule: true } };

interface PresetFinding {
  readonly rule: string;
  readonly detector: string;
  readonly match: string;
}

/** Rules for credentials of any service; a provider's token format inside their match names it better. */
const GENERIC_RULES = new Set(['basicauth', 'database-connection-string']);

const presetFindings: PresetFinding[] = [];
let presetContent = '';

/** One handler per rule; findings land in `presetFindings` while `runPreset` runs. */
const PRESET: ReadonlyMap<string, { file: (source: { content: string; contentType: 'text' }) => unknown }> = new Map(
  (presetRules as unknown as PresetRule[]).flatMap((rule) => {
    const id = shortId(rule.meta.id);
    if (PRESET_EXCLUDED.includes(id)) return [];
    // A rule translates its message (quoting the secret) just before it reports; the translator
    // keeps the message id and its values, and the finding is described without the secret.
    let translated: { id: string; props: Record<string, string> } = { id: '', props: {} };
    const context: PresetContext = {
      report({ range }) {
        if (PRESET_IGNORED_MESSAGES.has(translated.id)) return;
        presetFindings.push({ rule: id, detector: describe(rule.messages[translated.id]?.en, translated), match: presetContent.slice(range[0], range[1]) });
      },
      ignore() {},
      createTranslator() {
        return (messageId, props) => {
          translated = { id: messageId, props: props ?? {} };
          return messageId;
        };
      },
    };
    const handler = rule.create(context, PRESET_OPTIONS[id] ?? {});
    return handler.file ? [[id, { file: handler.file }] as const] : [];
  }),
);

function shortId(id: string): string {
  return id.replace(/^@secretlint\/secretlint-rule-/, '');
}

/** `found GitHub Token(...): ghp_...` with the values found in the text left out: `GitHub Token(...)`. */
function describe(en: ((props: Record<string, string>) => string) | undefined, message: { id: string; props: Record<string, string> }): string {
  if (!en) return message.id;
  const props = Object.fromEntries(Object.entries(message.props).map(([k, v]) => [k, typeof v === 'string' && presetContent.includes(v) ? '' : v]));
  return en(props).replace(/^found\s+/i, '').replace(/[:\s]+$/, '').trim();
}

const MARKER_RULES = new Map<string, string[]>();
for (const [rule, markers] of Object.entries(PRESET_MARKERS)) {
  for (const m of markers) MARKER_RULES.set(m, [...(MARKER_RULES.get(m) ?? []), rule]);
}
const MARKERS = new RegExp([...MARKER_RULES.keys()].map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');

/** The preset's findings in one string; only the rules whose literals occur in it run. */
function runPreset(value: string): PresetFinding[] {
  const rules = new Set<string>();
  MARKERS.lastIndex = 0;
  for (let m = MARKERS.exec(value); m; m = MARKERS.exec(value)) {
    for (const r of MARKER_RULES.get(m[0].toLowerCase()) ?? []) rules.add(r);
  }
  if (rules.size === 0) return [];
  presetFindings.length = 0;
  presetContent = value;
  for (const r of rules) PRESET.get(r)?.file({ content: value, contentType: 'text' });
  return presetFindings.splice(0).sort((a, b) => Number(GENERIC_RULES.has(a.rule)) - Number(GENERIC_RULES.has(b.rule)));
}

// ---- gitplane's own detectors -------------------------------------------------------------------

/** Names that say the value is secret. */
const SECRET_NAME = /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|account[_-]?key|private[_-]?key|credentials?|auth|sig)$/i;
/**
 * Names that hold a reference to a secret, or a digest of one (Helm's `checksum/secret`), not the
 * secret.
 */
const REFERENCE_NAME = /(?:_file|-file|File|_path|-path|Path|Ref|_ref|-ref|Name|_name|-name|existingSecret|Selector)$|checksum|digest|sha(?:1|256|384|512)|hash|fingerprint/i;

interface PatternDetector {
  readonly name: string;
  readonly pattern: RegExp;
  /** The group holding the secret; the whole match when absent. */
  readonly group?: number;
}

/** Not a credential: the part of a match that says so is a template, reference or placeholder. */
const NOT_LITERAL = String.raw`(?!\$\(|\$\{|\{\{|\$__|<|\$[A-Z_])`;

const PATTERNS: readonly PatternDetector[] = [
  { name: 'private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'Slack webhook URL', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/ },
  { name: 'Microsoft Teams webhook URL', pattern: /https:\/\/[a-z0-9.-]+\.webhook\.office\.com\/webhookb2\/\S+|https:\/\/[a-z0-9.-]+\.logic\.azure\.com(?::443)?\/workflows\/\S*sig=\S+/i },
  { name: 'Discord webhook URL', pattern: /https:\/\/(?:canary\.|ptb\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/ },
  { name: 'credentials in a URL', pattern: new RegExp(String.raw`\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:${NOT_LITERAL}([^\s@/]+)@[^\s]+`, 'i'), group: 1 },
  {
    name: 'secret in a URL query string',
    pattern: new RegExp(String.raw`[?&;][\w.-]*(?:token|password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|sig|signature|auth)=${NOT_LITERAL}([^&#;\s"']{8,})`, 'i'),
    group: 1,
  },
  {
    name: 'connection string with a secret',
    pattern: new RegExp(String.raw`(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*${NOT_LITERAL}([^;\s]+)`, 'i'),
    group: 1,
  },
  {
    name: 'secret in a command-line flag',
    pattern: new RegExp(String.raw`(?:^|\s)--?[\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[=:]${NOT_LITERAL}(?!/)([^\s"']{6,})`, 'i'),
    group: 1,
  },
  { name: 'password in a MySQL command (-p<password>)', pattern: new RegExp(String.raw`\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^|;&\n]*?\s-p${NOT_LITERAL}([^\s"']{4,})`), group: 1 },
  { name: 'docker registry auth', pattern: /"auths"\s*:\s*\{[\s\S]*"(?:auth|password)"\s*:\s*"([^"$]{4,})"/, group: 1 },
];

/**
 * A literal every pattern above needs; most strings have none, and one search for all of them is
 * much cheaper than trying each pattern. Keep it in step with PATTERNS (every detector test
 * fails when it does not).
 */
export const PATTERN_HINT = /PRIVATE KEY|eyJ|hooks\.slack\.com|webhook\.office\.com|logic\.azure\.com|discord|:\/\/|[?&;][\w.-]*=|password|passwd|pwd|accountkey|sharedaccess|secret|token|api[_-]?key|access[_-]?key|mysql|mariadb|"auths"/i;

/** A MySQL or MariaDB client program, as the first element of a command. */
const MYSQL_CLIENT = /^(?:\S*\/)?(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)$/;

/** Keys whose literal value is a credential whatever it looks like. */
const KEYED: readonly { name: string; key: RegExp }[] = [
  { name: 'PagerDuty routing key', key: /^(?:routing_?key|service_?key|integration_?key|routingKey|serviceKey)$/i },
  { name: 'Opsgenie API key', key: /^opsgenie_?api_?key$|^apiKey$|^api_key$/i },
  { name: 'Slack API URL', key: /^slack_api_url$/i },
];

/** Values that stand for a credential without being one. */
export function isTemplateOrReference(value: string): boolean {
  return (
    /\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[^}]+\}|\{\{[\s\S]*\}\}|\$__(?:file|env|vault)\{|^ENC\[|^<path:|^vault:|^ref\+|^\$[A-Z_][A-Z0-9_]*$/.test(value) ||
    /^\/[^\s]*$/.test(value) ||
    isPlaceholder(value)
  );
}

/**
 * `<your-token-here>`, `changeme`, `xxxx`: words for "put the secret here"; and documented
 * examples, which end in EXAMPLE or EXAMPLEKEY (AWS's AKIAIOSFODNN7EXAMPLE and its secret key).
 */
function isPlaceholder(value: string): boolean {
  return /^<[^<>]*>$|^\[[^[\]]*\]$|EXAMPLE(?:KEY)?$/.test(value) || /^(?:x+|\*+|\.+|changeme|change-me|change_me|redacted|replaceme|replace-me|todo|none|null|secret|password|token)$/i.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

/** The first characters of a value and its length; never the whole secret. */
export function redact(value: string): string {
  const flat = value.replace(/\s+/g, ' ');
  const shown = Math.min(6, Math.floor(flat.length / 4));
  return `${flat.slice(0, shown)}… (${value.length} characters)`;
}

/** Every credential found in a value (any JSON value), with paths below `path`. */
export function scanValue(value: unknown, path: string, key = '', depth = 0): Detection[] {
  const found: Detection[] = [];
  walk(value, { root: path, steps: [] }, key, depth, found);
  return found;
}

/**
 * Where the walk is: a root path and the steps below it (a key, an array index, or the name a
 * `{name, value}` pair gives its value). The path is spelled out only for a string that holds a
 * credential; most hold none.
 */
interface Place {
  readonly root: string;
  readonly steps: (string | number | { readonly named: string })[];
}

/** `root.key[0].value (NAME)`. */
function spell(place: Place): string {
  let path = place.root;
  for (const step of place.steps) {
    if (typeof step === 'number') path = `${path}[${step}]`;
    else if (typeof step === 'string') path = path ? `${path}.${step}` : step;
    else path = `${path} (${step.named})`;
  }
  return path;
}

function walk(value: unknown, place: Place, key: string, depth: number, found: Detection[]): void {
  if (value === null || value === undefined || depth > 12) return;
  if (typeof value === 'string') {
    const detections = detectionsOf(value, key, depth);
    if (detections.length > 0) for (const d of relocate(detections, spell(place))) found.push(d);
  } else if (Array.isArray(value)) {
    // In argument lists (`[--db-password, VALUE]`) a flag names the argument after it, and in
    // a MySQL client's (`[mysql, -uroot, -pVALUE]`) `-p` carries the password.
    const mysql = value.some((v) => typeof v === 'string' && MYSQL_CLIENT.test(v));
    let flag = key;
    for (let i = 0; i < value.length; i++) {
      const arg = value[i];
      place.steps.push(i);
      walk(mysql && typeof arg === 'string' && arg.startsWith('-p') ? `mysql ${arg}` : arg, place, flag, depth + 1, found);
      place.steps.pop();
      flag = typeof arg === 'string' && /^--?[\w.-]+$/.test(arg) ? arg.replace(/^-+/, '') : key;
    }
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const k in record) {
      place.steps.push(k);
      // `{name: DB_PASSWORD, value: ...}` (container env, Helm parameters): the name names the value.
      if (k === 'value' && typeof record.name === 'string' && typeof record.value === 'string') {
        const named = record.name;
        place.steps.push({ named });
        walk(record[k], place, named, depth + 1, found);
        place.steps.pop();
      } else {
        walk(record[k], place, k, depth + 1, found);
      }
      place.steps.pop();
    }
  }
}

/** Every literal the preset or the patterns need, for one search that rules most strings out. */
const ANY_LITERAL = new RegExp(`${MARKERS.source}|${PATTERN_HINT.source}`, 'i');
/** The shortest string any detector reports (a value under a secret-like name, 8 characters). */
const SHORTEST = 8;
/** Names any keyed detector or SECRET_NAME can match end so. */
const KEY_HINT = /(?:key|url|password|passwd|passphrase|pwd|secret|token|credentials?|auth|sig)$/i;

/**
 * What strings were found to hold, by string and then by depth and key: the same strings recur
 * (labels, images, configs, across the environments and the objects of a fleet), and a string's
 * detections depend only on itself, the name it sits under and its depth, with paths below the
 * string's own. Bounded, oldest first out; a string seen under many names keeps its first few.
 */
const scanned = new Map<string, Scanned>();
const MAX_SCANNED = 65_536;
const MAX_VARIANTS = 8;

/** What a string holds at one depth under one name (its variant); the string's other variants follow. */
interface Scanned {
  readonly variant: string;
  readonly found: readonly Detection[];
  readonly next: Scanned | undefined;
}

const NONE: readonly Detection[] = [];
/** Cache keys of the strings under no name, by depth: the common case allocates none. */
const UNNAMED = Array.from({ length: 32 }, (_, depth) => `${depth}:`);

/** What one string holds, with `path` before the paths of its detections. */
function scanString(value: string, path: string, key: string, depth: number): readonly Detection[] {
  return relocate(detectionsOf(value, key, depth), path);
}

function relocate(detections: readonly Detection[], path: string): readonly Detection[] {
  return detections.length === 0 || !path ? detections : detections.map((d) => ({ ...d, path: `${path}${d.path}` }));
}

/** What one string holds: at most one detection, the most specific (a provider's token format first); paths relative to the string. */
function detectionsOf(value: string, key: string, depth: number): readonly Detection[] {
  if (value.length < SHORTEST) return NONE;
  // A name only counts when a keyed or secret-name detector could match it.
  const name = key && KEY_HINT.test(key) ? key : '';
  const variant = name === '' && depth < UNNAMED.length ? UNNAMED[depth] : `${depth}:${name}`;
  const first = scanned.get(value);
  let variants = 0;
  for (let s = first; s; s = s.next, variants++) if (s.variant === variant) return s.found;
  const found = detect(value, name, depth);
  if (variants < MAX_VARIANTS) {
    // Read again: scanning what the string holds remembers other strings and may drop this one.
    const head = scanned.get(value);
    if (!head && scanned.size >= MAX_SCANNED) scanned.delete(scanned.keys().next().value as string);
    scanned.set(value, { variant, found, next: head });
  }
  return found;
}

/** scanString's work, with paths relative to the string (`''` is the string itself). */
function detect(value: string, key: string, depth: number): readonly Detection[] {
  const path = '';
  if (ANY_LITERAL.test(value)) {
    const provider = runPreset(value).find((f) => !isTemplateOrReference(f.match));
    if (provider) return [{ detector: provider.detector, path, value: redact(provider.match) }];
    if (PATTERN_HINT.test(value)) {
      for (const d of PATTERNS) {
        const m = d.pattern.exec(value);
        if (m) return [{ detector: d.name, path, value: redact(m[d.group ?? 0]) }];
      }
    }
  }
  const trimmed = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (key && !isTemplateOrReference(trimmed)) {
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
      return kv ? scanString(kv[2], `${path}: ${kv[1]}`, kv[1], depth + 2) : [];
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
