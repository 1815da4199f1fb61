/**
 * An error in what the user gave gitplane (a file, a flag, a field): exit code 2.
 *
 * It carries every problem found, not only the first, so one run shows the user all there is to fix.
 */
export class InputError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

/** Findings that make a run fail without the input being malformed (validation, policy): exit code 1. */
export class FindingsError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'FindingsError';
  }
}
