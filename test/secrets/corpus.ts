/**
 * A corpus of Kubernetes manifests for measuring secret detection: secrets in the places and
 * formats that were missed before (annotations plain and base64, `github_pat_` under a neutral
 * name, `--db-password=` in args, `mysql -p<pw>`, Stripe, npm and Azure storage keys, tokens in
 * URL query strings) and the usual ones, and harmless twins of the same shapes that must not fire
 * (placeholders, templates, Grafana's `$__file{}`, AWS's documented example key, references).
 *
 * Every secret is fake, marked (FAKE) and assembled at test time (test/support/fake-secrets.ts).
 */
import { Manifest } from '../../stacks/objects';
import { ALNUM, BASE64, fake, HEX, UPPER_DIGITS } from '../support/fake-secrets';

export interface CorpusCase {
  /** Unique, also the file name given to gitleaks. */
  readonly id: string;
  /** What kind of secret (or twin) the case is. */
  readonly class: string;
  /** True when the manifest holds a secret; false for a harmless twin. */
  readonly secret: boolean;
  readonly manifest: Manifest;
}

const ghp = () => fake('ghp_', 36);
const githubPat = (label: string) => `github_pat_${fake('', 22, ALNUM, `${label}-a`)}_${fake('', 59, ALNUM, `${label}-b`)}`;
const stripe = (prefix: string) => fake(`${prefix}_`, 99).slice(0, prefix.length + 1 + 34);
const npmToken = (label: string) => fake('npm_', 36, ALNUM, label);
const awsKeyId = (label: string) => fake('AKIA', 16, UPPER_DIGITS, label);
const azureKey = (label: string) => `${fake('', 86, BASE64, label)}==`;
const password = (label: string) => fake('', 20, ALNUM, label);
const jwt = () => [{ alg: 'HS256', typ: 'JWT' }, { sub: 'gitplane-test-fake', iat: 1700000000 }].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).concat(fake('', 43, ALNUM, 'jwt-sig')).join('.');
const slackWebhook = () => `https://hooks.slack.com/services/T${fake('', 8, UPPER_DIGITS, 'team')}/B${fake('', 10, UPPER_DIGITS, 'bot')}/${fake('', 24, ALNUM, 'hook')}`;
const privateKey = () => ['-----BEGIN RSA PRIVATE KEY-----', ...Array.from({ length: 6 }, (_, i) => `MII${fake('', 61, BASE64, `pk-${i}`)}`), '-----END RSA PRIVATE KEY-----'].join('\n');
const azureConnection = (key: string) => `DefaultEndpointsProtocol=https;AccountName=gitplanefake;AccountKey=${key};EndpointSuffix=core.windows.net`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

const meta = (name: string, annotations?: Record<string, string>) => ({ name, namespace: 'corpus', ...(annotations ? { annotations } : {}) });
const configMap = (name: string, data: Record<string, string>, annotations?: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, annotations), data });
const deployment = (name: string, container: Record<string, unknown>, annotations?: Record<string, string>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: meta(name, annotations),
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', ...container }] } },
  },
});
const cronJob = (name: string, command: string[]): Manifest => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: meta(name),
  spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'registry.example.com/mysql:8.4.3', command }] } } } } },
});
const env = (vars: Record<string, string>) => ({ env: Object.entries(vars).map(([name, value]) => ({ name, value })) });

type Entry = [id: string, cls: string, manifest: Manifest];

