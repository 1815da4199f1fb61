/**
 * The two roots gitplane reads from. The package root holds gitplane's own files (the pinned
 * versions, the shell scripts and Lua constructs embed, the environment schema); the project root
 * is the platform repository the CLI runs in (its environments/, gitplane.yaml, gitplane.lock,
 * schemas/ and gitplane.config.ts). In this repository they are the same directory; installed as
 * a dependency, the package root is node_modules/gitplane.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The directory of gitplane's package.json: one level up from stacks/ when run from source, two
 * from lib/stacks/ when run from the compiled package.
 */
export const PACKAGE_ROOT = packageRoot(path.resolve(__dirname, '..'));

/** The platform repository: the current directory of the process. */
export const PROJECT_ROOT = process.cwd();

/** gitplane's own version, from its package.json (`gitplane --version`, reports' tool version). */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A path relative to the working directory when inside it, as it was most likely given, for messages. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function packageRoot(dir: string): string {
  return fs.existsSync(path.join(dir, 'package.json')) ? dir : path.dirname(dir);
}
