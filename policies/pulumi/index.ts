/**
 * gitplane's AWS policy pack as a policy pack's program: the PolicyPack constructor starts the
 * policy server, so nothing else imports this file. Not yet loadable by `pulumi preview
 * --policy-pack` (no PulumiPolicy.yaml; docs/policies.md, "Hooks into other tools"); the rules
 * are tested directly (test/policies/pulumi/).
 */
import { PolicyPack } from '@pulumi/policy';
import { policies } from './aws-policies';

new PolicyPack('gitplane-aws', { policies });
