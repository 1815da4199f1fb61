/**
 * The Pulumi program for one environment: what lives outside the cluster (AWS, only when
 * `cloud.provider` is aws) and the Argo CD bootstrap. It reads the same EnvironmentSpec as synth.
 */
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentSpec } from '../../environments/schema';
import { environmentFile, loadEnvironment } from '../environment';
import { versionsFor } from '../versions';
import { argoCd } from './argocd';
import { awsProvider } from './aws-provider';
import { objectStore, referencedSecrets } from './object-store';
import { secretStoreCredentials } from './secret-store';

export function definePlatform(spec: EnvironmentSpec, config: pulumi.Config) {
  const versions = versionsFor(spec);
  let buckets: Record<string, pulumi.Output<string>> = {};
  if (spec.cloud.provider === 'aws') {
    if (!spec.cloud.region) throw new Error(`${environmentFile(spec)}: cloud.region is required when cloud.provider is aws. Set it, e.g. eu-west-1.`);
    const provider = awsProvider(spec, spec.cloud.region);
    const stores = objectStore(spec, provider);
    buckets = Object.fromEntries(stores.map((b) => [b.purpose, b.bucket.bucket]));
    const refs = referencedSecrets(spec, config, provider);
    if (spec.secrets.provider === 'external-secrets') secretStoreCredentials(spec, [...stores.map((b) => b.credentials), ...refs], provider);
  }
  const argo = argoCd(spec, versions, { detach: config.getBoolean('detachArgoCd'), awaitReady: config.getBoolean('awaitArgoCd') });
  return { environment: spec.name, buckets, rootApplication: argo.root.metadata.name };
}

/**
 * The stack's program: the environment its `gitplane:environment` setting names, read from `dir`
 * (the project's environments/ unless given), defined with the stack's configuration.
 */
export function stackProgram(dir?: string) {
  const config = new pulumi.Config('gitplane');
  return definePlatform(loadEnvironment(config.require('environment'), dir), config);
}
