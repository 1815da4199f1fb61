/**
 * A crash (an exception no command turned into findings or an input error) is a gitplane bug: it
 * exits 70, never 1, so that CI tells "gitplane broke" from "the policy found problems".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CRASHED } from '../../cli/command';
import { COMMANDS } from '../../cli/main';
import { gitplane, tempDir } from '../support/cli';

const BUG = 'error: gitplane crashed; this is a bug in gitplane. Report it with the stack trace below.\n';

// A command that crashes: Node's stdout refuses the write `gitplane schema` makes in its run (a
// preload breaks it; no gitplane module is replaced).
test('fails when a command crashes: exit 70, the error says it is a bug in gitplane and shows the stack at .ts lines', () => {
  const preload = path.join(tempDir(), 'broken-stdout.js');
  fs.writeFileSync(preload, "process.stdout.write = () => { throw new TypeError('gitplane-test-fake: stdout refused the write'); };\n");
  const r = gitplane(['schema'], { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.status).toBe(70);
  expect(r.stderr.startsWith(`${BUG}TypeError: gitplane-test-fake: stdout refused the write\n`)).toBe(true);
  expect(r.stderr).toMatch(/^ {4}at .*cli\/commands\/schema\.ts:\d+:\d+\)$/m);
});

test('fails when an exception is thrown outside the command (in a callback): exit 70 and the same report', () => {
  const preload = path.join(tempDir(), 'throw-later.js');
  fs.writeFileSync(preload, "setImmediate(() => { throw new TypeError('gitplane-test-fake: thrown in a callback'); });\n");
  const r = gitplane(['--help'], { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.status).toBe(70);
  expect(r.stdout).toContain('Usage: gitplane <command>');
  expect(r.stderr.startsWith(`${BUG}TypeError: gitplane-test-fake: thrown in a callback\n    at `)).toBe(true);
});

test.each(['gitplane', ...COMMANDS.map((c) => c.name)])('the help of %s names every exit status, a crash as 70', (name) => {
  const help = COMMANDS.find((c) => c.name === name)?.help ?? gitplane(['--help']).stdout;
  expect(help).toMatch(/^Exit status: 0 /m);
  expect(help).toContain(`${CRASHED}.`);
});
