/**
 * Derived data cached on disk by the content it is derived from, as Argo CD's repo-server caches
 * rendered manifests by repository, revision and values: a key is the digest of every input, so a
 * changed input is a different entry, never a stale one.
 *
 * Each entry is one file, `<dir>/<key>.json`: a header line naming the format, the key and the
 * sha256 of the body, then the body. An entry is used only when its header names the key asked
 * for and its body has the digest the header records; a truncated, edited or misplaced entry is
 * ignored (and replaced by the next write). Writes go to a temporary file renamed into place, so
 * a reader never sees half an entry; a cache that cannot be written (a read-only home) only costs
 * the work again. Reading an entry marks it used (its modification time); `pruneEntries` removes
 * those unused for a while, so a cache kept between CI runs does not grow with every values file
 * it ever saw.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const FORMAT = 'gitplane-cache 1';

/** The key of everything a derived value depends on: the sha256 of the parts, in order. */
export function contentKey(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The body cached under `key` in `dir`, or undefined when there is none or it is not intact. */
export function readEntry(dir: string, key: string): string | undefined {
  const file = path.join(dir, `${key}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1);
  if (newline < 0 || text.slice(0, newline) !== header(key, body)) return undefined;
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A read-only cache is still read; it is only never pruned.
  }
  return body;
}

/** Entries unused for this long are removed by `pruneEntries`. */
const UNUSED_DAYS = 14;

/** Removes the entries of `dir` (and temporary files left by killed writers) not used for `UNUSED_DAYS`. */
export function pruneEntries(dir: string, now: number = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > UNUSED_DAYS * 86_400_000) fs.rmSync(file, { force: true });
    } catch {
      // Removed by another process meanwhile, or not ours to remove.
    }
  }
}

/** Caches `body` under `key` in `dir`, atomically. */
export function writeEntry(dir: string, key: string, body: string): void {
  const file = path.join(dir, `${key}.json`);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(temporary, `${header(key, body)}\n${body}`);
    fs.renameSync(temporary, file);
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // There was no temporary file: the directory could not be made.
    }
  }
}

function header(key: string, body: string): string {
  return `${FORMAT} ${key} sha256:${createHash('sha256').update(body).digest('hex')}`;
}
