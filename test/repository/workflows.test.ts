/**
 * The GitHub Actions workflows, linted by actionlint (built by tools/install.sh): syntax, keys,
 * expressions and their types, action inputs, and each `run:` script through shellcheck.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { gitplane, tempDir } from '../support/cli';
import { describeWithTool, findTool } from '../support/tools';

const WORKFLOWS = path.join(__dirname, '..', '..', '.github', 'workflows');

interface Finding {
  kind: string;
  line: number;
  message: string;
}

describeWithTool('actionlint', 'GitHub Actions workflows', (actionlint) => {
  /** actionlint's findings for the workflow files in `dir`, and its exit code. */
  function lint(dir: string): { status: number | null; findings: Finding[] } {
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    const run = spawnSync(actionlint, ['-format', '{{json .}}', '-shellcheck', findTool('shellcheck') ?? '', ...files], { cwd: dir, encoding: 'utf8' });
    if (run.error) throw run.error;
    if (run.stderr) throw new Error(`actionlint failed to run: ${run.stderr}`);
    return { status: run.status, findings: JSON.parse(run.stdout || '[]') };
  }

  test('every workflow in .github/workflows passes actionlint', () => {
    expect(fs.readdirSync(WORKFLOWS).length).toBeGreaterThan(0);
    expect(lint(WORKFLOWS)).toEqual({ status: 0, findings: [] });
  });

  test('the workflow gitplane init scaffolds passes actionlint', () => {
    const project = path.join(tempDir('gitplane-init-'), 'platform');
    expect(gitplane(['init', project, '--quiet']).status).toBe(0);
    expect(lint(path.join(project, '.github', 'workflows'))).toEqual({ status: 0, findings: [] });
  });

  test('fails when a workflow has an unknown key or an expression naming an unknown property', () => {
    const dir = tempDir('gitplane-actionlint-');
    const workflow = fs.readFileSync(path.join(WORKFLOWS, 'gitplane.yml'), 'utf8');
    const broken = workflow
      .replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    timeout-minute: 30\n')
      .replace('${{ github.base_ref }}', '${{ github.base_reff }}');
    expect(broken).not.toBe(workflow);
    fs.writeFileSync(path.join(dir, 'gitplane.yml'), broken);
    const { status, findings } = lint(dir);
    expect(status).toBe(1);
    expect(findings.map(({ kind, message }) => ({ kind, message }))).toEqual([
      { kind: 'syntax-check', message: expect.stringContaining('unexpected key "timeout-minute" for "job" section') },
      { kind: 'expression', message: expect.stringContaining('property "base_reff" is not defined') },
    ]);
  });
});

describe('the pull-request workflow', () => {
  const steps: { name?: string; if?: string; run?: string; uses?: string }[] = parse(fs.readFileSync(path.join(WORKFLOWS, 'gitplane.yml'), 'utf8')).jobs.gitplane.steps;
  const runs = steps.map((s) => s.run ?? '').join('\n');

  test('synthesizes once: one policy run writes every report and dist/, which the diff reuses', () => {
    expect(runs.match(/npx gitplane (synth|validate|policy)\b/g)).toEqual(['npx gitplane policy']);
    expect(runs).toMatch(/gitplane policy --all [^\n]*--out dist/);
    expect(runs).toMatch(/gitplane diff [^\n]*--rendered dist/);
  });

  test('pulls the charts with --locked: the committed gitplane.lock is checked against the pins, never rewritten in CI', () => {
    expect(runs.match(/npx gitplane schemas pull\b[^\n]*/g)).toEqual(['npx gitplane schemas pull --locked']);
  });

  test('skips the code-scanning upload and the comment on pull requests from forks, whose token is read-only', () => {
    const guarded = steps.filter((s) => s.uses?.startsWith('github/codeql-action/upload-sarif') || /gh pr comment/.test(s.run ?? ''));
    expect(guarded).toHaveLength(2);
    for (const step of guarded) expect(step.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });
  test('keeps the chart renders, the parsed embedded documents and the schema checks\' outcomes between runs: restored by the pins\' digest, saved again with what each run added', () => {
    const caches = steps.filter((s) => s.uses?.startsWith('actions/cache@')) as { with: { path: string; key: string; 'restore-keys'?: string } }[];
    const renders = caches.find((s) => s.with.path.split('\n').includes('~/.cache/gitplane/renders'))!;
    expect(renders.with.path.split('\n')).toEqual(expect.arrayContaining(['~/.cache/gitplane/embedded', '~/.cache/gitplane/validated']));
    expect(caches.filter((s) => s.with.path.split('\n').includes('~/.cache/gitplane')).map((s) => s.with.path.split('\n'))).toEqual([
      expect.arrayContaining(['!~/.cache/gitplane/embedded', '!~/.cache/gitplane/validated']),
    ]);
    expect(renders.with.key).toMatch(/^gitplane-renders-\$\{\{ hashFiles\('gitplane\.lock'.*\}\}-\$\{\{ github\.run_id \}\}$/);
    expect(renders.with.key.startsWith(renders.with['restore-keys']!)).toBe(true);
  });
});
