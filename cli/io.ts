/** Terminal output: progress on stderr, results on stdout, colour only on a terminal. */
export interface Io {
  out(line: string): void;
  progress(line: string): void;
  error(line: string): void;
  /** Something the user should act on that does not fail the command; shown even with --quiet. */
  warn(line: string): void;
  readonly colour: boolean;
}

export function terminalIo(options: { quiet?: boolean } = {}): Io {
  const colour = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
  return {
    colour,
    out: (line) => process.stdout.write(`${line}\n`),
    progress: (line) => {
      if (!options.quiet) process.stderr.write(`${line}\n`);
    },
    error: (line) => process.stderr.write(`${colour ? `\x1b[31merror\x1b[0m` : 'error'}: ${line}\n`),
    warn: (line) => process.stderr.write(`${colour ? `\x1b[33mwarning\x1b[0m` : 'warning'}: ${line}\n`),
  };
}
