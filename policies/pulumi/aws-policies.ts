/**
 * The AWS-side rules as Pulumi CrossGuard policies: S3 buckets are never public and always
 * encrypted, IAM policies grant no wildcard actions. Kept apart from the PolicyPack (index.ts),
 * whose constructor starts a gRPC server, so tests call the policies directly.
 *
 * Resource types are matched by their type token, so the policies need no @pulumi/aws import.
 * @see https://www.pulumi.com/docs/iac/using-pulumi/crossguard/
 */
import { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';

const BUCKET = 'aws:s3/bucket:Bucket';
const PUBLIC_ACCESS_BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
const ACL_TYPES = ['aws:s3/bucketAclV2:BucketAclV2', 'aws:s3/bucketAcl:BucketAcl'];
const SSE_TYPES = ['aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2', 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration'];
const IAM_POLICY_TYPES = ['aws:iam/policy:Policy', 'aws:iam/rolePolicy:RolePolicy', 'aws:iam/userPolicy:UserPolicy', 'aws:iam/groupPolicy:GroupPolicy'];
const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];
const BLOCK_FLAGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const s3NoPublicAcl: ResourceValidationPolicy = {
  name: 's3-no-public-acl',
  description: 'S3 buckets and bucket ACLs never grant public or any-AWS-account read or write.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== BUCKET && !ACL_TYPES.includes(args.type)) return;
    const acl = args.props.acl ?? args.props.accessControlPolicy?.grants?.find((g: Props) => /AllUsers|AuthenticatedUsers/.test(g.grantee?.uri ?? ''))?.grantee?.uri;
    if (acl && (PUBLIC_ACLS.includes(acl) || /AllUsers|AuthenticatedUsers/.test(acl))) report(`${args.name}: acl ${acl} makes the bucket's objects public. Remove the ACL; backups and chunks are read by IAM principals only.`);
  },
};

const s3PublicAccessBlocked: ResourceValidationPolicy = {
  name: 's3-public-access-block-complete',
  description: 'Every S3 public access block sets all four flags.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== PUBLIC_ACCESS_BLOCK) return;
    const off = BLOCK_FLAGS.filter((f) => args.props[f] !== true);
    if (off.length > 0) report(`${args.name}: public access block leaves ${off.join(', ')} off. Set all four of ${BLOCK_FLAGS.join(', ')} to true.`);
  },
};

/** Every bucket has a public access block and server-side encryption referring to it. */
const s3BucketsGuarded: StackValidationPolicy = {
  name: 's3-bucket-blocked-and-encrypted',
  description: 'Every S3 bucket has a public access block and a server-side encryption configuration.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const refersTo = (bucket: Props) => (r: { props: Props }) => [bucket.bucket, bucket.id].filter(Boolean).includes(r.props.bucket);
    for (const b of args.resources.filter((r) => r.type === BUCKET)) {
      const blocks = args.resources.filter((r) => r.type === PUBLIC_ACCESS_BLOCK).some(refersTo(b.props));
      const encrypted = b.props.serverSideEncryptionConfiguration !== undefined || args.resources.filter((r) => SSE_TYPES.includes(r.type)).some(refersTo(b.props));
      if (!blocks) report(`${b.name}: bucket ${b.props.bucket ?? b.name} has no public access block. Add aws.s3.BucketPublicAccessBlock with all four flags.`, b.urn);
      if (!encrypted) report(`${b.name}: bucket ${b.props.bucket ?? b.name} has no server-side encryption configuration. Add aws.s3.BucketServerSideEncryptionConfiguration (aws:kms or AES256).`, b.urn);
    }
  },
};

const iamNoWildcards: ResourceValidationPolicy = {
  name: 'iam-no-wildcard-actions',
  description: 'IAM policies allow named actions only: no "*" or "service:*" actions and no NotAction.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === 'aws:iam/role:Role') {
      for (const p of (args.props.inlinePolicies ?? []) as Props[]) checkDocument(args.name, p.policy, report);
      return;
    }
    if (IAM_POLICY_TYPES.includes(args.type)) checkDocument(args.name, args.props.policy, report);
  },
};

function checkDocument(name: string, policy: unknown, report: ReportViolation): void {
  if (policy === undefined) return;
  const doc = typeof policy === 'string' ? (JSON.parse(policy) as Props) : (policy as Props);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements as Props[]) {
    if (s?.Effect !== 'Allow') continue;
    if (s.NotAction !== undefined) report(`${name}: an Allow statement uses NotAction, which grants every other action. List the actions instead.`);
    const actions = ([] as string[]).concat(s.Action ?? []);
    const wild = actions.filter((a) => a === '*' || /:\*$/.test(a));
    if (wild.length > 0) report(`${name}: an Allow statement grants wildcard action(s) ${wild.join(', ')}${([] as string[]).concat(s.Resource ?? []).includes('*') ? ' on every resource' : ''}. Name the actions the component needs (e.g. s3:PutObject).`);
  }
}

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [s3NoPublicAcl, s3PublicAccessBlocked, s3BucketsGuarded, iamNoWildcards];
