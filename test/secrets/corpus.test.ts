/**
 * Secret detection measured on the corpus (test/secrets/corpus.ts): gitplane must find every
 * secret and no twin, and beat gitleaks, run on the same manifests in the same run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runPolicies } from '../../policies/engine';
import { RULES } from '../../policies/registry';
import { NEVER_EXEMPT } from '../../policies/types';
import { tempDir } from '../support/cli';
import { describeWithTool } from '../support/tools';
import { obj } from '../policies/support';
import { CORPUS, CorpusCase } from './corpus';

const SECRET_RULES = RULES.filter((r) => r.pack === NEVER_EXEMPT);

/** Ids of the cases gitplane's secret rules report, and how long judging the corpus took. */
function gitplane(): { found: Set<string>; ms: number } {
  const start = process.hrtime.bigint();
  const found = new Set<string>();
  for (const c of CORPUS) {
    const report = runPolicies([{ name: 'corpus', objects: [obj(c.manifest)], files: new Map(), root: 'corpus' }], { rules: SECRET_RULES });
    if (report.environments[0].findings.length > 0) found.add(c.id);
  }
  return { found, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

interface Score {
  readonly recall: number;
  readonly falsePositives: number;
}

function score(found: Set<string>): Score {
  return { recall: CORPUS.filter((c) => c.secret && found.has(c.id)).length, falsePositives: CORPUS.filter((c) => !c.secret && found.has(c.id)).length };
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return value !== null && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
}

const SECRETS = CORPUS.filter((c) => c.secret).length;
const TWINS = CORPUS.length - SECRETS;

describe('secret corpus', () => {
  test('has at least 40 secrets and 25 harmless twins, each id unique, every secret marked as fake', () => {
    expect(SECRETS).toBeGreaterThanOrEqual(40);
    expect(TWINS).toBeGreaterThanOrEqual(25);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    const marked = (text: string) => /FAKE|fa4e|gitplane-test-fake/.test(text) || /FAKE|fa4e|gitplane-test-fake/.test(Buffer.from(text, 'base64').toString('utf8'));
    expect(CORPUS.filter((c) => c.secret && !strings(c.manifest).some(marked)).map((c) => c.id)).toEqual([]);
  });

  const { found } = gitplane();
  test.each(CORPUS.map((c) => [c.secret ? 'finds' : 'passes (must-not-fire)', c.id, c.class, c] as const))('%s %s (%s)', (_verb, _id, _class, c: CorpusCase) => {
    expect(found.has(c.id)).toBe(c.secret);
  });
});

describeWithTool('gitleaks', 'secret corpus: gitplane against gitleaks, same manifests, same run', (bin) => {
  test('gitplane finds more secrets and no more false positives than gitleaks', () => {
    const dir = tempDir('gitplane-corpus-');
    const files = path.join(dir, 'manifests');
    fs.mkdirSync(files);
    for (const c of CORPUS) fs.writeFileSync(path.join(files, `${c.id}.yaml`), stringify(c.manifest));
    const reportFile = path.join(dir, 'gitleaks.json');
    const start = process.hrtime.bigint();
    const run = spawnSync(bin, ['dir', files, '--report-format', 'json', '--report-path', reportFile, '--no-banner', '--log-level', 'error', '--exit-code', '0'], { encoding: 'utf8' });
    const gitleaksMs = Number(process.hrtime.bigint() - start) / 1e6;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const leaks = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { File: string; RuleID: string }[];
    const byCase = new Map<string, string[]>();
    for (const l of leaks) {
      const id = path.basename(l.File, '.yaml');
      byCase.set(id, [...(byCase.get(id) ?? []), l.RuleID]);
    }
    const theirs = new Set(byCase.keys());
    const ours = gitplane();
    const [mine, gitleaks] = [score(ours.found), score(theirs)];

    const mark = (c: CorpusCase, hit: boolean) => (hit === c.secret ? (hit ? 'found' : 'quiet') : hit ? '**false positive**' : '**missed**');
    const version = spawnSync(bin, ['version'], { encoding: 'utf8' }).stdout.trim();
    const table = [
      `| case | class | secret | gitplane | gitleaks ${version} |`,
      '|---|---|---|---|---|',
      ...CORPUS.map((c) => `| ${c.id} | ${c.class} | ${c.secret ? 'yes' : 'no'} | ${mark(c, ours.found.has(c.id))} | ${mark(c, theirs.has(c.id))}${byCase.has(c.id) ? ` (${[...new Set(byCase.get(c.id))].join(', ')})` : ''} |`),
      '',
      `gitplane: ${mine.recall}/${SECRETS} secrets, ${mine.falsePositives}/${TWINS} false positives, ${ours.ms.toFixed(0)} ms in process.`,
      `gitleaks ${version}: ${gitleaks.recall}/${SECRETS} secrets, ${gitleaks.falsePositives}/${TWINS} false positives, ${gitleaksMs.toFixed(0)} ms including its start.`,
    ].join('\n');
    // The per-case table docs/secrets.md quotes.
    console.log(table); // eslint-disable-line no-console

    expect(mine).toEqual({ recall: SECRETS, falsePositives: 0 });
    expect(mine.recall).toBeGreaterThan(gitleaks.recall);
    expect(mine.falsePositives).toBeLessThanOrEqual(gitleaks.falsePositives);
  });
});
