/**
 * The AWS provider of an environment's stack: the region comes from the environment file, every
 * other setting from the stack's own `aws:*` configuration (`pulumi config set aws:profile ...`,
 * `aws:assumeRoles`, `aws:endpoints`, `aws:skipCredentialsValidation`, ...), exactly as Pulumi's
 * default provider would read it. Secret settings stay secret.
 * @see https://www.pulumi.com/registry/packages/aws/installation-configuration/
 */
import { Provider, ProviderArgs } from '@pulumi/aws/provider';
import { Region } from '@pulumi/aws/types/enums';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentSpec } from '../../environments/schema';
import { environmentFile } from '../environment';
import { InputError } from '../errors';
import { byCodePoint } from '../../constructs/core/order';

const PREFIX = 'aws:';

// Which settings were set with --secret is known to the runtime but not in its typings; the
// version is pinned exactly in package.json.
const { isConfigSecret } = require('@pulumi/pulumi/runtime/config') as { isConfigSecret: (key: string) => boolean };

/** The provider arguments the stack's `aws:*` configuration sets, with the environment's region. */
export function awsProviderArgs(spec: EnvironmentSpec, region: string): ProviderArgs {
  const args: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(pulumi.runtime.allConfig()).sort(([a], [b]) => byCodePoint(a, b))) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    if (name === 'region') {
      if (raw !== region) {
        throw new InputError([
          `stack configuration aws:region is "${raw}" but ${environmentFile(spec)} sets cloud.region: ${region}. The environment file decides the region; run "pulumi config rm aws:region" or make the two equal.`,
        ]);
      }
      continue;
    }
    const value = configValue(raw);
    args[name] = isConfigSecret(key) ? pulumi.secret(value) : value;
  }
  return { ...args, region: region as Region };
}

export function awsProvider(spec: EnvironmentSpec, region: string): Provider {
  return new Provider('aws', awsProviderArgs(spec, region));
}

/** Structured settings (`--path` or JSON values, booleans, numbers) are stored as JSON text. */
function configValue(raw: string): unknown {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'string' && parsed !== null) return parsed;
  } catch {
    // A plain string such as a profile name.
  }
  return raw;
}
