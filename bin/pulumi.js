'use strict';
// Pulumi's entry point (Pulumi.yaml `main`): the TypeScript program through gitplane's loader.
require('./register');
module.exports = require('../stacks/pulumi/index');
