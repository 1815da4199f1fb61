/**
 * Time limits in tests only stop a run that hangs; none of them says anything about speed. Tests
 * run on 2 cores shared with builds and other test runs (load averages of 45 have been seen), where
 * a server or a process takes many times longer than on an idle machine. So a test waits on the
 * condition it needs (a server answering, a message arriving, a process exiting), and the limit
 * on each wait is one generous ceiling. Jest's testTimeout (jest.config.js) is the ceiling of a
 * whole test, above several such waits.
 */

/** The most any one wait (a server, a subprocess, a request) may take before the run counts as hung. */
export const HUNG_MS = 5 * 60_000;
