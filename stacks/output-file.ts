/**
 * Files a user names on the command line for output (reports, the environment schema): their path
 * checked before any work, written whole (stacks/write-whole.ts), and a write the system refuses
 * an input error naming the option, not a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from './errors';
import { writeWhole } from './write-whole';

/**
 * Refuses a file named for output (`given` is the option as typed, e.g. `--report sarif=out.sarif`)
 * that cannot be written, before any work: its directory missing or not a directory, or the file a
 * directory itself.
 */
export function checkOutputFile(given: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  const parent = fs.statSync(dir, { throwIfNoEntry: false });
  if (parent === undefined) throw new InputError([`${given}: the directory ${dir} does not exist. Create it, or give a file in an existing directory.`]);
  if (!parent.isDirectory()) throw new InputError([`${given}: ${dir} is not a directory, so no file can be written in it. Give a file in a directory.`]);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new InputError([`${given}: ${file} is a directory. Give a file name, e.g. ${path.join(file, 'report.txt')}.`]);
}

/**
 * Writes a file named for output, whole, at the file a link leads to, keeping an existing file's
 * mode; a device or pipe (`/dev/stdout`, `/dev/null`), which cannot be replaced, is written to
 * directly, as is an existing file in a directory this process may not add a file to (it can only
 * be rewritten in place). A write the system refuses (permissions, a full disk) is an input error
 * naming it.
 */
export function writeOutputFile(given: string, file: string, content: string): void {
  checkOutputFile(given, file);
  try {
    const existing = fs.statSync(file, { throwIfNoEntry: false });
    if (existing === undefined) return writeWhole(file, content);
    const real = fs.realpathSync(file);
    if (existing.isFile() && writableDirectory(path.dirname(real))) writeWhole(real, content, existing.mode & 0o7777);
    else fs.writeFileSync(file, content);
  } catch (e) {
    throw new InputError([`${given}: cannot write ${file} (${systemError(e)}). Give a file in a directory you may write to, on a disk with space.`]);
  }
}

/**
 * What the system said when it refused a file operation, as `CODE: reason` (`ENOSPC: no space left
 * on device`), without the path Node adds; anything else (a gitplane bug) is thrown again.
 */
export function systemError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') throw e;
  return `${code}: ${(e as Error).message.replace(/^[A-Z]+: /, '').split(',')[0]}`;
}

function writableDirectory(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
