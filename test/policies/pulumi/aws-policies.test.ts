/** The CrossGuard policies called directly (no Pulumi engine), as the toolchain notes describe. */
import { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { policies } from '../../../policies/pulumi/aws-policies';

const byName = (name: string) => policies.find((p) => p.name === name)!;

function validate(name: string, type: string, props: Record<string, unknown>): string[] {
  const violations: string[] = [];
  const policy = byName(name) as ResourceValidationPolicy;
  const args = {
    type, props, urn: `urn:pulumi:prod::gitplane::${type}::x`, name: 'x', opts: {},
    isType: () => false, asType: () => undefined, getConfig: () => ({}), notApplicable: (r?: string) => { throw new Error(`not applicable: ${r}`); },
  };
  (policy.validateResource as (a: unknown, r: (m: string) => void) => void)(args, (m) => violations.push(m));
  return violations;
}

function validateStack(name: string, resources: { type: string; name: string; props: Record<string, unknown> }[]): string[] {
  const violations: string[] = [];
  const args = { resources: resources.map((r) => ({ ...r, urn: `urn:${r.name}`, opts: {}, isType: () => false, asType: () => undefined, dependencies: [], propertyDependencies: {} })), getConfig: () => ({}) };
  ((byName(name) as StackValidationPolicy).validateStack as (a: unknown, r: (m: string) => void) => void)(args, (m) => violations.push(m));
  return violations;
}

const BUCKET = 'aws:s3/bucket:Bucket';
const BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
const SSE = 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration';

describe('AWS CrossGuard policies', () => {
  test('passes a private bucket with a complete public access block and encryption (must-not-fire)', () => {
    expect(validate('s3-no-public-acl', BUCKET, { bucket: 'b', acl: 'private' })).toEqual([]);
    expect(validate('s3-public-access-block-complete', BLOCK, { bucket: 'b', blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })).toEqual([]);
    expect(validateStack('s3-bucket-blocked-and-encrypted', [{ type: BUCKET, name: 'b', props: { bucket: 'b' } }, { type: BLOCK, name: 'pab', props: { bucket: 'b' } }, { type: SSE, name: 'sse', props: { bucket: 'b' } }])).toEqual([]);
  });
  test('fails when a bucket is public-read', () => {
    expect(validate('s3-no-public-acl', BUCKET, { bucket: 'b', acl: 'public-read' })).toEqual(["x: acl public-read makes the bucket's objects public. Remove the ACL; backups and chunks are read by IAM principals only."]);
  });
  test('fails when the public access block leaves a flag off', () => {
    expect(validate('s3-public-access-block-complete', BLOCK, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true })).toEqual(['x: public access block leaves restrictPublicBuckets off. Set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true.']);
  });
  test('fails when a bucket has no public access block and no encryption', () => {
    expect(validateStack('s3-bucket-blocked-and-encrypted', [{ type: BUCKET, name: 'b', props: { bucket: 'b' } }])).toEqual([
      'b: bucket b has no public access block. Add aws.s3.BucketPublicAccessBlock with all four flags.',
      'b: bucket b has no server-side encryption configuration. Add aws.s3.BucketServerSideEncryptionConfiguration (aws:kms or AES256).',
    ]);
  });
  test('passes an IAM policy with named actions (must-not-fire)', () => {
    expect(validate('iam-no-wildcard-actions', 'aws:iam/policy:Policy', { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::b/*' }] }) })).toEqual([]);
  });
  test('fails when an IAM policy allows a wildcard action', () => {
    expect(validate('iam-no-wildcard-actions', 'aws:iam/rolePolicy:RolePolicy', { policy: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } })).toEqual(['x: an Allow statement grants wildcard action(s) s3:* on every resource. Name the actions the component needs (e.g. s3:PutObject).']);
  });
  test('fails when a role\'s inline policy uses NotAction', () => {
    expect(validate('iam-no-wildcard-actions', 'aws:iam/role:Role', { inlinePolicies: [{ name: 'p', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }) }] })).toEqual(['x: an Allow statement uses NotAction, which grants every other action. List the actions instead.']);
  });
});
