import { docsUrl } from '../lib/docs-url';
import { isMap, mapOf, shown } from '../lib/shape';
import { ObjectRule, RuleFinding } from '../types';

const DIRECTIONS: readonly string[] = ['Ingress', 'Egress'];

export const rule: ObjectRule = {
  id: 'network-policy-shape',
  scope: 'object',
  severity: 'error',
  pack: 'core',
  description: "Every NetworkPolicy's policyTypes is a list of Ingress and Egress, and the ports of each of its ingress and egress rules a list of maps (port, protocol, endPort).",
  rationale:
    'The API server refuses such a NetworkPolicy, so its sync fails; and network-reachability, which follows the policies as the cluster would, can only read policyTypes or ports that are not lists as absent: policy types that isolate other directions than the author meant, and a rule that admits every port. A policy type the API does not know (ingress in lower case) isolates nothing.',
  remediation: 'Write policyTypes as a list of Ingress and Egress, and the ports of each rule as a list of maps such as {port: 8080, protocol: TCP}.',
  docsUrl: docsUrl('network-policy-shape'),
  kinds: ['NetworkPolicy'],
  check(object) {
    const spec = mapOf(object.manifest.spec);
    const findings: RuleFinding[] = [];
    const found = (at: string, value: unknown, problem: string, fix: string): void => {
      findings.push({ message: `${at} is ${shown(value)}, but ${problem}; the API server refuses the object.`, value: shown(value), fix });
    };
    const types: unknown = spec.policyTypes;
    if (Array.isArray(types)) {
      types.forEach((t: unknown, i: number) => {
        if (!DIRECTIONS.includes(t as string)) found(`spec.policyTypes[${i}]`, t, 'a policy type is Ingress or Egress, as written', `Set spec.policyTypes[${i}] to Ingress or Egress.`);
      });
    } else if (types !== undefined && types !== null) {
      found('spec.policyTypes', types, 'it must be a list of Ingress, Egress or both', 'Make spec.policyTypes a list, e.g. [Ingress, Egress].');
    }
    for (const direction of ['ingress', 'egress']) {
      const rules: unknown = spec[direction];
      // A list of rules that is not a list of maps is label-selector-operator's finding.
      if (!Array.isArray(rules)) continue;
      rules.forEach((r: unknown, i: number) => {
        const at = `spec.${direction}[${i}].ports`;
        const ports: unknown = isMap(r) ? r.ports : undefined;
        if (Array.isArray(ports)) {
          ports.forEach((p: unknown, j: number) => {
            if (!isMap(p)) found(`${at}[${j}]`, p, 'each port must be a map of port, protocol and endPort', `Write ${at}[${j}] as a map, e.g. {port: 8080, protocol: TCP}.`);
          });
        } else if (ports !== undefined && ports !== null) {
          found(at, ports, 'it must be a list of ports', `Make ${at} a list, e.g. [{port: 8080, protocol: TCP}].`);
        }
      });
    }
    return findings;
  },
};
