/**
 * Symbolic links that lead out of the directory gitplane was given. A tree from a pull request
 * may hold a link such as `apps/x/leak.yaml -> /proc/self/environ`, and what gitplane reads it
 * quotes in its messages, reports and diffs, so such a link is refused before anything is read,
 * as Argo CD's repo-server refuses a repository with out-of-bounds symlinks. Links that stay
 * inside the directory are followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from './errors';

/**
 * Where `file`, a path under `root`, leads once its links are resolved, when that is outside
 * `root` (itself resolved); undefined when it stays inside, or leads nowhere (a dangling link
 * reads as a missing file).
 */
export function outOfBounds(root: string, file: string): string | undefined {
  let target: string;
  let base: string;
  try {
    base = fs.realpathSync(root);
    target = fs.realpathSync(file);
  } catch {
    return undefined;
  }
  const relative = path.relative(base, target);
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative) ? target : undefined;
}

/** The problem of a link out of `root`, for a message naming it as `shown`. */
export function outOfBoundsProblem(shown: string, target: string, root: string): string {
  return `${shown}: a symbolic link to ${target}, outside ${root}. gitplane reads no file outside the directory it is given (Argo CD refuses such links in a repository too); put the file itself there instead of the link.`;
}

/**
 * Refuses, all at once, the symbolic links among `files` (paths under `root`, as the user gave
 * it) that lead out of `root`.
 */
export function refuseLinksOut(root: string, files: readonly string[]): void {
  const problems = files.flatMap((file) => {
    const target = isLink(file) ? outOfBounds(root, file) : undefined;
    return target === undefined ? [] : [outOfBoundsProblem(file, target, root)];
  });
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * Whether a directory entry is one to read as a file: a regular file, or a link (which
 * refuseLinksOut judges); never a pipe, socket or device, which would block or never end.
 */
export function isFileEntry(entry: fs.Dirent): boolean {
  return entry.isFile() || entry.isSymbolicLink();
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
