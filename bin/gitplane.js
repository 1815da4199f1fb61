#!/usr/bin/env node
'use strict';
require('./register');
require('../cli/main').run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
