#!/usr/bin/env node
'use strict';
// Node 20 reads an argument named --env-file as its own option even after the script name
// (nodejs/node#54232), loading the file into the environment before gitplane starts. gitplane
// has no option of that name (environment files are --file/-f); refuse it so nobody relies on it.
const nodeOwned = process.argv.slice(2).find((a) => /^--env-file(-if-exists)?(=|$)/.test(a));
if (nodeOwned !== undefined) {
  process.stderr.write(
    `error: gitplane has no ${nodeOwned.split('=')[0]} option: Node.js itself reads that flag and loads the file into the environment. Give environment files with --file FILE (-f FILE).\n`,
  );
  process.exit(2);
}
// A gitplane bug (an exception no command turned into a finding or an input error) ends the run
// with exit status 70, sysexits' EX_SOFTWARE, so that CI tells it apart from findings (1) and bad
// input (2); its stack trace's frames name .ts lines (bin/register.js), where Node's own report
// would head it with the line of the transpiled code. One thrown outside the command's promise
// (in a callback or event) ends the run the same way, at once.
const CRASHED = 70;
const crashed = (error) => {
  process.stderr.write(`error: gitplane crashed; this is a bug in gitplane. Report it with the stack trace below.\n${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = CRASHED;
};
process.on('uncaughtException', (error) => {
  crashed(error);
  process.exit();
});
Promise.resolve()
  .then(() => require('./register').load('cli/main').run(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  }, crashed);
