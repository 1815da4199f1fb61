/**
 * Writes synthesized environments to disk so that a reader never sees half an environment:
 * each environment is written to a temporary directory beside its target and swapped in with
 * renames once complete. Callers synthesize and validate everything first, so a failed run
 * writes nothing at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Replaces `<outDir>/<env>/` with exactly `files`. */
export function writeEnvironment(outDir: string, env: string, files: ReadonlyMap<string, string>): string {
  fs.mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, env);
  const staging = fs.mkdtempSync(path.join(outDir, `.${env}.new-`));
  try {
    for (const [file, content] of files) {
      const full = path.join(staging, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
    const old = `${staging.replace('.new-', '.old-')}`;
    const hadTarget = fs.existsSync(target);
    if (hadTarget) fs.renameSync(target, old);
    fs.renameSync(staging, target);
    if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return target;
}
