/**
 * The metric names a PromQL expression reads, found by a small tokenizer that knows PromQL's
 * grammar well enough to tell a metric from everything else: function and aggregation names
 * (followed by `(`), the label lists of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`,
 * keywords, label matchers, range and subquery brackets, strings, numbers and durations.
 *
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/
 */

/** A metric an expression selects: by name, or by a `__name__` regular expression. */
export type MetricRef = { readonly name: string } | { readonly pattern: string };

/** Words that are never metric names where they stand (binary operators, modifiers, literals). */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan']);
/** Words whose parenthesised list names labels, not series. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

type Token = { readonly kind: 'ident' | 'braces' | 'other'; readonly text: string };

/**
 * The metrics an expression selects, in order of appearance, without repeats. Grafana's
 * `$__rate_interval`-style variables inside range brackets are skipped with the brackets.
 * Throws on an unterminated string or bracket, which promtool would reject too.
 */
export function metricRefs(expr: string): MetricRef[] {
  const tokens = tokenize(expr);
  const refs: MetricRef[] = [];
  const seen = new Set<string>();
  const add = (ref: MetricRef) => {
    const key = 'name' in ref ? `n:${ref.name}` : `p:${ref.pattern}`;
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(ref);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      if (LABEL_LISTS.has(word)) {
        if (next?.text === '(') i = closing(tokens, i + 1);
        continue;
      }
      // A name before `(` is a function; before `by`/`without` it is an aggregation (`sum by (a) (x)`).
      const aggregation = next?.kind === 'ident' && ['by', 'without'].includes(next.text.toLowerCase());
      if (next?.text === '(' || aggregation || KEYWORDS.has(word) || tokens[i - 1]?.text === '@') continue;
      add({ name: t.text });
      if (next?.kind === 'braces') i++;
    } else if (t.kind === 'braces') {
      const name = nameMatcher(t.text);
      if (name) add(name);
    }
  }
  return refs;
}

/** The `__name__` matcher of a bare `{...}` selector: an exact name or an anchored pattern; negative matchers select no name. */
function nameMatcher(braces: string): MetricRef | undefined {
  const m = /(?:^|[{,])\s*__name__\s*(=~|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/.exec(braces);
  if (!m) return undefined;
  const value = unquote(m[2]);
  return m[1] === '=' ? { name: value } : { pattern: value };
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return literal.startsWith('`') ? body : body.replace(/\\(.)/g, '$1');
}

/** Index of the `)` closing the `(` at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')' && --depth === 0) return i;
  }
  return tokens.length;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      i = endOfString(expr, i);
      tokens.push({ kind: 'other', text: 'string' });
    } else if (c === '{' || c === '[') {
      const end = endOfGroup(expr, i, c, c === '{' ? '}' : ']');
      tokens.push({ kind: c === '{' ? 'braces' : 'other', text: expr.slice(i, end) });
      i = end;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hex, exponents and durations (5m, 1h30m) are one token.
      const m = /^(?:0x[0-9a-fA-F]+|[0-9.]+(?:[eE][-+]?[0-9]+)?(?:[a-zA-Z0-9]+)*)/.exec(expr.slice(i))!;
      tokens.push({ kind: 'other', text: m[0] });
      i += m[0].length;
    } else if (c === '$') {
      // A Grafana variable outside brackets ($interval, ${var}) stands for a value, never a metric.
      const m = /^\$(?:\{[^}]*\}|[A-Za-z0-9_]+)/.exec(expr.slice(i));
      tokens.push({ kind: 'other', text: m ? m[0] : c });
      i += m ? m[0].length : 1;
    } else {
      tokens.push({ kind: 'other', text: c });
      i++;
    }
  }
  return tokens;
}

function endOfString(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string starting at offset ${start}`);
}

/** The end (exclusive) of a `{...}` or `[...]` group, skipping strings inside it. */
function endOfGroup(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') i = endOfString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unterminated "${open}" starting at offset ${start}`);
}

/** The metric names an expression selects by name (see metricRefs), in order of appearance. */
export function metricNames(expr: string): string[] {
  return metricRefs(expr).flatMap((r) => ('name' in r ? [r.name] : []));
}
