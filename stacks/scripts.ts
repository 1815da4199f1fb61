/**
 * Reads the shell scripts that ship beside their constructs, so constructs get them as props and
 * stay free of file reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from './paths';

const cache = new Map<string, string>();

/** A shipped script by its path under constructs/, e.g. `backup/etcd/etcd-backup.sh`. */
export function shippedScript(relative: string): string {
  let content = cache.get(relative);
  if (content === undefined) {
    content = fs.readFileSync(path.join(PACKAGE_ROOT, 'constructs', relative), 'utf8');
    cache.set(relative, content);
  }
  return content;
}
