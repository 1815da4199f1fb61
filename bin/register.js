'use strict';
/**
 * Loads TypeScript without a build step: gitplane's own sources in this repository, and a platform
 * repository's gitplane.config.ts and apps/ wherever gitplane runs. Each .ts file is transpiled
 * once (types are checked by `tsc`, not here) and cached by content hash under
 * node_modules/.cache/gitplane, so a warm start costs a file read per module. The installed
 * package itself is compiled JavaScript (lib/); `load` picks the sources when they are there.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

// Stack traces of the transpiled code point at .ts lines through the inline source maps.
process.setSourceMapsEnabled(true);

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'gitplane');
let ts;

function transpile(source, filename) {
  ts = ts || require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      resolveJsonModule: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

function compile(source, filename) {
  // node:crypto is required here, not at the top: it loads a dozen of Node's internal modules, which
  // a command that loads no TypeScript (any --help, the installed package) would pay for nothing.
  // The output depends on the file's name only (its source map names `main.ts`), not on its
  // directory: another checkout of the same sources (a clone, a worktree) finds them transpiled.
  const key = require('node:crypto').createHash('sha1').update(path.basename(filename)).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout still runs; it only transpiles every time.
    }
    return output;
  }
}

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  module._compile(compile(source, filename), filename);
};

/** gitplane's module `relative` (e.g. `cli/main`): the TypeScript source in a checkout, else the compiled package's. */
exports.load = function load(relative) {
  return require(fs.existsSync(path.join(root, `${relative}.ts`)) ? path.join(root, relative) : path.join(root, 'lib', relative));
};
