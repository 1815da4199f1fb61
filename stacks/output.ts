/**
 * Writes synthesized environments so that a synth which fails, or is killed at any instant,
 * leaves the --out directory exactly as it was.
 *
 * --out is a symbolic link to a generation directory beside it (`dist -> .dist.gitplane-<pid>-<id>`).
 * A run builds the complete next generation beside the current one (selected environments from
 * the synthesized files, every other environment copied from the current generation), points a
 * new link at it and renames that link over --out: rename(2) replaces the link in one step, so a
 * reader sees the old tree or the new one, never a mix and never none. Kubernetes' projected
 * volumes switch their `..data` link the same way.
 *
 * Temporaries carry the pid of the run that made them; a run first removes those of runs that
 * are no longer alive (killed ones) and keeps those of runs still writing.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from './errors';
import { processExists } from './process';
import { makeDirectories } from './write-whole';

/** Longest file name and path Linux accepts (NAME_MAX, PATH_MAX less the final NUL); ext4, xfs, btrfs and tmpfs all take 255-byte names. */
const NAME_MAX = 255;
const PATH_MAX = 4095;
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
/** Path problems listed before the rest are counted: a too-long --out makes every file one. */
const MAX_SHOWN = 10;

/** statfs(2) f_type of kernel filesystems (linux/magic.h): their files are kernel state, and writing a tree there fails or never ends. */
const KERNEL_FILESYSTEMS = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
]);

/** An output directory checked by `checkOutDir`: the --out path as given and as resolved. */
export interface OutDir {
  readonly given: string;
  /** Absolute path of the link (or, before the first synth, of the directory) readers open. */
  readonly path: string;
}

/** Environment name -> files, path relative to the environment's directory -> content. */
export type OutputTree = ReadonlyMap<string, ReadonlyMap<string, string>>;

const TEMPORARY = /^(\d+)-(.+)$/;

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The kernel filesystem `dir` is on (proc, sysfs, ...), whose directories hold kernel state, not files; undefined for a disk. */
export function kernelFilesystem(dir: string): string | undefined {
  return KERNEL_FILESYSTEMS.get(fs.statfsSync(dir).type);
}

/**
 * Checks --out before anything is synthesized: its nearest existing ancestor must be a writable
 * directory on a disk filesystem, and an existing --out a link gitplane made or a directory that
 * holds only environment directories (what older gitplane versions wrote).
 */
export function checkOutDir(given: string): OutDir {
  const fail = (problem: string): never => {
    throw new InputError([`--out ${given}: ${problem}`]);
  };
  let target = path.resolve(given);
  if (path.dirname(target) === target) fail('is the root directory. Give a directory of its own, such as dist.');
  const link = lstat(target);
  if (link?.isSymbolicLink() && !isGeneration(target, fs.readlinkSync(target))) {
    if (!exists(target)) fail(`is a link to ${fs.readlinkSync(target)}, which does not exist. Give a directory.`);
    target = fs.realpathSync(target);
  }
  let existing = target;
  while (!exists(existing)) existing = path.dirname(existing);
  if (existing === target && !fs.statSync(target).isDirectory()) fail('is not a directory. Give a directory (it is created when missing).');
  if (!fs.statSync(existing).isDirectory()) fail(`${existing} is not a directory, so nothing can be created under it. Give a directory.`);
  const kernel = kernelFilesystem(existing);
  if (kernel) fail(`${existing} is on the ${kernel} filesystem, which holds kernel state, not files. Give a directory on a disk, such as dist.`);
  const parent = existing === target ? path.dirname(target) : existing;
  try {
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    fail(`${parent} is not writable, and gitplane writes the new output beside --out before it switches. Give a directory you can write to, or fix the permissions.`);
  }
  if (existing === target && !fs.lstatSync(target).isSymbolicLink()) {
    const foreign = fs.readdirSync(target, { withFileTypes: true }).find((e) => !(e.isDirectory() && !e.name.startsWith('.')) && !isLegacyTemporary(e.name));
    if (foreign) fail(`holds ${foreign.name}, which is not an environment directory. gitplane replaces --out as a whole on every synth; give a new or empty directory, or move ${foreign.name} out of it.`);
  }
  return { given, path: target };
}

/**
 * Makes `out` hold every environment of `tree` and, unchanged, every other environment it held.
 * Every path is checked first; nothing is touched when one is bad.
 */
export function writeOutput(out: OutDir, tree: OutputTree): void {
  const parent = path.dirname(out.path);
  const prefix = `.${path.basename(out.path)}.gitplane-`;
  const generation = path.join(parent, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
  const problems = [...tree].flatMap(([env, files]) => pathProblems(generation, env, [...files.keys()]));
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_SHOWN).map((p) => `--out ${out.given}: ${p}`);
    throw new InputError(problems.length > MAX_SHOWN ? [...shown, `--out ${out.given}: ${problems.length - MAX_SHOWN} more output files have problems like these.`] : shown);
  }

  makeDirectories(parent);
  removeStale(out.path, prefix);
  const current = lstat(out.path);
  const link = `${generation}-link`;
  try {
    makeDir(generation);
    if (current && isDirectory(out.path)) {
      for (const e of fs.readdirSync(out.path, { withFileTypes: true })) {
        if (e.isDirectory() && !e.name.startsWith('.') && !tree.has(e.name)) copyTree(path.join(out.path, e.name), path.join(generation, e.name));
      }
    }
    for (const [env, files] of tree) {
      for (const [file, content] of files) {
        const full = path.join(generation, env, file);
        makeDirs(generation, path.dirname(full));
        writeFile(full, content);
      }
    }
    fs.symlinkSync(path.basename(generation), link);
  } catch (e) {
    fs.rmSync(link, { force: true });
    fs.rmSync(generation, { recursive: true, force: true });
    throw e;
  }
  if (current?.isSymbolicLink()) {
    const previous = fs.readlinkSync(out.path);
    fs.renameSync(link, out.path);
    if (isGeneration(out.path, previous)) fs.rmSync(path.join(parent, previous), { recursive: true, force: true });
  } else if (current) {
    // A directory from an older gitplane: moved aside, then replaced. A run killed in between
    // leaves no --out; the next run puts the directory back (removeStale) before it starts.
    const previous = `${prefix}${process.pid}-previous`;
    fs.renameSync(out.path, path.join(parent, previous));
    fs.renameSync(link, out.path);
    fs.rmSync(path.join(parent, previous), { recursive: true, force: true });
  } else {
    fs.renameSync(link, out.path);
  }
}

