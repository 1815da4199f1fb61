/**
 * The metric names a PromQL expression reads, found by a small tokenizer: identifiers outside
 * label matchers, range brackets and label lists that are not functions, aggregations or
 * keywords, plus `__name__="..."` matchers. Grafana variables (`$cluster`, `${__rate_interval}`)
 * are skipped, so dashboard queries can be read as they are stored.
 *
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/
 */

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'atan2', 'inf', 'nan', 'start', 'end',
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
/** Keywords followed by a parenthesised list of label names, not an expression. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

/** Every metric name `expr` reads, in order of first appearance. */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      const nl = expr.indexOf('\n', i);
      i = nl < 0 ? expr.length : nl;
    } else if (c === '{') {
      const end = closing(expr, i, '{', '}');
      for (const m of expr.slice(i, end).matchAll(/__name__\s*=\s*"([^"]*)"/g)) add(m[1]);
      i = end;
    } else if (c === '[') {
      i = closing(expr, i, '[', ']');
    } else if (c === '$') {
      i = expr[i + 1] === '{' ? closing(expr, i + 1, '{', '}') : i + 1 + (/^[a-zA-Z0-9_]*/.exec(expr.slice(i + 1))?.[0].length ?? 0);
    } else if (/[0-9.]/.test(c)) {
      i += /^[0-9a-zA-Z_.]+/.exec(expr.slice(i))![0].length;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(expr)![0];
      i += word.length;
      const next = /^\s*(.?)/.exec(expr.slice(i))![1];
      if (LABEL_LISTS.has(word) && next === '(') i = closing(expr, expr.indexOf('(', i), '(', ')');
      else if (!KEYWORDS.has(word) && next !== '(') add(word);
    } else {
      i += 1;
    }
  }
  return names;
}

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

/** The index just past the bracket that closes the one at `start`, strings inside skipped. */
function closing(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (c === open) depth += 1;
    else if (c === close && --depth === 0) return i + 1;
    i += 1;
  }
  return expr.length;
}
