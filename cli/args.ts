/** Flag parsing shared by every command: unknown flags and missing values are usage errors (exit 2). */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies Options;

export const ENVIRONMENT_OPTIONS = {
  env: { type: 'string', short: 'e', multiple: true },
  all: { type: 'boolean' },
  file: { type: 'string', short: 'f', multiple: true },
  'crd-dir': { type: 'string', multiple: true },
} as const satisfies Options;

/** What parseArgs gives for `options`; named, so the compiled package's declarations can spell it. */
export type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>>;

export function parse<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.?$/, '.')} Run "gitplane ${command} --help" for usage.`);
  }
}
