/**
 * gitplane's rules as a cdk8s validation plugin, so any cdk8s project runs them on `cdk8s synth`:
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: gitplane
 *     class: GitplaneValidation
 *     version: 0.1.0
 *     properties: { packs: [secrets, hygiene] }
 * ```
 *
 * cdk8s 2.70 itself has no validation-plugin interface; it lives in cdk8s-cli (`Validation`,
 * `ValidationContext`), which gitplane does not depend on, so the shapes it uses are declared here.
 * Mandatory findings fail the synth; advisory ones are reported.
 */
import * as fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Manifest, RenderedObject } from '../stacks/objects';
import { hasMandatory, runPolicies } from './engine';
import { RULES } from './registry';
import { Pack } from './types';

/** The part of cdk8s-cli's ValidationContext the plugin uses. */
export interface Cdk8sValidationContext {
  readonly manifests: string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix?: string;
      severity?: string;
      violatingResources: { resourceName: string; manifestPath: string; locations: string[] }[];
    }): void;
    submit(status: 'success' | 'failure'): void;
  };
}

export interface GitplaneValidationProps {
  /** Packs to run. @default every pack */
  readonly packs?: Pack[];
}

export class GitplaneValidation {
  private readonly packs?: Pack[];

  constructor(props: GitplaneValidationProps = {}) {
    this.packs = props.packs;
  }

  public async validate(context: Cdk8sValidationContext): Promise<void> {
    const objects: RenderedObject[] = context.manifests.flatMap((file) =>
      parseAllDocuments(fs.readFileSync(file, 'utf8'))
        .map((d) => d.toJS() as Manifest | null)
        .filter((m): m is Manifest => m !== null)
        .map((manifest) => ({ manifest, app: '', file })),
    );
    const rules = this.packs ? RULES.filter((r) => this.packs!.includes(r.pack) || r.pack === 'core') : RULES;
    const report = runPolicies([{ name: 'cdk8s', objects, files: new Map(), root: '' }], { rules });
    for (const f of report.environments[0].findings) {
      context.report.addViolation({
        ruleName: f.rule,
        recommendation: `${f.ref}: ${f.message}`,
        fix: f.fix,
        severity: f.level,
        violatingResources: [{ resourceName: f.ref, manifestPath: f.file, locations: [] }],
      });
    }
    context.report.submit(hasMandatory(report) ? 'failure' : 'success');
  }
}
