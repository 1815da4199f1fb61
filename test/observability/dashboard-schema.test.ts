/**
 * gitplane's dashboards against Grafana's own dashboard model: @grafana/schema at the version of
 * the Grafana the pinned kube-prometheus-stack chart runs ships the model as TypeScript types
 * (no JSON Schema), so each dashboard is written into a .ts file as a typed constant, the options
 * of each panel typed by its panel plugin's schema, and the TypeScript compiler judges it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { readTarGz } from '../../stacks/chart-archive';
import { findAll } from '../../stacks/objects';
import { CHARTS } from '../support/chart-templates';
import { ROOT, tempDir } from '../support/cli';
import { manifests } from '../support/environments';
import { testWithMirrors } from '../support/mirrors';

const PANEL_TYPES: Record<string, string> = {
  stat: '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen',
  timeseries: '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen',
  logs: '@grafana/schema/dist/esm/raw/composable/logs/panelcfg/x/LogsPanelCfg_types.gen',
};

/**
 * The model's string enums (`BigValueColorMode.Background`) as the JSON writes them ('background'):
 * a template literal type turns a string enum into the union of its values; everything else,
 * optional and excess properties included, is checked as declared.
 */
const AS_JSON = 'type AsJson<T> = T extends string ? `${T}` : T extends readonly (infer U)[] ? AsJson<U>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;';

/** A TypeScript module declaring the dashboard and each panel's options and custom field config with Grafana's types. */
function typedModule(dashboard: any): string {
  const lines = [`import type { Dashboard } from '@grafana/schema';`, ...Object.entries(PANEL_TYPES).map(([kind, from]) => `import type * as ${kind} from '${from}';`), AS_JSON];
  lines.push(`export const dashboard: AsJson<Dashboard> = ${JSON.stringify(dashboard, null, 2)};`);
  for (const p of dashboard.panels.filter((x: any) => x.type !== 'row')) {
    if (!PANEL_TYPES[p.type]) throw new Error(`panel ${p.id} has type ${p.type}, which this test has no schema for`);
    lines.push(`export const options${p.id}: AsJson<${p.type}.Options> = ${JSON.stringify(p.options)};`);
    if (p.type === 'timeseries') lines.push(`export const custom${p.id}: AsJson<timeseries.FieldConfig> = ${JSON.stringify(p.fieldConfig.defaults.custom ?? {})};`);
  }
  return `${lines.join('\n')}\n`;
}

/** The compiler's complaints about the module, one line each. */
function typeErrors(source: string): string[] {
  const dir = tempDir();
  const file = path.join(dir, 'dashboard.ts');
  fs.writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    typeRoots: [],
    types: [],
    paths: { '@grafana/schema': [path.join(ROOT, 'node_modules/@grafana/schema')], '@grafana/schema/*': [path.join(ROOT, 'node_modules/@grafana/schema/*')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

const gitplaneDashboards = () =>
  (findAll(manifests('prod'), 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1') as any[]).map((cm) => JSON.parse(Object.values(cm.data as Record<string, string>)[0]));

testWithMirrors(['charts'], '@grafana/schema is the version of the Grafana the pinned kube-prometheus-stack chart runs', () => {
  const files = readTarGz(fs.readFileSync(path.join(CHARTS, 'kube-prometheus-stack-88.5.3.tgz')));
  const grafana = parse(files.get('kube-prometheus-stack/charts/grafana/Chart.yaml')!.toString('utf8'));
  const schema = require('@grafana/schema/package.json') as { version: string };
  expect(schema.version).toBe(grafana.appVersion);
});

test.each(gitplaneDashboards().map((d) => [d.uid, d]))('dashboard %s type-checks against the Grafana dashboard model and its panels\' schemas', (_, dashboard) => {
  expect(typeErrors(typedModule(dashboard))).toEqual([]);
});

describe('the schema check catches', () => {
  const onCall = () => structuredClone(gitplaneDashboards().find((d) => d.uid === 'gitplane-on-call'));

  test('fails when a panel has a misspelt grid position key', () => {
    const d = onCall();
    d.panels[1].gridPos = { ...d.panels[1].gridPos, width: 6 };
    expect(typeErrors(typedModule(d)).join('\n')).toMatch(/'"width"' does not exist in type/);
  });

  test('fails when a stat panel has a colour mode Grafana does not know', () => {
    const d = onCall();
    d.panels.find((p: any) => p.type === 'stat').options.colorMode = 'blinking';
    expect(typeErrors(typedModule(d)).join('\n')).toMatch(/Type '"blinking"' is not assignable to type '"value" \| "background"/);
  });

  test('fails when a time series panel lacks a required legend field', () => {
    const d = onCall();
    delete d.panels.find((p: any) => p.type === 'timeseries').options.legend.showLegend;
    expect(typeErrors(typedModule(d)).join('\n')).toMatch(/Property 'showLegend' is missing/);
  });

  test('fails when the schema version is not a number', () => {
    const d = onCall();
    d.schemaVersion = '42';
    expect(typeErrors(typedModule(d)).join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});
