import { check, env, goodPrometheusRule, messages, obj, RUNBOOK } from '../support';

const run = (runbook: string) => messages(check('runbook-sections', env([obj(goodPrometheusRule())], { files: { 'runbooks/demo-down.md': runbook } })));

describe('runbook-sections', () => {
  test('passes a runbook with every section (must-not-fire)', () => {
    expect(run(RUNBOOK)).toEqual([]);
  });
  test('a heading that begins with the section name counts (must-not-fire)', () => {
    expect(run(RUNBOOK.replace('## Mitigation', '## Mitigation (under five minutes)'))).toEqual([]);
  });
  test('fails when a heading only shares a prefix with the section name', () => {
    expect(run(RUNBOOK.replace('## Impact', '## Impacts'))).toEqual(['runbook-sections: runbook runbooks/demo-down.md of alert DemoDown lacks the section(s) "## Impact".']);
  });
  test('fails when a section is missing', () => {
    expect(run(RUNBOOK.replace('## Escalation', '## Contacts'))).toEqual(['runbook-sections: runbook runbooks/demo-down.md of alert DemoDown lacks the section(s) "## Escalation".']);
  });
  test('fails when a section is only a TODO', () => {
    expect(run(RUNBOOK.replace('Restart it.', 'TODO'))).toEqual(['runbook-sections: runbook runbooks/demo-down.md of alert DemoDown has empty section(s) "## Mitigation".']);
  });
});
