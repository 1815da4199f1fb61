/**
 * The collector configs as a real OpenTelemetry Collector reads them: `otelcol-gitplane validate`
 * (built by tools/install.sh from tools/otelcol-builder.yaml) resolves every component name
 * (current names and deprecated aliases alike), unmarshals every component's config and checks
 * the pipelines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';
import { ENVIRONMENTS, built } from '../support/environments';
import { describeWithTool } from '../support/tools';

const CONFIGS = ['otel-agent', 'otel-gateway'] as const;
// The agent's and the gateway's environment, as their pods set it (a fleet's gateway reads
// K8S_CLUSTER_NAME from its site's telemetry-cluster ConfigMap).
const POD_ENV = { MY_POD_IP: '10.0.0.10', KUBE_NODE_NAME: 'node-1', K8S_NODE_IP: '10.0.0.1', K8S_CLUSTER_NAME: 'edge-site-02' };

/**
 * validate builds every component, and two of the agent's read files only a pod has: hostmetrics'
 * root_path (the host's / mounted at /hostfs) must exist, and kubeletstats' serviceAccount auth
 * reads the ServiceAccount's CA certificate. Outside a pod these two point at what exists here;
 * nothing else changes.
 */
function outsideThePod(content: string): string {
  const c = parse(content);
  if (c.receivers?.hostmetrics) c.receivers.hostmetrics.root_path = '/';
  if (c.receivers?.kubeletstats) c.receivers.kubeletstats.auth_type = 'none';
  return stringify(c);
}

describeWithTool('otelcol-gitplane', 'otelcol-gitplane validate', (bin) => {
  const dir = tempDir('gitplane-otelcol-');
  const validate = (content: string, name: string) => {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, content);
    const r = spawnSync(bin, ['validate', `--config=${file}`], { encoding: 'utf8', env: { ...process.env, ...POD_ENV }, timeout: HUNG_MS });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  describe.each(ENVIRONMENTS)('%s', (env) => {
    test.each(CONFIGS)('%s passes validate', (name) => {
      const r = validate(outsideThePod(built(env).output.configs.get(name)!.content), `${env}-${name}`);
      expect(r.output).not.toMatch(/error/i);
      expect(r.status).toBe(0);
    });
  });

  test('fails when the config uses a component the collector does not have', () => {
    const content = built('prod').output.configs.get('otel-gateway')!.content.replace(/tail_sampling/g, 'tail_sampler');
    const r = validate(content, 'unknown-component');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/tail_sampler/);
  });

  test('fails when a pipeline names an exporter that is not configured', () => {
    const content = built('prod').output.configs.get('otel-gateway')!.content.replace('        - otlp_http/loki', '        - otlp_http/lokii');
    const r = validate(content, 'unknown-exporter');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/otlp_http\/lokii/);
  });
});
