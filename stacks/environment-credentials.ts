/**
 * Refuses an environment file that holds a credential, before anything is built from it.
 *
 * Environment files are committed to Git and come from pull requests, so a credential in one is
 * leaked whatever happens next: every value, key and comment is scanned with the same detectors
 * as the policy rules (policies/lib/detectors.ts). `secrets.refs` holds names of secret store
 * entries; a value there that looks random is taken for the secret itself.
 */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Node } from 'yaml';
import { Detection, entropy, redact, scanValue } from '../policies/lib/detectors';
import { InputError } from './errors';

const FIX =
  'An environment file is committed to Git, so the credential is leaked: rotate it, store the new value in the secret store (pulumi config set --secret, or the store itself) and name its entry in secrets.refs.';

/**
 * Throws an InputError naming `shown`, line, column and field for every credential in the
 * document parsed from `text`.
 */
export function assertNoCredentials(doc: Document, lines: LineCounter, text: string, shown: string): void {
  const problems: string[] = [];
  const report = (offset: number | undefined, field: string, d: Detection) => {
    const where = offset === undefined ? shown : `${shown}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
    problems.push(`${where}: ${field}${d.path} must not hold a credential (found ${d.detector}: ${d.value}). ${FIX}`);
  };
  // The yaml library keeps comments without their position: each line is found in the text.
  const comments = (node: Node | Document, field: string) => {
    for (const comment of [node.commentBefore, node.comment]) {
      for (const line of comment?.split('\n') ?? []) {
        const offset = text.indexOf(`#${line}`);
        for (const d of scanValue(line, '')) report(offset < 0 ? undefined : offset, `a comment${field ? ` (near ${field})` : ''}`, d);
      }
    }
  };
  const walk = (node: unknown, field: string, key: string) => {
    if (!node || typeof node !== 'object') return;
    comments(node as Node, field);
    if (isScalar(node)) {
      if (typeof node.value !== 'string') return;
      // A ref's name says what the secret is; its value is a store entry name, not the secret.
      const ref = field.startsWith('secrets.refs.');
      const found = scanValue(node.value, '', ref ? '' : key);
      for (const d of found) report(node.range?.[0], field, d);
      if (found.length === 0 && ref && looksRandom(node.value)) {
        report(node.range?.[0], field, { detector: 'a random-looking value where the name of a secret store entry belongs', path: '', value: redact(node.value) });
      }
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        const child = field ? `${field}.${name}` : name;
        for (const d of scanValue(name, '')) report((pair.key as Node | null)?.range?.[0], `the key of ${child}`, d);
        if (pair.key) comments(pair.key as Node, child);
        walk(pair.value, child, name);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${field}[${i}]`, key));
    }
  };
  comments(doc, '');
  walk(doc.contents, '', '');
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * Store entry names are words and paths (`prod/alertmanager/slack`); a long value without
 * separators mixing upper case, lower case and digits is a generated secret.
 */
function looksRandom(value: string): boolean {
  return value.length >= 16 && !/[/_.-]/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value) && entropy(value) >= 3.5;
}
