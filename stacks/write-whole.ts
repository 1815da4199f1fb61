/**
 * Files written whole or not at all: to a temporary file beside the target, then renamed over it,
 * so a reader, a crash or kill -9 never finds half a file under the target's name; and the
 * directories they go in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Makes `dir` and its missing ancestors, one at a time: Node's recursive mkdir never returns where
 * mkdir fails with ENOENT under a directory that exists (anywhere under /proc or /sys), so a cache
 * directory set there hung every command. A directory another process made meanwhile is fine.
 */
export function makeDirectories(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Writes `content` to `file` through `<file>.<pid>.tmp` and a rename; the temporary file is removed on failure. */
export function writeWhole(file: string, content: string | Uint8Array, mode?: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, content, mode === undefined ? undefined : { mode });
    fs.renameSync(temporary, file);
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    throw e;
  }
}
