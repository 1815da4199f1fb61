/**
 * S3 buckets for the environment's object-store purposes, each with versioning, encryption,
 * public access blocked and a lifecycle rule for the retention, and an IAM user allowed exactly
 * that bucket's prefix and the actions its component needs. The user's access key goes to
 * Secrets Manager, where the cluster's ExternalSecrets read it.
 */
import * as iam from '@pulumi/aws/iam';
import * as s3 from '@pulumi/aws/s3';
import * as secretsmanager from '@pulumi/aws/secretsmanager';
import { Provider } from '@pulumi/aws/provider';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentSpec } from '../../environments/schema';
import { byCodePoint } from '../../constructs/core/order';

export type Purpose = 'etcdBackups' | 'longhornBackups' | 'lokiChunks' | 'tempoTraces';

/** What each component does with its bucket; nothing more is granted. */
export const PURPOSE_ACTIONS: Readonly<Record<Purpose, { objects: string[]; slug: string }>> = {
  // Old snapshots expire through the lifecycle rule, so the backup job never deletes.
  etcdBackups: { slug: 'etcd-backups', objects: ['s3:PutObject', 's3:GetObject'] },
  // Longhorn deletes backups beyond `retain` itself.
  longhornBackups: { slug: 'longhorn-backups', objects: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] },
  // Loki's compactor and Tempo's compactor rewrite and delete blocks.
  lokiChunks: { slug: 'loki-chunks', objects: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] },
  tempoTraces: { slug: 'tempo-traces', objects: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] },
};

export interface ObjectStoreBucket {
  readonly purpose: Purpose;
  readonly bucket: s3.Bucket;
  readonly user: iam.User;
  readonly policy: iam.UserPolicy;
  /** Secrets Manager entry `<env>/object-store/<purpose>` with the access key, for ExternalSecrets. */
  readonly credentials: secretsmanager.Secret;
}

/** The IAM policy document for one purpose: its bucket (listing under its prefix) and its objects. */
export function bucketPolicy(bucket: string, prefix: string, purpose: Purpose): Record<string, unknown> {
  const keyPrefix = prefix === '' ? '' : `${prefix.replace(/\/$/, '')}/`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ListOwnPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`],
        ...(keyPrefix ? { Condition: { StringLike: { 's3:prefix': [`${keyPrefix}*`] } } } : {}),
      },
      // Object ARNs need a trailing wildcard: it stands for the keys under the prefix, nothing wider.
      { Sid: 'OwnObjects', Effect: 'Allow', Action: PURPOSE_ACTIONS[purpose].objects, Resource: [`arn:aws:s3:::${bucket}/${keyPrefix}*`] },
    ],
  };
}

export function objectStore(spec: EnvironmentSpec, provider: Provider): ObjectStoreBucket[] {
  const opts = { provider };
  const purposes = (Object.keys(PURPOSE_ACTIONS) as Purpose[]).filter((p) => spec.objectStore[p] !== undefined);
  return purposes.map((purpose) => {
    const target = spec.objectStore[purpose]!;
    const slug = PURPOSE_ACTIONS[purpose].slug;
    const tags = { 'gitplane.dev/environment': spec.name, 'gitplane.dev/purpose': slug };
    // The bucket name is pinned by the spec: renaming it would orphan every backup in it.
    const bucket = new s3.Bucket(slug, { bucket: target.bucket, forceDestroy: false, tags }, { ...opts, protect: true });
    new s3.BucketPublicAccessBlock(slug, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
    new s3.BucketVersioning(slug, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, opts);
    new s3.BucketServerSideEncryptionConfiguration(slug, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }] }, opts);
    new s3.BucketLifecycleConfiguration(
      slug,
      {
        bucket: bucket.id,
        rules: [
          {
            id: 'retention',
            status: 'Enabled',
            filter: { prefix: target.prefix },
            expiration: { days: target.retentionDays },
            // Versioning keeps overwritten and deleted objects; they expire a day after.
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      opts,
    );
    const user = new iam.User(slug, { name: `gitplane-${spec.name}-${slug}`, tags }, opts);
    const policy = new iam.UserPolicy(slug, { user: user.name, policy: JSON.stringify(bucketPolicy(target.bucket, target.prefix, purpose)) }, opts);
    const key = new iam.AccessKey(slug, { user: user.name }, opts);
    const credentials = new secretsmanager.Secret(slug, { name: `${spec.name}/object-store/${slug}`, tags }, opts);
    new secretsmanager.SecretVersion(
      slug,
      { secretId: credentials.id, secretString: pulumi.secret(pulumi.jsonStringify({ accessKeyId: key.id, secretAccessKey: key.secret })) },
      opts,
    );
    return { purpose, bucket, user, policy, credentials };
  });
}

/**
 * One Secrets Manager entry per `secrets.refs` entry, named by the reference, its value from
 * `pulumi config set --secret gitplane:secret-<name>` (never from Git).
 */
export function referencedSecrets(spec: EnvironmentSpec, config: pulumi.Config, provider: Provider): secretsmanager.Secret[] {
  return Object.entries(spec.secrets.refs)
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([name, key]) => {
      const secret = new secretsmanager.Secret(`ref-${name}`, { name: key, tags: { 'gitplane.dev/environment': spec.name } }, { provider });
      new secretsmanager.SecretVersion(`ref-${name}`, { secretId: secret.id, secretString: config.requireSecret(`secret-${name}`) }, { provider });
      return secret;
    });
}
