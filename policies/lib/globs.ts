/**
 * The two pattern languages Argo CD matches AppProject grants with, reimplemented so the policy
 * decides exactly as the application controller does.
 *
 * - Repositories and destinations use gobwas/glob (Argo CD's util/glob): `*` (no separator),
 *   `**` (anything), `?`, `[abc]`, `[a-z]`, `[!...]`, `{a,b}` and `\` escapes; a pattern that
 *   does not compile matches nothing.
 * - Group and kind lists use Go's path/filepath.Match: `*`, `?`, `[...]` with `^` negation and
 *   `\` escapes; a malformed pattern matches nothing.
 *
 * @see https://github.com/gobwas/glob
 * @see https://pkg.go.dev/path/filepath#Match
 */

/** `text` as itself in a regular expression, outside a character class. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `text` as itself inside a character class. */
function classLiteral(text: string): string {
  return text.replace(/[\]\\^-]/g, '\\$&');
}

/** Regular expression source for gobwas/glob `pattern`; undefined when it does not compile. */
function gobwasSource(pattern: string, separators: string): string | undefined {
  const chars = [...pattern];
  const notSeparator = separators ? `[^${classLiteral(separators)}]` : '[^]';
  let i = 0;
  let depth = 0;
  let out = '';
  while (i < chars.length) {
    const c = chars[i];
    if (c === '*') {
      if (chars[i + 1] === '*') {
        out += '[^]*';
        i += 2;
      } else {
        out += `${notSeparator}*`;
        i += 1;
      }
    } else if (c === '?') {
      out += notSeparator;
      i += 1;
    } else if (c === '{') {
      depth += 1;
      out += '(?:';
      i += 1;
    } else if (c === ',' && depth > 0) {
      out += '|';
      i += 1;
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      out += ')';
      i += 1;
    } else if (c === '[') {
      const range = gobwasRange(chars, i + 1);
      if (!range) return undefined;
      out += range.source;
      i = range.next;
    } else {
      // Text runs to the next special character; `\` escapes the one after it.
      if (c === '\\') i += 1;
      if (i < chars.length) out += literal(chars[i]);
      i += 1;
    }
  }
  // An unclosed `{` ends with the pattern, as gobwas parses it.
  return out + ')'.repeat(depth);
}

/** `[...]` from just after `[`: a single range `a-z` or a list of characters, optionally negated by `!`. */
function gobwasRange(chars: string[], start: number): { source: string; next: number } | undefined {
  let i = start;
  const not = chars[i] === '!';
  if (not) i += 1;
  if (chars[i + 1] === '-' && i + 2 < chars.length) {
    const lo = chars[i];
    const hi = chars[i + 2];
    if (chars[i + 3] !== ']' || hi < lo) return undefined;
    return { source: `[${not ? '^' : ''}${classLiteral(lo)}-${classLiteral(hi)}]`, next: i + 4 };
  }
  let list = '';
  while (i < chars.length && chars[i] !== ']') {
    if (chars[i] === '\\') i += 1;
    if (i < chars.length) list += chars[i];
    i += 1;
  }
  if (i >= chars.length || list === '') return undefined;
  return { source: `[${not ? '^' : ''}${classLiteral(list)}]`, next: i + 1 };
}

const compiled = new Map<string, RegExp | null>();

/** Whether `text` matches gobwas/glob `pattern`, whose `*` and `?` stop at any of `separators`. */
export function globMatch(pattern: string, text: string, separators = ''): boolean {
  const key = `${separators}\u0000${pattern}`;
  if (!compiled.has(key)) {
    const source = gobwasSource(pattern, separators);
    compiled.set(key, source === undefined ? null : new RegExp(`^${source}$`, 'u'));
  }
  return compiled.get(key)?.test(text) ?? false;
}

/** Whether `name` matches Go's filepath.Match `pattern` (separator `/`); false for a malformed pattern. */
export function filepathMatch(pattern: string, name: string): boolean {
  if (!filepathCompiled.has(pattern)) filepathCompiled.set(pattern, filepathRegExp(pattern));
  return filepathCompiled.get(pattern)?.test(name) ?? false;
}

const filepathCompiled = new Map<string, RegExp | null>();

/** The regular expression of a filepath.Match pattern; null where Go reports ErrBadPattern. */
function filepathRegExp(pattern: string): RegExp | null {
  const chars = [...pattern];
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (c === '*') {
      out += '[^/]*';
      i += 1;
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      i += 1;
      let cls = '';
      if (chars[i] === '^') {
        cls += '^';
        i += 1;
      }
      let items = 0;
      while (i < chars.length && !(chars[i] === ']' && items > 0)) {
        const lo = classChar(chars, i);
        if (!lo) return null;
        i = lo.next;
        if (chars[i] === '-') {
          const hi = classChar(chars, i + 1);
          if (!hi) return null;
          // Go accepts a reversed range, which matches nothing.
          if (hi.char >= lo.char) cls += `${classLiteral(lo.char)}-${classLiteral(hi.char)}`;
          i = hi.next;
        } else {
          cls += classLiteral(lo.char);
        }
        items += 1;
      }
      if (i >= chars.length) return null;
      out += `[${cls}]`;
      i += 1;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) return null;
      out += literal(chars[i + 1]);
      i += 2;
    } else {
      out += literal(c);
      i += 1;
    }
  }
  return new RegExp(`^${out}$`, 'u');
}

/** One character of a filepath.Match class at `i` (escaped or not); undefined where Go reports ErrBadPattern. */
function classChar(chars: string[], i: number): { char: string; next: number } | undefined {
  if (i >= chars.length || chars[i] === '-' || chars[i] === ']') return undefined;
  if (chars[i] === '\\') return i + 1 < chars.length ? { char: chars[i + 1], next: i + 2 } : undefined;
  return { char: chars[i], next: i + 1 };
}
