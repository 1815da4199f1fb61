/** The `gitplane` command line. */
import { FindingsError, InputError } from '../stacks/errors';
import { Command, CRASHED } from './command';
import { config } from './commands/config';
import { diff } from './commands/diff';
import { init } from './commands/init';
import { preflight } from './commands/preflight';
import { publish } from './commands/publish';
import { policy } from './commands/policy';
import { schema } from './commands/schema';
import { schemas } from './commands/schemas';
import { synth } from './commands/synth';
import { validate } from './commands/validate';
import { terminalIo } from './io';
import { UsageError } from './usage-error';

export const COMMANDS: readonly Command[] = [synth, validate, policy, diff, publish, config, preflight, schema, schemas, init];

const HELP = `gitplane: describe each Kubernetes environment once, as data; get the whole platform as GitOps manifests.

Usage: gitplane <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run "gitplane <command> --help" for a command's options; "gitplane --version" prints the version.
Exit status: 0 success, 1 findings (validation or policy), 2 usage or input error,
${CRASHED}.`;

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const io = (quiet: boolean) => terminalIo({ quiet });
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io(false).out(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io(false).out(`gitplane ${(await import('../stacks/paths')).packageVersion()}`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io(false).error(`unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run "gitplane --help".`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io(false).error(e.message);
      return 2;
    }
    if (e instanceof InputError || e instanceof FindingsError) {
      for (const problem of e.problems) io(false).error(problem);
      return e instanceof InputError ? 2 : 1;
    }
    throw e;
  }
}
