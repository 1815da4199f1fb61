import { FindingsError, InputError } from '../../stacks/errors';
import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { UsageError } from '../usage-error';
import { warnUnchecked } from './schemas';

const OPTIONS = { ...COMMON_OPTIONS, env: { type: 'string', short: 'e' }, list: { type: 'boolean' } } as const;

export const config: Command = {
  name: 'config',
  summary: 'Print a component\'s rendered configuration file exactly as deployed.',
  help: `Usage: gitplane config <name> [--env NAME]
       gitplane config --list [--env NAME]

Prints the configuration file of a component (alertmanager.yml, nats.conf, a collector config,
a shipped script, ...) exactly as the environment deploys it, after validation.

Options:
  -e, --env NAME   environment (default: dev)
      --list       list the configuration files of the environment
  -h, --help       this help

Exit status: 0 printed, 1 the environment does not validate, 2 unknown name or usage error,
${CRASHED}.`,
  async run(argv, io) {
    const { values, positionals } = parse('config', argv, OPTIONS, true);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    if (!values.list && positionals.length !== 1) throw new UsageError('give exactly one configuration name, or --list. Run "gitplane config --list" to see the names.');
    const { loadEnvironment } = await import('../../stacks/environment');
    const { loadSettings } = await import('../../stacks/settings');
    const { DEFAULT_ENVIRONMENT } = await import('../select');
    const env = values.env ?? DEFAULT_ENVIRONMENT;
    const settings = loadSettings();
    const spec = loadEnvironment(env);
    // What builds is loaded once the environment has: a bad file fails without it.
    const { buildEnvironment } = await import('../../stacks/pipeline');
    const { formatProblems } = await import('../../validation');
    const built = buildEnvironment(spec, settings);
    const problems = warnUnchecked(built.problems, settings, out);
    if (problems.length > 0) throw new FindingsError(formatProblems(problems));
    const configs = built.output.configs;
    if (values.list) {
      for (const [name, c] of configs) out.out(`${name.padEnd(22)} ${c.description}`);
      return 0;
    }
    const found = configs.get(positionals[0]);
    if (!found) {
      throw new InputError([`${env} has no configuration named "${positionals[0]}" (known: ${[...configs.keys()].join(', ') || 'none'}). Run "gitplane config --list --env ${env}".`]);
    }
    process.stdout.write(found.content);
    return 0;
  },
};
