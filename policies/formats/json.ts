import { PolicyReport } from '../types';
import { counts } from './summary';

/** The report as JSON: every environment with its findings, exemptions in force and counts. */
export function toJson(report: PolicyReport): string {
  const environments = report.environments.map((e) => ({ ...e, summary: counts(e) }));
  return `${JSON.stringify({ environments }, null, 2)}\n`;
}
