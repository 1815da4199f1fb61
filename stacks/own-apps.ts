/**
 * The team's own applications, registered in gitplane.config.ts, checked against the built-in
 * ones' data (stacks/apps/catalog.ts). Neither this module nor what it imports holds construct
 * code: reading the project's applications costs what their own modules load, and the package
 * index loads its constructs on first use.
 */
import type { AppDescriptor } from './application';
import { BUILT_IN_APPS, NAMESPACES_DATA } from './apps/catalog';
import { InputError } from './errors';
import { loadProjectConfig, PROJECT_CONFIG } from './project';
import { Wave } from './waves';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The team's own applications of the project in `dir` (its gitplane.config.ts), checked for names and namespaces the platform can use. */
export function ownApps(dir?: string): readonly AppDescriptor[] {
  const own = loadProjectConfig(dir).apps ?? [];
  const taken = new Set([NAMESPACES_DATA.name, ...BUILT_IN_APPS.map((a) => a.name)]);
  const problems: string[] = [];
  own.forEach((app, i) => {
    const where = `${PROJECT_CONFIG}: apps[${i}]`;
    if (typeof app?.name !== 'string' || typeof app.build !== 'function') {
      problems.push(`${where} is not an application descriptor (found ${JSON.stringify(app?.name ?? app)}). Register the descriptor an apps/<name>/index.ts exports.`);
      return;
    }
    for (const [field, value] of [['name', app.name], ['namespace', app.namespace]] as const) {
      if (!DNS_LABEL.test(value ?? '') || value.length > 63) problems.push(`${where}.${field} must be a DNS-1123 label: lower-case letters, digits and "-" (got ${JSON.stringify(value)}). Rename it.`);
    }
    if (app.owner !== undefined && !(typeof app.owner === 'string' && LABEL_VALUE.test(app.owner))) {
      problems.push(`${where}.owner must be a team name usable as a label value: up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (got ${JSON.stringify(app.owner)}). Rename it.`);
    }
    if (taken.has(app.name)) problems.push(`${where}.name "${app.name}" is already the name of another application. Rename the application.`);
    if (!Object.values(Wave).includes(app.wave as never)) {
      problems.push(`${where}.wave must be a wave of the ladder (${Object.entries(Wave).map(([k, v]) => `Wave.${k} = ${v}`).join(', ')}) (got ${JSON.stringify(app.wave)}). Use one of them.`);
    }
    taken.add(app.name);
  });
  if (problems.length > 0) throw new InputError(problems);
  return own;
}
