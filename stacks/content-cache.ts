/**
 * Derived data cached on disk by the content it is derived from, as Argo CD's repo-server caches
 * rendered manifests by repository, revision and values: a key is the digest of every input, so a
 * changed input is a different entry, never a stale one.
 *
 * Each entry is one file, `<dir>/<key>.json`: a header line naming the format, the key and the
 * sha256 of the body, then the body (text, or bytes such as V8's code caches). An entry is used only when its header names the key asked
 * for and its body has the digest the header records; a truncated, edited or misplaced entry is
 * ignored (and replaced by the next write). Writes go to a temporary file renamed into place, so
 * a reader never sees half an entry; a cache that cannot be written (a read-only home) only costs
 * the work again. Reading an entry marks it used (its modification time, at most once a day); `pruneEntries` removes
 * the files unused for a while, entries or not, so a cache kept between CI runs does not grow with
 * every values file it ever saw; `pruneDaily` does so at most once a day, for caches read on every
 * command.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDirectories, writeWhole } from './write-whole';

const FORMAT = 'gitplane-cache 1';

/**
 * The key of everything a derived value depends on: the sha256 of the parts, in order, each after
 * its kind and length so that no two lists of parts give one input. A string is hashed as it is
 * (its UTF-16 code units, which unlike UTF-8 hold any string, lone surrogates included): as JSON,
 * a CRD's megabyte of text was escaped and copied first, at several times the cost of hashing it.
 * Any other value is hashed as its JSON.
 */
export function contentKey(parts: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const text = typeof part === 'string' ? part : String(JSON.stringify(part));
    hash.update(`${typeof part === 'string' ? 's' : 'j'}${text.length}:`, 'utf16le').update(text, 'utf16le');
  }
  return hash.digest('hex');
}

/** The body cached under `key` in `dir`, or undefined when there is none or it is not intact. */
export function readEntry(dir: string, key: string): string | undefined {
  const body = readBytes(dir, key);
  // ASCII is its own UTF-8, and read as Latin-1 it is copied rather than decoded.
  return body && (isAscii(body) ? body.toString('latin1') : body.toString('utf8'));
}

/** As readEntry, for a body of bytes (writeEntry's `Uint8Array`): no text decoding. */
export function readBytes(dir: string, key: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, `${key}.json`), 'r');
  } catch {
    return undefined;
  }
  try {
    // Checked as bytes: the digest of a text body is that of its UTF-8 bytes, so no decoding is
    // needed to check it (compiled validators and renders are megabytes).
    const bytes = fs.readFileSync(fd);
    const newline = bytes.indexOf(0x0a);
    const body = bytes.subarray(newline + 1);
    if (newline < 0 || bytes.toString('latin1', 0, newline) !== header(key, body)) return undefined;
    // Marked used at most once a day (pruning counts in weeks): a warm command writes nothing.
    if (Date.now() - fs.fstatSync(fd).mtimeMs >= DAY_MS) {
      try {
        const now = new Date();
        fs.futimesSync(fd, now, now);
      } catch {
        // A read-only cache is still read; it is only never pruned.
      }
    }
    return body;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Entries unused for this long are removed by `pruneEntries`. */
const UNUSED_DAYS = 14;
const DAY_MS = 86_400_000;
/** The file of a directory whose modification time records when `pruneDaily` last pruned it. */
const PRUNED = 'pruned';

/**
 * Removes from `dir` the files not used (modified) for `UNUSED_DAYS`: entries (`<key>.json`, as
 * writeEntry and bin/register.js's transpile cache name them), temporary files left by killed
 * writers, and files this release does not name, by the same rule. Those may be another gitplane
 * version's entries in a cache the user's projects share (an earlier release transpiled modules
 * to `<key>.js` and saved compiled validators as `<sha1>.js` and `.js.v8`): removed at once, the
 * two versions would remove each other's entries on every write and each start cold.
 */
export function pruneEntries(dir: string, now: number = Date.now()): void {
  let files: fs.Dirent[];
  try {
    files = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const { name } of files.filter((f) => !f.isDirectory() && f.name !== PRUNED)) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > UNUSED_DAYS * DAY_MS) fs.rmSync(file, { force: true });
    } catch {
      // Removed by another process meanwhile, or not ours to remove.
    }
  }
}

/** Directories `pruneDaily` has looked at in this process. */
const considered = new Set<string>();

/**
 * `pruneEntries(dir)` when the directory was last pruned a day ago or more (or never), looked at
 * once per process: a cache that every command reads costs one stat of its `pruned` file, not a
 * scan of its entries.
 */
export function pruneDaily(dir: string): void {
  if (considered.has(dir)) return;
  considered.add(dir);
  const mark = path.join(dir, PRUNED);
  try {
    const last = fs.statSync(mark, { throwIfNoEntry: false })?.mtimeMs;
    if (last !== undefined && Date.now() - last < DAY_MS) return;
    pruneEntries(dir);
    fs.writeFileSync(mark, '');
  } catch {
    // No cache yet (nothing to prune), or one this process may not change: it is only not pruned.
  }
}

/** Caches `body` under `key` in `dir`, atomically: text, or bytes read back by readBytes. */
export function writeEntry(dir: string, key: string, body: string | Uint8Array): void {
  try {
    makeDirectories(dir);
    writeWhole(path.join(dir, `${key}.json`), typeof body === 'string' ? `${header(key, body)}\n${body}` : Buffer.concat([Buffer.from(`${header(key, body)}\n`), body]));
  } catch {
    // A cache this process may not write (permissions, a full disk): the entry is only not kept.
  }
}

function header(key: string, body: string | Uint8Array): string {
  return `${FORMAT} ${key} sha256:${createHash('sha256').update(body).digest('hex')}`;
}
