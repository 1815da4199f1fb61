/**
 * Where findings point: at the line of the environment file that configures the object, which a
 * pull request changes, not at the synthesized output (git-ignored in a platform repository).
 * The objects are synthesized from a shipped environment, then one is broken the way a construct
 * bug would break it, and the real rules judge the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPolicies } from '../../policies/engine';
import { render } from '../../policies/formats';
import { fromBuilt } from '../../policies/inputs';
import { Finding } from '../../policies/types';
import { parseEnvironment } from '../../stacks/environment';
import { RenderedObject } from '../../stacks/objects';
import { buildEnvironment, BuiltEnvironment } from '../../stacks/pipeline';
import { loadSettings } from '../../stacks/settings';
import { ROOT } from '../support/cli';

const FILE = 'environments/dev.yaml';
const text = fs.readFileSync(path.join(ROOT, FILE), 'utf8');
const lineOf = (pattern: RegExp) => text.split('\n').findIndex((l) => pattern.test(l)) + 1;

/** dev as synthesized, with the probes removed from the containers of `kind` `name`. */
function withoutProbes(built: BuiltEnvironment, kind: string, name: string): BuiltEnvironment {
  const objects = built.output.objects.map((o): RenderedObject => {
    if (o.manifest.kind !== kind || o.manifest.metadata.name !== name) return o;
    const manifest = structuredClone(o.manifest) as any;
    for (const c of manifest.spec.template.spec.containers) {
      delete c.readinessProbe;
      delete c.livenessProbe;
      delete c.startupProbe;
    }
    return { ...o, manifest };
  });
  expect(objects.filter((o, i) => o !== built.output.objects[i])).toHaveLength(1);
  return { ...built, output: { ...built.output, objects } };
}

let built: BuiltEnvironment;
beforeAll(() => {
  built = buildEnvironment(parseEnvironment(text, FILE, { expectName: 'dev' }), loadSettings({}));
});

const probeFindings = (b: BuiltEnvironment): Finding[] => runPolicies([fromBuilt(b)]).environments[0].findings.filter((f) => f.rule === 'container-probes');

test.each([
  ['a team application', 'Deployment', 'example-api', /^  example-api:/],
  ['a component of gitplane', 'StatefulSet', 'nats', /^  nats:/],
])('a finding on %s points at the line of the environment file that configures it', (_what, kind, name, key) => {
  const [finding] = probeFindings(withoutProbes(built, kind, name));
  expect(finding.source).toEqual({ file: FILE, line: lineOf(key) });
  expect(finding.file).toMatch(new RegExp(`^dist/dev/apps/[^/]+/${kind.toLowerCase()}-${name}\\.yaml$`));
});

test('SARIF locates the result at that line and keeps the output file in its properties; github annotates the line', () => {
  const report = runPolicies([fromBuilt(withoutProbes(built, 'Deployment', 'example-api'))]);
  const result = JSON.parse(render(report, 'sarif', '0.0.0')).runs[0].results.find((r: any) => r.ruleId === 'container-probes');
  expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: FILE }, region: { startLine: lineOf(/^  example-api:/) } });
  expect(result.properties.output).toMatch(/^dist\/dev\/apps\/example-api\//);
  expect(render(report, 'github', '0.0.0')).toContain(`::error file=${FILE},line=${lineOf(/^  example-api:/)},title=container-probes (dev)::`);
});

test('a directory of manifests keeps its findings on the manifest files', () => {
  const env = { ...fromBuilt(withoutProbes(built, 'Deployment', 'example-api')), spec: undefined, locate: undefined };
  const report = runPolicies([env]);
  const [finding] = report.environments[0].findings.filter((f) => f.rule === 'container-probes');
  expect(finding.source).toBeUndefined();
  const result = JSON.parse(render(report, 'sarif', '0.0.0')).runs[0].results.find((r: any) => r.ruleId === 'container-probes');
  expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: finding.file }, region: { startLine: 1 } });
});
