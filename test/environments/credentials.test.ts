import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnvironment } from '../../stacks/environment';
import { gitplane, tempDir } from '../support/cli';
import { loadProblems } from '../support/environments';
import { ALNUM, fake } from '../support/fake-secrets';

const FILE = 'environments/test.yaml';
const VALID = fs.readFileSync(path.join(__dirname, '..', '..', 'environments', 'staging.yaml'), 'utf8').replace('name: staging', 'name: test');
const TOKEN = fake('ghp_', 36);
/** The 1-based line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const FIX = 'An environment file is committed to Git, so the credential is leaked: rotate it, store the new value in the secret store (pulumi config set --secret, or the store itself) and name its entry in secrets.refs.';

const problems = (text: string) => loadProblems(text, FILE);

describe('credentials in environment files', () => {
  test('passes store entry names in secrets.refs and plain URLs (must-not-fire)', () => {
    expect(parseEnvironment(VALID, FILE).secrets.refs['slack-webhook']).toBe('staging/alertmanager/slack-webhook');
  });

  test('fails when gitops.repoURL carries a GitHub token, naming file, line and field without echoing the token', () => {
    const found = problems(VALID.replace('repoURL: https://git.example.com', `repoURL: https://${TOKEN}@git.example.com`));
    expect(found).toEqual([`${FILE}:${lineOf(VALID, 'repoURL:')}:12: gitops.repoURL must not hold a credential (found GitHub Token(GitHub personal access tokens): ghp_FA… (40 characters)). ${FIX}`]);
    expect(found[0]).not.toContain(TOKEN.slice(4));
  });

  test('fails when a secrets.refs value is the secret itself, not the name of a store entry', () => {
    const webhook = `https://hooks.slack.com/services/T${fake('', 8, ALNUM, 't')}/B${fake('', 8, ALNUM, 'b')}/${fake('', 24)}`;
    const text = VALID.replace('slack-webhook: staging/alertmanager/slack-webhook', `slack-webhook: ${webhook}`).replace('loki-object-store: staging/loki/object-store', `loki-object-store: ${fake('', 24, ALNUM, 'loki')}`);
    expect(problems(text).map((p) => p.replace(/ \(found.*/, ''))).toEqual([
      `${FILE}:${lineOf(text, 'slack-webhook: https://')}:20: secrets.refs.slack-webhook must not hold a credential`,
      `${FILE}:${lineOf(text, 'loki-object-store: ')}:24: secrets.refs.loki-object-store must not hold a credential`,
    ]);
  });

  test('fails when a credential sits in a comment or under any other field', () => {
    const text = `# staging, token for the bot: ${TOKEN}\n${VALID.replace('channel: "#staging-alerts"', `channel: "#staging-alerts?token=${fake('', 32, ALNUM, 'query')}"`)}`;
    expect(problems(text).map((p) => p.replace(/ \(found.*/, ''))).toEqual([
      `${FILE}:1:1: a comment (near name) must not hold a credential`,
      `${FILE}:${lineOf(text, '?token=')}:70: alerting.receivers[0].channel must not hold a credential`,
    ]);
  });

  test('fails when synth is given such a file: exit 2 before any output exists', () => {
    const dir = tempDir();
    const file = path.join(dir, 'leaky.yaml');
    fs.writeFileSync(file, VALID.replace('name: test', 'name: leaky').replace('repoURL: https://git.example.com', `repoURL: https://x-access-token:${TOKEN}@git.example.com`));
    const out = path.join(dir, 'out');
    const r = gitplane(['synth', '--file', file, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`leaky.yaml:${lineOf(VALID, 'repoURL:')}:12: gitops.repoURL must not hold a credential (found GitHub Token`);
    expect(r.stderr).not.toContain(TOKEN.slice(4));
    expect(fs.existsSync(out)).toBe(false);
  });
});
