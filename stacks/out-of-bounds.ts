/**
 * Symbolic links that lead out of the directory gitplane was given. A tree from a pull request
 * may hold a link such as `apps/x/leak.yaml -> /proc/self/environ`, and what gitplane reads it
 * quotes in its messages, reports and diffs, so such a link is refused before anything is read,
 * as Argo CD's repo-server refuses a repository with out-of-bounds symlinks. Links that stay
 * inside the directory are followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { byCodePoint } from '../constructs/core/order';
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

/** Which folders a walk enters: `name` beside `siblings`, `depth` folders below the directory given. */
export type Enter = (name: string, siblings: readonly fs.Dirent[], depth: number) => boolean;

/**
 * The files under `dir` (each folder's entries in code-point order) whose name `take` accepts,
 * in the folders `enter` accepts, for a directory a user gave: regular files, and links that
 * lead to a file inside `root`. Every link that leads out of `root`, or nowhere, is refused
 * together, before anything is read; links to folders, pipes, sockets and devices are left alone
 * (a pipe or a device would be read forever).
 */
export function filesUnder(root: string, dir: string, take: (name: string) => boolean, enter: Enter = () => true): string[] {
  const files: string[] = [];
  const problems: string[] = [];
  const walk = (folder: string, depth: number): void => {
    const entries = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name));
    for (const e of entries) {
      const full = path.join(folder, e.name);
      if (e.isDirectory()) {
        if (enter(e.name, entries, depth)) walk(full, depth + 1);
      } else if (take(e.name) && e.isFile()) {
        files.push(full);
      } else if (take(e.name) && e.isSymbolicLink()) {
        const problem = linkProblem(root, full);
        if (problem) problems.push(problem);
        else if (fs.statSync(full).isFile()) files.push(full);
      }
    }
  };
  walk(dir, 0);
  if (problems.length > 0) throw new InputError(problems);
  return files;
}

/** Why the link `file` under `root` is not read: it leads out of `root`, or nowhere. */
function linkProblem(root: string, file: string): string | undefined {
  const target = outOfBounds(root, file);
  if (target !== undefined) return outOfBoundsProblem(file, target, root);
  try {
    fs.statSync(file);
    return undefined;
  } catch (e) {
    // Dangling, or a loop of links.
    return `${file}: a symbolic link to ${fs.readlinkSync(file)}, which leads to no file (${(e as NodeJS.ErrnoException).code}). Remove the link, or put the file itself there.`;
  }
}