const SECRETS: Entry[] = [
  // tokens in annotations, plain
  ['annotation-github-token', 'annotation (plain)', configMap('a1', { mode: 'sync' }, { 'ci.example.com/deploy-token': ghp() })],
  ['annotation-api-key', 'annotation (plain)', deployment('a2', {}, { 'monitoring.example.com/api-key': password('annotation-api-key') })],
  ['annotation-slack-token', 'annotation (plain)', configMap('a3', { mode: 'sync' }, { 'notify.example.com/slack': `xoxb-${fake('', 12, '0123456789', 'xoxb-team')}-${fake('', 13, '0123456789', 'xoxb-bot')}-${fake('', 24, ALNUM, 'xoxb')}` })],
  // tokens in annotations, base64
  ['annotation-base64-github', 'annotation (base64)', configMap('b1', { mode: 'sync' }, { 'ci.example.com/credentials': b64(`token=${ghp()}`) })],
  ['annotation-base64-aws', 'annotation (base64)', deployment('b2', {}, { 'backup.example.com/aws': b64(`aws_access_key_id=${awsKeyId('b64')}\naws_secret_access_key=${fake('', 40, BASE64, 'b64-secret')}`) })],
  ['annotation-base64-password', 'annotation (base64)', configMap('b3', { mode: 'sync' }, { 'db.example.com/dsn': b64(`postgres://app:${password('b64-dsn')}@db.corpus.svc:5432/app`) })],
  // github_pat_ under a neutral name
  ['github-pat-env', 'github_pat_ (neutral name)', deployment('c1', env({ GIT_EXTRA_HEADER_VALUE: githubPat('env') }))],
  ['github-pat-configmap', 'github_pat_ (neutral name)', configMap('c2', { settings: githubPat('cm') })],
  ['github-pat-arg', 'github_pat_ (neutral name)', deployment('c3', { args: ['--sync', githubPat('arg')] })],
  // --db-password=... and friends in container args
  ['args-db-password', 'password in args', deployment('d1', { args: ['--db-host=db.corpus.svc', `--db-password=${password('dbpw')}`] })],
  ['args-password-separate', 'password in args', deployment('d2', { args: ['--user', 'app', '--password', password('sep')] })],
  ['args-api-token', 'password in args', deployment('d3', { args: [`--api-token=${password('apitoken')}`] })],
  // -p<pw> in a command
  ['command-mysql-p', '-p<pw> in a command', cronJob('e1', ['sh', '-c', `mysqldump -h db.corpus.svc -u backup -p${password('mysqldump')} app > /backup/app.sql`])],
  ['command-mysql-client', '-p<pw> in a command', cronJob('e2', ['mysql', '-uroot', `-p${password('mysqlroot')}`, '-e', 'SELECT 1'])],
  ['command-mariadb', '-p<pw> in a command', cronJob('e3', ['sh', '-c', `mariadb -u app -p${password('mariadb')} -h db app < /seed.sql`])],
  // Stripe
  ['stripe-live-env', 'Stripe key', deployment('f1', env({ PAYMENTS_KEY: stripe('sk_live') }))],
  ['stripe-restricted-configmap', 'Stripe key', configMap('f2', { 'payments.yaml': `stripe:\n  key: ${stripe('rk_live')}\n` })],
  ['stripe-test-arg', 'Stripe key', deployment('f3', { args: [`--stripe=${stripe('sk_test')}`] })],
  // npm
  ['npm-npmrc', 'npm token', configMap('g1', { '.npmrc': `//registry.npmjs.org/:_authToken=${npmToken('npmrc')}\n` })],
  ['npm-env', 'npm token', deployment('g2', env({ NPM_TOKEN: npmToken('env') }))],
  ['npm-neutral', 'npm token', configMap('g3', { publish: npmToken('neutral') })],
  // Azure storage keys
  ['azure-connection-configmap', 'Azure storage key', configMap('h1', { connection: azureConnection(azureKey('cm')) })],
  ['azure-connection-env', 'Azure storage key', deployment('h2', env({ AZURE_STORAGE_CONNECTION_STRING: azureConnection(azureKey('env')) }))],
  ['azure-appsettings-json', 'Azure storage key', configMap('h3', { 'appsettings.json': JSON.stringify({ Storage: { AccountName: 'gitplanefake', AccountKey: azureKey('json') } }) })],
  // tokens in URL query strings
  ['query-access-token', 'token in a URL query string', configMap('i1', { webhook: `https://alerts.example.com/hook?access_token=${password('qat')}` })],
  ['query-api-key-args', 'token in a URL query string', deployment('i2', { args: [`--upstream=https://api.example.com/v1?region=eu&api_key=${password('qak')}`] })],
  ['query-token-env', 'token in a URL query string', deployment('i3', env({ FEED_URL: `https://feeds.example.com/export.csv?token=${password('qtok')}` }))],
  // the usual classes
  ['aws-key-configmap', 'AWS access key', configMap('j1', { credentials: `[default]\naws_access_key_id = ${awsKeyId('cm')}\naws_secret_access_key = ${fake('', 40, BASE64, 'aws-secret')}\n` })],
  ['aws-key-env', 'AWS access key', deployment('j2', env({ AWS_ACCESS_KEY_ID: awsKeyId('env'), AWS_SECRET_ACCESS_KEY: fake('', 40, BASE64, 'aws-env-secret') }))],
  ['github-token-env', 'GitHub token', deployment('k1', env({ GITHUB_TOKEN: ghp() }))],
  ['github-token-url', 'GitHub token', configMap('k2', { repo: `https://x-access-token:${fake('ghp_', 36, ALNUM, 'url')}@github.com/example/gitops.git` })],
  ['private-key-configmap', 'private key', configMap('l1', { 'tls.key': privateKey() })],
  ['private-key-annotation', 'private key', configMap('l2', { mode: 'tls' }, { 'certs.example.com/key': b64(privateKey()) })],
  ['slack-webhook-configmap', 'Slack webhook', configMap('m1', { 'alertmanager.yaml': `receivers:\n- name: slack\n  slack_configs:\n  - api_url: ${slackWebhook()}\n` })],
  ['jwt-env', 'JWT', deployment('n1', env({ SERVICE_AUTH: jwt() }))],
  ['url-credentials-configmap', 'credentials in a URL', configMap('o1', { broker: `amqp://app:${password('amqp')}@rabbitmq.corpus.svc:5672/` })],
  ['url-credentials-redis', 'credentials in a URL', deployment('o2', env({ CACHE_URL: `redis://:${password('redis')}@redis.corpus.svc:6379/0` }))],
  ['secret-stringdata', 'Secret with data', { apiVersion: 'v1', kind: 'Secret', metadata: meta('p1'), stringData: { password: password('stringdata') } }],
  ['secret-data', 'Secret with data', { apiVersion: 'v1', kind: 'Secret', metadata: meta('p2'), type: 'Opaque', data: { token: b64(ghp()) } }],
  ['helm-values-password', 'password under a secret-like name', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'q1', namespace: 'argocd' }, spec: { source: { repoURL: 'https://charts.example.com', chart: 'db', targetRevision: '1.0.0', helm: { values: `auth:\n  adminPassword: ${password('helm')}\n` } } } }],
  ['grafana-datasource-password', 'password under a secret-like name', configMap('q2', { 'datasources.yaml': `apiVersion: 1\ndatasources:\n- name: db\n  type: postgres\n  secureJsonData:\n    password: ${password('grafana')}\n` })],
];

