import { fake, UPPER_DIGITS } from '../../support/fake-secrets';
import { runPolicies } from '../../../policies/engine';
import { RULES } from '../../../policies/registry';
import { check, env, goodDeployment, obj, TODAY } from '../support';

// Every credential below is a fake fixture, made to match a detector and nothing else.
const configMap = (data: Record<string, string>) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'demo' }, data });
const found = (o: ReturnType<typeof obj>, files: Record<string, string> = {}) => check('no-plaintext-credentials', env([o], { files })).map((f) => f.message);

describe('no-plaintext-credentials', () => {
  test('passes templates, references, *_file paths and SealedSecret encryptedData (must-not-fire)', () => {
    const cm = configMap({
      'alertmanager.yaml': 'receivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key_file: /etc/alertmanager/secrets/pd/key\n- name: slack\n  slack_configs:\n  - api_url_file: /etc/alertmanager/secrets/slack/url\n',
      url: 'postgres://app:$(DB_PASSWORD)@db:5432/app',
      tpl: 'password: {{ .Values.password }}',
      env: 'TOKEN=${TOKEN}',
      secretName: 'etcd-backup-credentials',
    });
    expect(found(cm)).toEqual([]);
    const sealed = obj({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'demo' }, spec: { encryptedData: { password: 'AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq' } } });
    expect(found(sealed)).toEqual([]);
  });
  test('reads embedded YAML with Go templates as templates, without a yaml warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const cm = configMap({ 'tpl.yaml': 'title: {{ .name }}\nservers: [{{ .server }}]\n', 'leak.yaml': 'title: {{ .name }}\nrouting_key: fixture0routing0key\n' });
      expect(found(cm)).toEqual(['PagerDuty routing key at data.leak.yaml: routing_key.']);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
  test('passes AWS\'s documented example key, placeholders and Grafana file references (must-not-fire)', () => {
    const cm = configMap({
      creds: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      token: '<your-token-here>',
      'datasource.yaml': 'secureJsonData:\n  basicAuthPassword: $__file{/etc/secrets/grafana/password}\n',
    });
    expect(found(cm)).toEqual([]);
  });
  test('judges an object whose annotations are null, as charts render an empty annotations: key', () => {
    const cm = configMap({ creds: `aws_access_key_id = ${fake('AKIA', 16, UPPER_DIGITS)}` });
    cm.manifest.metadata.annotations = null as unknown as Record<string, string>;
    expect(found(cm)).toEqual(['AWS Access Key ID at data.creds.']);
  });
  test('fails when a ConfigMap value holds an AWS access key', () => {
    expect(found(configMap({ creds: `aws_access_key_id = ${fake('AKIA', 16, UPPER_DIGITS)}` }))).toEqual(['AWS Access Key ID at data.creds.']);
  });
  test('fails when a ConfigMap value holds a private key', () => {
    expect(found(configMap({ 'tls.key': '-----BEGIN RSA PRIVATE KEY-----\nfixture\n-----END RSA PRIVATE KEY-----' }))).toEqual(['private key at data.tls.key.']);
  });
  test('fails when an env value holds a JWT', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmaXh0dXJlIn0.ZmFrZS1zaWduYXR1cmUtZml4dHVyZQ';
    const d = obj(goodDeployment((x) => (x.spec.template.spec.containers[0].env = [{ name: 'AUTH', value: jwt }])));
    expect(found(d)).toEqual(['JSON Web Token at spec.template.spec.containers[0].env[0].value (AUTH).']);
  });
  test('fails when container args carry credentials in a URL', () => {
    const d = obj(goodDeployment((x) => (x.spec.template.spec.containers[0].args = ['--db=postgres://app:fixturepass@db:5432/app'])));
    expect(found(d)).toEqual(['PostgreSQL connection string at spec.template.spec.containers[0].args[0].']);
  });
  test('fails when a JDBC connection string has a password', () => {
    expect(found(configMap({ jdbc: 'jdbc:postgresql://db:5432/app?user=app&password=fixturepass' }))).toEqual(['secret in a URL query string at data.jdbc.']);
  });
  test('fails when a Slack webhook is in Alertmanager configuration', () => {
    const amc = obj({ apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', metadata: { name: 'am', namespace: 'monitoring' }, spec: { receivers: [{ name: 'slack', slackConfigs: [{ apiURL: 'https://hooks.slack.com/services/T00000000/B00000000/FIXTUREFIXTUREFIXTURE' }] }] } });
    expect(found(amc)).toEqual(['Slack Incoming Webhook at spec.receivers[0].slackConfigs[0].apiURL.']);
  });
  test('fails when Teams and Discord webhooks are in a ConfigMap', () => {
    expect(found(configMap({ teams: 'https://example.webhook.office.com/webhookb2/fixture@fixture/IncomingWebhook/fixture/fixture', discord: 'https://discord.com/api/webhooks/123456/fixture-token' }))).toEqual([
      'Discord webhook URL at data.discord.',
      'Microsoft Teams webhook URL at data.teams.',
    ]);
  });
  test('fails when a PagerDuty routing key and an Opsgenie key are literal', () => {
    const cm = configMap({ 'alertmanager.yaml': 'receivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key: 0123456789abcdef0123456789abcdef\n- name: og\n  opsgenie_configs:\n  - api_key: 01234567-89ab-cdef-0123-456789abcdef\n' });
    expect(found(cm)).toEqual([
      'Opsgenie API key at data.alertmanager.yaml: receivers[1].opsgenie_configs[0].api_key.',
      'PagerDuty routing key at data.alertmanager.yaml: receivers[0].pagerduty_configs[0].routing_key.',
    ]);
  });
  test('fails when a docker config holds an auth', () => {
    expect(found(configMap({ '.dockerconfigjson': '{"auths":{"registry.example.com":{"auth":"Zml4dHVyZTpmaXh0dXJl"}}}' }))).toEqual(['docker registry auth at data..dockerconfigjson.']);
  });
  test('fails when a high-entropy value sits under a secret-like name', () => {
    expect(found(configMap({ 'app.ini': '[db]\npassword = Xk9#fixture#Qz7' }))).toEqual(['high-entropy value under the secret-like name "password" at data.app.ini: password.']);
  });
  test('fails when a base64 value decodes to a credential', () => {
    expect(found(configMap({ blob: Buffer.from(`${fake('AKIA', 16, UPPER_DIGITS)} is the fixture key`).toString('base64') }))).toEqual(['AWS Access Key ID at data.blob (base64-decoded).']);
  });
  test('fails when Helm values of an Application carry a password', () => {
    const app = obj({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'prod-db', namespace: 'argocd' }, spec: { source: { path: 'prod/apps/db', helm: { values: 'auth:\n  password: Fixture-9xQ2-pass\n' } } } }, 'bootstrap');
    expect(found(app)).toEqual(['high-entropy value under the secret-like name "password" at spec.source.helm.values: auth.password.']);
  });
  test('fails when the Application\'s values file carries a password', () => {
    const app = obj({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'prod-db', namespace: 'argocd' }, spec: { source: { path: 'prod/apps/db' } } }, 'bootstrap');
    expect(found(app, { 'values/db.yaml': 'adminPassword: Fixture-9xQ2-pass\n' })).toEqual(['high-entropy value under the secret-like name "adminPassword" at values file of prod-db: adminPassword.']);
  });
  test('fails when last-applied-configuration embeds Secret data', () => {
    const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret","data":{"k":"Zml4dHVyZQ=="}}' } } });
    expect(found(cm)).toEqual(['Secret data embedded in last-applied-configuration at metadata.annotations.kubectl.kubernetes.io/last-applied-configuration.']);
  });
  describe('a chart document the renders of several environments share (one object, judged once)', () => {
    const rule = RULES.filter((r) => r.id === 'no-plaintext-credentials');
    const chart = { name: 'demo', version: '1.0.0', release: 'demo', template: 'demo/templates/x.yaml' };
    const rendered = (o: ReturnType<typeof obj>) => ({ ...o, chart });
    const judged = (envs: ReturnType<typeof env>[]) => runPolicies(envs, { rules: rule, today: TODAY }).environments.map((e) => e.findings.map((f) => `${e.name}: ${f.message}`));
    test('fails in every environment that renders it', () => {
      const cm = configMap({ creds: `aws_access_key_id = ${fake('AKIA', 16, UPPER_DIGITS)}` });
      expect(judged([env([rendered(cm)], { name: 'one' }), env([rendered(cm)], { name: 'two' })])).toEqual([['one: AWS Access Key ID at data.creds.'], ['two: AWS Access Key ID at data.creds.']]);
    });
    test("fails when a rendered Application's values file carries a password in one environment only", () => {
      const app = rendered(obj({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'db', namespace: 'argocd' }, spec: { source: { path: 'apps/db' } } }, 'bootstrap'));
      const leaking = env([app], { name: 'one', files: { 'values/db.yaml': 'adminPassword: Fixture-9xQ2-pass\n' } });
      const clean = env([app], { name: 'two', files: { 'values/db.yaml': 'adminPassword: $(DB_PASSWORD)\n' } });
      expect(judged([leaking, clean])).toEqual([['one: high-entropy value under the secret-like name "adminPassword" at values file of db: adminPassword.'], []]);
      expect(judged([clean, leaking])).toEqual([[], ['one: high-entropy value under the secret-like name "adminPassword" at values file of db: adminPassword.']]);
    });
  });
});
