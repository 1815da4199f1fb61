'use strict';
/**
 * Jest's Node environment, with V8's code cache for the modules a worker compiles again for every
 * test file. Jest gives each test file a registry of its own, so a worker compiles gitplane's
 * modules and their packages (cdk8s-plus, the generated CRD imports of several megabytes) once per
 * file: `vm.compileFunction` was a third of the CPU of a worker running small test files
 * (docs/performance.md, "The test suite", seventh pass).
 *
 * jest-runtime compiles each module as a function of its module parameters through
 * `vm.compileFunction`, which is looked up on node:vm at each call. Here that function is a
 * script, `(function (params) {` on the line before the module's code and `})` on the line after,
 * so lines and columns are the module's own. When a worker compiles a module it compiled for an
 * earlier test file, the script starts from V8's data for the earlier one, made once and holding
 * what that file's tests compiled lazily too. V8 checks the data against the source and compiles
 * afresh when it does not fit (`cachedDataRejected`); each test file still runs its own copy of
 * every module, in its own context.
 *
 * @see https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata
 */
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

const compileFunction = vm.compileFunction;
/** By file name: the module's code, and the first script compiled from it or V8's data for it. */
const modules = new Map();

vm.compileFunction = function compileWithCodeCache(code, params, options = {}) {
  const { filename, parsingContext, importModuleDynamically } = options;
  if (filename === undefined || parsingContext === undefined || options.contextExtensions !== undefined) return compileFunction(code, params, options);
  const known = modules.get(filename);
  const entry = known?.code === code ? known : undefined;
  if (entry?.script) {
    entry.data = entry.script.createCachedData();
    entry.script = undefined;
  }
  const script = new vm.Script(`(function (${params.join(', ')}) {\n${code}\n})`, { filename, lineOffset: -1, cachedData: entry?.data, importModuleDynamically });
  if (!entry || script.cachedDataRejected) modules.set(filename, { code, script });
  return script.runInContext(parsingContext);
};

module.exports = TestEnvironment;