const TWINS: Entry[] = [
  // annotations that are not secrets
  ['twin-annotation-commit', 'annotation (plain)', configMap('ta1', { mode: 'sync' }, { 'ci.example.com/commit': fake('', 40, HEX, 'commit') })],
  ['twin-annotation-checksum', 'annotation (plain)', deployment('ta2', {}, { 'checksum/config': fake('', 64, HEX, 'checksum') })],
  ['twin-annotation-base64-text', 'annotation (base64)', configMap('ta3', { mode: 'sync' }, { 'docs.example.com/summary': b64('This ConfigMap holds the sync mode of the corpus application.') })],
  // placeholders and templates
  ['twin-placeholder-token', 'placeholder', configMap('tb1', { token: '<your-token-here>' })],
  ['twin-placeholder-args', 'placeholder', deployment('tb2', { args: ['--db-password=<db-password>'] })],
  ['twin-template-env', 'template', deployment('tb3', env({ GITHUB_TOKEN: '$(GITHUB_TOKEN)' }))],
  ['twin-template-helm', 'template', configMap('tb4', { 'values.yaml': 'auth:\n  password: {{ .Values.password }}\n' })],
  ['twin-grafana-file', "Grafana's $__file{}", configMap('tb5', { 'datasources.yaml': 'apiVersion: 1\ndatasources:\n- name: db\n  type: postgres\n  secureJsonData:\n    password: $__file{/etc/secrets/db/password}\n' })],
  ['twin-grafana-env', "Grafana's $__env{}", configMap('tb6', { 'grafana.ini': '[security]\nadmin_password = $__env{GF_ADMIN_PASSWORD}\n' })],
  // documented examples
  ['twin-aws-example-key', "AWS's documented example key", configMap('tc1', { credentials: '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' })],
  ['twin-aws-example-env', "AWS's documented example key", deployment('tc2', env({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }))],
  // references to secrets
  ['twin-secret-key-ref', 'reference', deployment('td1', { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } }] })],
  ['twin-password-file-arg', 'reference', deployment('td2', { args: ['--db-password-file=/etc/secrets/db/password', '--api-token-file', '/etc/secrets/api/token'] })],
  ['twin-mysql-env-password', 'reference', cronJob('td3', ['sh', '-c', 'mysqldump -h db.corpus.svc -u backup -p"$MYSQL_PASSWORD" app > /backup/app.sql'])],
  ['twin-external-secret', 'reference', { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: meta('td4'), spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' }, target: { name: 'api-token' }, data: [{ secretKey: 'token', remoteRef: { key: 'prod/api/token' } }] } }],
  ['twin-alertmanager-file', 'reference', configMap('td5', { 'alertmanager.yaml': 'receivers:\n- name: slack\n  slack_configs:\n  - api_url_file: /etc/alertmanager/secrets/slack/url\n' })],
  // shapes of the missed classes without a secret in them
  ['twin-azure-dev-storage', 'Azure storage key', configMap('te1', { connection: 'UseDevelopmentStorage=true' })],
  ['twin-azure-account-name', 'Azure storage key', configMap('te2', { connection: 'DefaultEndpointsProtocol=https;AccountName=gitplanefake;EndpointSuffix=core.windows.net' })],
  ['twin-query-no-secret', 'token in a URL query string', configMap('te3', { dashboard: 'https://grafana.example.com/d/abc?orgId=1&refresh=30s&var-namespace=corpus' })],
  ['twin-query-template', 'token in a URL query string', deployment('te4', env({ FEED_URL: 'https://feeds.example.com/export.csv?token=$(FEED_TOKEN)' }))],
  ['twin-npm-registry', 'npm token', configMap('te5', { '.npmrc': 'registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' })],
  ['twin-stripe-publishable-name', 'Stripe key', deployment('te6', env({ STRIPE_KEY_NAME: 'payments-live-key' }))],
  ['twin-mysql-no-password', '-p<pw> in a command', cronJob('te7', ['sh', '-c', 'mysql --defaults-extra-file=/etc/mysql/credentials.cnf -e "SELECT 1" -P 3306'])],
  ['twin-url-no-credentials', 'credentials in a URL', configMap('te8', { broker: 'amqp://rabbitmq.corpus.svc:5672/', cache: 'redis://redis.corpus.svc:6379/0' })],
  ['twin-image-digest', 'digest', deployment('te9', { image: `registry.example.com/app@sha256:${fake('', 64, HEX, 'digest')}` })],
  ['twin-uuid', 'identifier', configMap('te10', { tenantId: '7f3c9a52-1d4e-4b8a-9c6f-2e5d8b1a0c47', clientId: 'gitplane-corpus' })],
  ['twin-helm-checksum-secret', 'digest', deployment('te12', {}, { 'checksum/secret': fake('', 64, HEX, 'checksum-secret') })],
  ['twin-token-hash', 'digest', configMap('te13', { 'auth.yaml': `webhook:\n  tokenSha256: ${fake('', 64, HEX, 'token-hash')}\n` })],
  ['twin-public-key', 'public key', configMap('te14', { 'wg0.conf': `[Peer]\nPublicKey = ${fake('', 43, BASE64, 'wg-public')}=\nAllowedIPs = 10.20.0.0/24\n` })],
  ['twin-sealed-secret', 'encrypted', { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: meta('te11'), spec: { encryptedData: { password: `AgB${fake('', 340, BASE64, 'sealed')}` } } }],
];

export const CORPUS: readonly CorpusCase[] = [
  ...SECRETS.map(([id, cls, manifest]) => ({ id, class: cls, secret: true, manifest })),
  ...TWINS.map(([id, cls, manifest]) => ({ id, class: cls, secret: false, manifest })),
];
