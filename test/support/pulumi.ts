/** Runs the Pulumi program of one environment under Pulumi's mocks and records what it registers. */
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentSpec } from '../../environments/schema';

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** Unwraps an Output in a test. */
export const unwrap = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

export const byType = (rs: Registered[], type: string) => rs.filter((r) => r.type === type);

/**
 * Registers every resource of `spec`'s program; `config` is the stack configuration
 * (`aws:profile`, `gitplane:detachArgoCd`, ...), `secretKeys` those of it set with --secret.
 */
export async function runProgram(spec: EnvironmentSpec, config: Record<string, string> = {}, secretKeys: string[] = []): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const extra: Record<string, unknown> = {};
        if (args.type === 'aws:iam/accessKey:AccessKey') extra.secret = 'fake-secret-for-tests';
        if (args.type === 'aws:secretsmanager/secret:Secret') extra.arn = `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${args.inputs.name}-fake`;
        return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
      },
      call: (args) => args.inputs,
    },
    'gitplane',
    spec.name,
    false,
  );
  // Obviously fake values, as `pulumi config set --secret` would provide.
  const refs = Object.fromEntries(Object.keys(spec.secrets.refs).map((name) => [`gitplane:secret-${name}`, `fake-${name}`]));
  pulumi.runtime.setAllConfig({ ...refs, ...config }, [...Object.keys(refs), ...secretKeys]);
  const { definePlatform } = await import('../../stacks/pulumi/program');
  const out = definePlatform(spec, new pulumi.Config('gitplane'));
  await unwrap(out.rootApplication);
  await unwrap(pulumi.output(out.buckets));
  // Let registrations queued behind the awaited outputs finish.
  await new Promise((resolve) => setImmediate(resolve));
  return registered;
}
