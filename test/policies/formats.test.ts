import { RULES } from '../../policies/registry';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { runPolicies } from '../../policies/engine';
import { render } from '../../policies/formats';
import { env, goodDeployment, obj, spec, TODAY } from './support';
import sarifSchema from '../fixtures/sarif/sarif-schema-2.1.0.json';

const corpus = () => {
  const s = spec((x) => (x.policy.exemptions = [{ rule: 'container-probes', object: 'Deployment/demo/demo', reason: 'fixture: exempted to show a suppression' }]));
  const d = obj(goodDeployment((x) => {
    x.spec.template.spec.containers[0].image = 'demo:latest';
    delete x.spec.template.spec.containers[0].readinessProbe;
  }));
  return runPolicies([env([d], { spec: s })], { today: TODAY });
};

describe('report formats', () => {
  test('sarif validates against the SARIF 2.1.0 schema, with rules, results and suppressions', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(sarifSchema);
    const log = JSON.parse(render(corpus(), 'sarif', '0.1.0'));
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.rules.find((r: { id: string }) => r.id === 'image-pinned').help.text).toMatch(/Fix: Pin the image/);
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'image-pinned');
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('dist/prod/apps/demo/deployment-demo.yaml');
    expect(run.results.find((r: { ruleId: string }) => r.ruleId === 'container-probes').suppressions).toEqual([{ kind: 'external', justification: 'fixture: exempted to show a suppression' }]);
  });
  test('fails validation when a result has a bogus level (the schema check is real)', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const log = JSON.parse(render(corpus(), 'sarif', '0.1.0'));
    log.runs[0].results[0].level = 'fatal';
    expect(ajv.validate(sarifSchema, log)).toBe(false);
  });
  test('junit has one testcase per rule per environment and fails the rules with mandatory findings', () => {
    const report = corpus();
    const xml = render(report, 'junit', '0.1.0');
    const doc = xml;
    expect((doc.match(/<testcase /g) ?? []).length).toBe(report.environments[0].rules.length);
    expect(doc).toMatch(/<testcase classname="gitplane.prod" name="image-pinned">\n\s+<failure type="image-pinned"/);
    expect(doc).toMatch(/<testcase classname="gitplane.prod" name="container-probes"\/>/);
  });
  test('github prints one annotation per finding on its file', () => {
    const out = render(corpus(), 'github', '0.1.0');
    expect(out).toContain('::error file=dist/prod/apps/demo/deployment-demo.yaml,title=image-pinned (prod)::Deployment/demo/demo%3A'.replace('%3A', ':'));
  });
  test('markdown is a pull-request comment with the verdict and counts', () => {
    const md = render(corpus(), 'markdown', '0.1.0');
    expect(md).toMatch(/^### gitplane policy: \d+ mandatory finding\(s\) block this merge/);
    expect(md).toContain(`| prod | 3 | 0 | ${RULES.length} | 1 |`);
  });
});
