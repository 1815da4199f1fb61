import { Io } from './io';

/**
 * The exit status of a crash, as every command's help names it: an exception no command turned
 * into findings or an input error ends the run with 70, sysexits' EX_SOFTWARE (bin/gitplane.js),
 * so that CI tells a gitplane bug from findings (1) and from bad input (2).
 */
export const CRASHED = '70 gitplane crashed (a bug in gitplane; the error shows its stack trace)';

/** One `gitplane <name>` command. `run` returns the exit code: 0 ok, 1 findings, 2 usage or input error; a crash is 70. */
export interface Command {
  readonly name: string;
  /** One line for `gitplane --help`. */
  readonly summary: string;
  /** Full text for `gitplane <name> --help`. */
  readonly help: string;
  run(argv: string[], io: (quiet: boolean) => Io): Promise<number>;
}
