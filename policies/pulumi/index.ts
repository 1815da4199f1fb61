/**
 * gitplane's AWS policy pack. `pulumi preview --policy-pack policies/pulumi` serves it; the
 * PolicyPack constructor starts the policy server, so nothing else imports this file.
 */
import { PolicyPack } from '@pulumi/policy';
import { policies } from './aws-policies';

new PolicyPack('gitplane-aws', { policies });
