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
// A gitplane bug ends the run with its stack trace, whose frames name .ts lines (bin/register.js),
// and exit 1 as Node would; Node's own report would head it with the line of the transpiled code.
const crashed = (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
};
Promise.resolve()
  .then(() => require('./register').load('cli/main').run(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  }, crashed);
