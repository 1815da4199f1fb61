import { runPolicies } from '../../policies/engine';
import { ObjectRule } from '../../policies/types';
import { fake } from '../support/fake-secrets';
import { env, goodDeployment, obj, spec, TODAY } from './support';

const latest = () => obj(goodDeployment((d) => (d.spec.template.spec.containers[0].image = 'demo:latest')));
const advisoryRule: ObjectRule = { id: 'demo-advisory', scope: 'object', severity: 'warning', pack: 'hygiene', description: 'd', rationale: 'r', remediation: 'Do it.', docsUrl: 'docs', kinds: ['Deployment'], check: () => [{ message: 'advice.' }] };

describe('policy engine', () => {
  test('production runs every pack and makes warnings mandatory', () => {
    const report = runPolicies([env([obj(goodDeployment())])], { rules: [advisoryRule], today: TODAY });
    expect(report.environments[0].packs).toEqual(['core', 'fleet', 'hygiene', 'observability', 'runbooks', 'secrets', 'sync-waves']);
    expect(report.environments[0].findings.map((f) => f.level)).toEqual(['mandatory']);
  });
  test('other tiers keep warnings advisory unless policy.mandatory is set', () => {
    const dev = spec((s) => ((s.tier = 'development'), (s.policy.mandatory = false)));
    expect(runPolicies([env([obj(goodDeployment())], { spec: dev })], { rules: [advisoryRule], today: TODAY }).environments[0].findings[0].level).toBe('advisory');
    const strict = spec((s) => ((s.tier = 'development'), (s.policy.mandatory = true)));
    expect(runPolicies([env([obj(goodDeployment())], { spec: strict })], { rules: [advisoryRule], today: TODAY }).environments[0].findings[0].level).toBe('mandatory');
  });
  test('an environment runs only the packs it chooses, plus core', () => {
    const s = spec((x) => ((x.tier = 'staging'), (x.policy.packs = ['secrets'])));
    const report = runPolicies([env([latest()], { spec: s })], { today: TODAY });
    expect(report.environments[0].packs).toEqual(['core', 'secrets']);
    expect(report.environments[0].findings).toEqual([]);
  });
  test('fails when a non-production environment leaves secrets out of policy.packs: the secret rules run anyway', () => {
    const s = spec((x) => ((x.tier = 'staging'), (x.policy.packs = ['hygiene'])));
    const leak = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak', namespace: 'demo' }, data: { repo: `https://${fake('ghp_', 36)}@github.com/example/gitops.git` } });
    const report = runPolicies([env([leak], { spec: s })], { today: TODAY }).environments[0];
    expect(report.packs).toEqual(['core', 'hygiene', 'secrets']);
    expect(report.findings.filter((f) => f.rule === 'no-plaintext-credentials').map((f) => [f.level, f.message])).toEqual([['mandatory', 'GitHub Token(GitHub personal access tokens) at data.repo.']]);
  });
  test('fails when an exemption names a secret rule: no reason makes a committed credential safe', () => {
    const s = spec((x) => (x.policy.exemptions = [{ rule: 'no-plaintext-credentials', object: 'ConfigMap/demo/leak', reason: 'rotated after the merge, promise' }]));
    expect(() => runPolicies([env([], { spec: s })], { today: TODAY })).toThrow(
      'environments/prod.yaml: policy.exemptions names rule "no-plaintext-credentials" (for ConfigMap/demo/leak), whose findings cannot be exempted: the output is committed to Git, where a credential is leaked whatever the reason. Remove the exemption and move the value into the secret store (secrets.refs, pulumi config set --secret).',
    );
  });
  test('fails when an environment names an unknown pack', () => {
    const s = spec((x) => ((x.tier = 'staging'), (x.policy.packs = ['hygeine'])));
    expect(() => runPolicies([env([], { spec: s })])).toThrow('environments/prod.yaml: policy.packs has unknown pack(s) "hygeine". Use some of runbooks, sync-waves, secrets, hygiene, fleet, observability.');
  });
  test('a finding names environment, object, file, construct path, value and fix', () => {
    const f = runPolicies([env([latest()])], { today: TODAY }).environments[0].findings.find((x) => x.rule === 'image-pinned');
    expect(f).toEqual(expect.objectContaining({ environment: 'prod', ref: 'Deployment/demo/demo', object: { kind: 'Deployment', namespace: 'demo', name: 'demo' }, file: 'dist/prod/apps/demo/deployment-demo.yaml', constructPath: 'demo/demo/Resource', value: 'demo:latest', level: 'mandatory' }));
    expect(f?.fix).toMatch(/versions.yaml/);
  });
  test('fails when a rule throws: the crash is a mandatory finding, never a pass', () => {
    const broken: ObjectRule = { ...advisoryRule, id: 'broken', check: () => { throw new Error('boom'); } };
    const [f] = runPolicies([env([obj(goodDeployment())], { spec: null })], { rules: [broken], today: TODAY }).environments[0].findings;
    expect([f.rule, f.level, f.message]).toEqual(['broken', 'mandatory', 'rule broken failed while judging this object (boom). A rule that fails never passes; this is a bug in the rule.']);
  });
  test('an exemption in force waives its finding and is counted', () => {
    const s = spec((x) => (x.policy.exemptions = [{ rule: 'image-pinned', object: 'Deployment/demo/demo', reason: 'upstream publishes no tags yet', expires: '2027-01-01' }]));
    const e = runPolicies([env([latest()], { spec: s })], { today: TODAY }).environments[0];
    expect(e.findings.filter((f) => f.rule === 'image-pinned')).toEqual([]);
    expect(e.exemptions).toEqual([expect.objectContaining({ rule: 'image-pinned', object: 'Deployment/demo/demo', waived: 1 })]);
  });
  test('fails when the exemption has expired: the finding returns beside exemption-expired', () => {
    const s = spec((x) => (x.policy.exemptions = [{ rule: 'image-pinned', object: 'Deployment/demo/demo', reason: 'upstream publishes no tags yet', expires: '2026-01-01' }]));
    const e = runPolicies([env([latest()], { spec: s })], { today: TODAY }).environments[0];
    expect(e.findings.map((f) => f.rule).filter((r) => ['image-pinned', 'exemption-expired'].includes(r)).sort()).toEqual(['exemption-expired', 'image-pinned']);
    expect(e.exemptions).toEqual([]);
  });
  test('fails when an exemption names a rule that does not exist', () => {
    const s = spec((x) => (x.policy.exemptions = [{ rule: 'image-pined', object: 'Deployment/demo/demo', reason: 'typo in the rule id here' }]));
    expect(() => runPolicies([env([], { spec: s })], { today: TODAY })).toThrow('environments/prod.yaml: policy.exemptions names rule "image-pined" (for Deployment/demo/demo), which does not exist. Use a rule id from docs/policies.md.');
  });
  test('findings come out by file, rule and message in code-point order, findings alike in the order found', () => {
    // Files, rules and messages whose code-point order differs from their order of appearance and
    // from a locale's (upper case before lower, "Z" before "a", a prefix before what extends it).
    const named = (name: string) => obj(goodDeployment((d) => (d.metadata.name = name)));
    const objects = ['b', 'a-z', 'B', 'a'].map(named);
    const says = (id: string, messages: (name: string) => string[]): ObjectRule => ({ ...advisoryRule, id, check: (o) => messages(o.manifest.metadata.name).map((message, i) => ({ message, value: `${id} ${o.manifest.metadata.name} ${i}` })) });
    const rules = [says('zeta', (n) => [`Zed ${n}.`, `alike.`, `alike.`]), says('Alpha', () => ['a.', 'Z.']), says('alpha', (n) => [`${n}.`])];
    const found = runPolicies([env(objects, { spec: null })], { rules, today: TODAY }).environments[0].findings.map((f) => [f.object.name, f.rule, f.message, f.value]);
    // By file: deployment-a-z.yaml before deployment-a.yaml ('-' is below '.').
    const expected = ['B', 'a-z', 'a', 'b'].flatMap((n) => [
      [n, 'Alpha', 'Z.', `Alpha ${n} 1`],
      [n, 'Alpha', 'a.', `Alpha ${n} 0`],
      [n, 'alpha', `${n}.`, `alpha ${n} 0`],
      [n, 'zeta', `Zed ${n}.`, `zeta ${n} 0`],
      [n, 'zeta', 'alike.', `zeta ${n} 1`],
      [n, 'zeta', 'alike.', `zeta ${n} 2`],
    ]);
    expect(found).toEqual(expected);
  });
});
