import { Io } from './io';

/** One `gitplane <name>` command. `run` returns the exit code: 0 ok, 1 findings, 2 usage or input error. */
export interface Command {
  readonly name: string;
  /** One line for `gitplane --help`. */
  readonly summary: string;
  /** Full text for `gitplane <name> --help`. */
  readonly help: string;
  run(argv: string[], io: (quiet: boolean) => Io): Promise<number>;
}