/** Problems of the files an environment would write, checked before anything is written. */
function pathProblems(generation: string, env: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isPlainName(env)) problems.push(`environment name "${env}" cannot be a directory name. Use lowercase letters, digits and hyphens.`);
  const dirs = new Set<string>();
  for (const file of files) {
    for (let d = path.posix.dirname(file); d !== '.' && d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
  }
  for (const file of files) {
    const shown = `${env}/${file}`;
    const parts = file.split('/');
    const long = parts.find((p) => Buffer.byteLength(p) > NAME_MAX);
    const bytes = Buffer.byteLength(path.join(generation, env, file));
    if (parts.some((p) => p === '' || p === '.' || p === '..') || /[\\\0]/.test(file)) {
      problems.push(`output file ${JSON.stringify(shown)} is not a relative, normalised path inside its environment's directory. Name objects without "/", "..", "\\" or empty parts.`);
    } else if (long !== undefined) {
      problems.push(`output file ${shown} has a name of ${Buffer.byteLength(long)} bytes; file systems allow at most ${NAME_MAX}. Shorten the name that makes it (an application, object or stream name).`);
    } else if (dirs.has(file)) {
      problems.push(`output file ${shown} is also the directory of another file. Rename one of them.`);
    } else if (bytes > PATH_MAX) {
      problems.push(`output file ${shown} would have a path of ${bytes} bytes under ${path.dirname(generation)}; Linux allows at most ${PATH_MAX}. Give a shorter --out path.`);
    }
  }
  return problems;
}

/** A directory name for an environment: one path component, not hidden (those are gitplane's temporaries). */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.startsWith('.') && !/[/\\\0]/.test(name) && Buffer.byteLength(name) <= NAME_MAX;
}

/** True when `target` (a link's content) names a generation directory of the --out at `out`. */
function isGeneration(out: string, target: string): boolean {
  const prefix = `.${path.basename(out)}.gitplane-`;
  return target.startsWith(prefix) && !target.includes('/') && TEMPORARY.test(target.slice(prefix.length));
}

/** `.<env>.new-*` and `.<env>.old-*`: what older gitplane versions left behind when killed. */
function isLegacyTemporary(name: string): boolean {
  return /^\..+\.(new|old)-[^/]+$/.test(name);
}

/**
 * Removes what killed runs left beside `out`: generations never switched to, links never
 * renamed, generations switched away from. A directory an older gitplane wrote, moved aside by a
 * run killed before it put the link in place, goes back to `out`.
 */
function removeStale(out: string, prefix: string): void {
  const parent = path.dirname(out);
  const current = lstat(out)?.isSymbolicLink() ? fs.readlinkSync(out) : undefined;
  for (const name of fs.readdirSync(parent).filter((n) => n.startsWith(prefix)).sort()) {
    const [, pid, suffix] = TEMPORARY.exec(name.slice(prefix.length)) ?? [];
    if (name === current || (pid !== undefined && Number(pid) !== process.pid && processExists(Number(pid)))) continue;
    if (suffix === 'previous' && lstat(out) === undefined) fs.renameSync(path.join(parent, name), out);
    else fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  if (current === undefined && lstat(out)?.isDirectory()) {
    for (const name of fs.readdirSync(out).filter(isLegacyTemporary)) fs.rmSync(path.join(out, name), { recursive: true, force: true });
  }
}


/** lstat(2), undefined when there is nothing there (or a file where a directory should be). */
function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Directories and regular files of `from`, copied with gitplane's modes; anything else (links, devices) is not output and is left out. */
function copyTree(from: string, to: string): void {
  makeDir(to);
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const [src, dst] = [path.join(from, e.name), path.join(to, e.name)];
    if (e.isDirectory()) copyTree(src, dst);
    else if (e.isFile()) writeFile(dst, fs.readFileSync(src));
  }
}

/** Creates `dir` and its missing parents up to `root`, each 0755 whatever the umask. */
function makeDirs(root: string, dir: string): void {
  if (dir === root || fs.existsSync(dir)) return;
  makeDirs(root, path.dirname(dir));
  makeDir(dir);
}

function makeDir(dir: string): void {
  fs.mkdirSync(dir);
  fs.chmodSync(dir, DIR_MODE);
}

function writeFile(file: string, content: string | Buffer): void {
  fs.writeFileSync(file, content, { flag: 'wx' });
  fs.chmodSync(file, FILE_MODE);
}
