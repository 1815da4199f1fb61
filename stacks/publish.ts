/**
 * Publishes synthesized environments to the Git repository Argo CD watches: one commit whose
 * `<env>/` trees equal the synthesized ones, and nothing else touched.
 *
 * The repository is cloned into a temporary directory, the environment trees are replaced, and
 * the commit is pushed. When someone else pushed meanwhile (a concurrent publish, say), the push
 * is rejected as non-fast-forward; publish then starts again from the new tip, so two publishes
 * both land, one after the other, and the repository is never left half-written: git updates a
 * branch atomically or not at all.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environmentPath } from './bootstrap';
import { FindingsError, InputError } from './errors';
import { git, tryGit } from './git';
import { BuiltEnvironment } from './pipeline';
import { formatProblems } from '../validation';

/**
 * A check that must pass before anything is published, such as the mandatory policies. It
 * returns the findings that block publishing (empty when publishing may go ahead).
 */
export type PublishGate = (built: readonly BuiltEnvironment[]) => string[];

export interface PublishOptions {
  /** Repository path or URL; a bare repository or a remote. */
  readonly repo: string;
  /** @default 'main' */
  readonly branch?: string;
  /** First line of the commit message. @default - "gitplane publish: <environments>" */
  readonly message?: string;
  /** Checks that must pass first. @default - none */
  readonly gates?: readonly PublishGate[];
  /** Attempts when the push is rejected because the branch moved. @default 5 */
  readonly attempts?: number;
}

/** What changed in one environment. */
export interface EnvironmentChange {
  readonly env: string;
  /** Applications (folders under apps/, and bootstrap, values, runbooks owners) with changed files. */
  readonly applications: string[];
  readonly added: string[];
  readonly modified: string[];
  readonly removed: string[];
}

export interface PublishResult {
  /** The new commit, or undefined when nothing changed. */
  readonly commit?: string;
  readonly changes: EnvironmentChange[];
}

/** Refuses on validation problems or gate findings; otherwise makes at most one commit and pushes it. */
export function publish(built: readonly BuiltEnvironment[], options: PublishOptions): PublishResult {
  const problems = built.flatMap((b) => b.problems);
  if (problems.length > 0) {
    throw new FindingsError([...formatProblems(problems), `validation failed: ${problems.length} problem(s); nothing was published to ${options.repo}.`]);
  }
  const findings = (options.gates ?? []).flatMap((gate) => gate(built));
  if (findings.length > 0) throw new FindingsError([...findings, `${findings.length} blocking finding(s); nothing was published to ${options.repo}.`]);

  const branch = options.branch ?? 'main';
  const attempts = options.attempts ?? 5;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-publish-'));
  try {
    git(['init', '-q', work], os.tmpdir());
    git(['remote', 'add', 'origin', options.repo], work);
    for (let attempt = 1; ; attempt++) {
      const result = commitOnce(work, branch, built, options.message);
      if (!result.commit) return result;
      const push = tryGit(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`], work);
      if (push.status === 0) return result;
      const moved = /non-fast-forward|fetch first|rejected|cannot lock ref|failed to update ref|incorrect old value/i.test(push.stderr);
      if (!moved || attempt >= attempts) {
        throw new InputError([`git push to ${options.repo} (branch ${branch}) failed: ${push.stderr.trim()}. Nothing was published; run gitplane publish again.`]);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Resets the work tree to the remote branch's tip, writes the environments and commits if anything changed. */
function commitOnce(work: string, branch: string, built: readonly BuiltEnvironment[], message: string | undefined): PublishResult {
  const heads = git(['ls-remote', '--heads', 'origin', branch], work);
  if (heads.trim() !== '') {
    git(['fetch', '-q', 'origin', `refs/heads/${branch}`], work);
    git(['checkout', '-q', '-f', '-B', branch, 'FETCH_HEAD'], work);
    git(['clean', '-q', '-f', '-d', '-x'], work);
  } else {
    git(['checkout', '-q', '--orphan', branch], work);
    git(['rm', '-q', '-r', '-f', '--ignore-unmatch', '.'], work);
  }
  const envPaths = built.map((b) => environmentPath(b.spec));
  for (const [i, b] of built.entries()) {
    const root = path.join(work, envPaths[i]);
    fs.rmSync(root, { recursive: true, force: true });
    for (const [file, content] of b.output.files) {
      const full = path.join(root, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
  }
  git(['add', '-A', '--', ...envPaths], work);
  const status = git(['diff', '--cached', '--name-status', '--no-renames', '-z'], work);
  const changes = summarize(status, built, envPaths);
  if (changes.length === 0) return { changes };
  const subject = message ?? `gitplane publish: ${changes.map((c) => c.env).join(', ')}`;
  const body = changes.map((c) => `${c.env}: ${c.applications.join(', ')} (${c.added.length} added, ${c.modified.length} changed, ${c.removed.length} removed)`).join('\n');
  git([...identity(work), 'commit', '-q', '--no-verify', '-F', '-'], work, `${subject}\n\n${body}\n`);
  return { commit: git(['rev-parse', 'HEAD'], work).trim(), changes };
}

/**
 * A gitplane identity for keys git has no value for, so CI without a configured identity still
 * commits; a configured identity (or the GIT_AUTHOR and GIT_COMMITTER variables) wins.
 */
function identity(work: string): string[] {
  const fallback = { 'user.name': 'gitplane', 'user.email': 'gitplane@localhost' };
  return Object.entries(fallback).flatMap(([key, value]) => (tryGit(['config', '--get', key], work).status === 0 ? [] : ['-c', `${key}=${value}`]));
}

/** Groups `git diff --name-status -z` output by environment and application. */
function summarize(status: string, built: readonly BuiltEnvironment[], envPaths: string[]): EnvironmentChange[] {
  const fields = status.split('\0').filter(Boolean);
  const entries: { code: string; file: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) entries.push({ code: fields[i], file: fields[i + 1] });
  return built.flatMap((b, i) => {
    const prefix = `${envPaths[i]}/`;
    const mine = entries.filter((e) => e.file.startsWith(prefix)).map((e) => ({ code: e.code, file: e.file.slice(prefix.length) }));
    if (mine.length === 0) return [];
    const of = (code: string) => mine.filter((e) => e.code === code).map((e) => e.file);
    return [{ env: b.spec.name, applications: [...new Set(mine.map((e) => applicationOf(e.file)))].sort(), added: of('A'), modified: of('M'), removed: of('D') }];
  });
}

/** The application a file of an environment tree belongs to: `apps/<app>/...` and `values/<app>.yaml` name it. */
export function applicationOf(file: string): string {
  const [top, second] = file.split('/');
  if (top === 'apps' && second) return second;
  if (top === 'values' && second) return second.replace(/\.ya?ml$/, '');
  return top;
}
