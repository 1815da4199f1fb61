import { EnvironmentReport } from '../types';

export function counts(env: EnvironmentReport) {
  const mandatory = env.findings.filter((f) => f.level === 'mandatory').length;
  return { mandatory, advisory: env.findings.length - mandatory, exemptions: env.exemptions.length, rules: env.rules.length };
}

/** `prod: 0 mandatory, 2 advisory findings; 24 rules; 1 exemption in force.` */
export function summary(env: EnvironmentReport): string {
  const c = counts(env);
  return `${env.name}: ${c.mandatory} mandatory, ${c.advisory} advisory finding(s); ${c.rules} rules run; ${c.exemptions} exemption(s) in force.`;
}
