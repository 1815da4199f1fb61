import { parse, stringify } from 'yaml';
import { fromBuilt } from '../../../policies/inputs';
import { renderCharts } from '../../../stacks/helm-render';
import { Manifest, RenderedObject } from '../../../stacks/objects';
import { rendered, renderSettings } from '../../support/charts';
import { built } from '../../support/environments';
import { describeWithTool } from '../../support/tools';
import { check, env } from '../support';
import { testWithMirrors } from '../../support/mirrors';

const chartObject = (manifest: Manifest): RenderedObject => ({
  manifest,
  app: 'observability-prometheus',
  file: 'values/observability-prometheus.yaml',
  chart: { name: 'kube-prometheus-stack', version: '88.5.3', release: 'kps', template: 'kube-prometheus-stack/charts/grafana/templates/secret.yaml' },
});
// A fake generated value, as a chart's randAlphaNum would make it.
const secret = (password: string) => chartObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kps-grafana', namespace: 'monitoring' }, data: { 'admin-user': 'YWRtaW4=', 'admin-password': password } });
const judged = (first: RenderedObject[], second: RenderedObject[] | undefined) => check('render-deterministic', { ...env(first), secondRender: second });

describe('render-deterministic', () => {
  test('passes two identical renders (must-not-fire), and does not apply when the charts were rendered once', () => {
    expect(judged([secret('RkFLRS1naXRwbGFuZS10ZXN0')], [secret('RkFLRS1naXRwbGFuZS10ZXN0')])).toEqual([]);
    expect(judged([secret('RkFLRS1naXRwbGFuZS10ZXN0')], undefined)).toEqual([]);
  });

  test('fails when a field differs, naming application, object and field but not the value', () => {
    const [f] = judged([secret('RkFLRS1naXRwbGFuZS10ZXN0LTE=')], [secret('RkFLRS1naXRwbGFuZS10ZXN0LTI=')]);
    expect(f).toMatchObject({
      rule: 'render-deterministic',
      ref: 'Secret/monitoring/kps-grafana',
      file: 'dist/prod/values/observability-prometheus.yaml',
      value: 'data.admin-password',
      message: 'Secret/monitoring/kps-grafana of application observability-prometheus (kube-prometheus-stack/charts/grafana/templates/secret.yaml) differs between two renders of chart kube-prometheus-stack 88.5.3 in data.admin-password.',
    });
    expect(JSON.stringify(f)).not.toContain('LTE');
  });

  test('fails when an object is in one render only', () => {
    const other = chartObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kps-extra', namespace: 'monitoring' } });
    expect(judged([secret('RkFLRS1naXRwbGFuZS10ZXN0')], [other]).map((f) => f.message)).toEqual([
      'ConfigMap/monitoring/kps-extra of application observability-prometheus (kube-prometheus-stack/charts/grafana/templates/secret.yaml) appears only in a second render of chart kube-prometheus-stack 88.5.3.',
      'Secret/monitoring/kps-grafana of application observability-prometheus (kube-prometheus-stack/charts/grafana/templates/secret.yaml) is missing from a second render of chart kube-prometheus-stack 88.5.3.',
    ]);
  });
});

describeWithTool('helm', 'render-deterministic over the real kube-prometheus-stack chart', (helm) => {
  testWithMirrors(['charts'], 'passes the environments with gitplane\'s values: Grafana\'s admin password comes from gitplane\'s Secret (must-not-fire)', () => {
    expect(check('render-deterministic', fromBuilt(rendered('dev', helm)))).toEqual([]);
  });

  testWithMirrors(['charts'], 'fails with the values before the fix (no Grafana admin Secret): the chart generates a new password, and with it a new pod checksum, on every render', () => {
    const env = fromBuilt(built('dev'));
    const values = parse(env.files.get('values/observability-prometheus.yaml')!);
    delete values.grafana.admin;
    const files = new Map(env.files).set('values/observability-prometheus.yaml', stringify(values));
    const charts = renderCharts({ objects: env.objects, files, root: 'dev', kubeVersion: '1.34.2' }, renderSettings(helm), 2);
    const findings = check('render-deterministic', { ...env, objects: [...env.objects, ...charts.objects], secondRender: charts.again });
    expect(findings.map((f) => [f.ref, f.value])).toEqual([
      ['Deployment/monitoring/kps-grafana', 'spec.template.metadata.annotations.checksum/secret'],
      ['Secret/monitoring/kps-grafana', 'data.admin-password'],
    ]);
    expect(findings[1].message).toBe(
      'Secret/monitoring/kps-grafana of application observability-prometheus (kube-prometheus-stack/charts/grafana/templates/secret.yaml) differs between two renders of chart kube-prometheus-stack 88.5.3 in data.admin-password.',
    );
  });
});
