'use strict';
// Pulumi's entry point (Pulumi.yaml `main`, here and in a platform repository that depends on
// gitplane): the program from source in a checkout, compiled in the installed package.
module.exports = require('./register').load('stacks/pulumi/index');
