'use strict';
/**
 * Loads TypeScript without a build step: gitplane's own sources in this repository, and a platform
 * repository's gitplane.config.ts and apps/ wherever gitplane runs. Each .ts file is transpiled
 * once (types are checked by `tsc`, not here) and cached by content hash in the user's cache,
 * `$XDG_CACHE_HOME/gitplane/transpile` (default ~/.cache/gitplane/transpile), so a warm start
 * costs a file read per module, and a fresh `npm ci` or clone of the same sources starts warm.
 * Entries are named `<key>.json` as every gitplane cache names its entries, and pruned by the same
 * rule: files unused for two weeks are removed, whatever their name (another gitplane version
 * sharing the cache keeps its own entries while it uses them). The installed package itself is
 * compiled JavaScript (lib/); `load` picks the sources when they are there.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

// Stack traces of the transpiled code point at .ts lines and columns through the source map each
// transpiled module ends with. Node's own source-map support (process.setSourceMapsEnabled) would
// decode every module's map and measure every line of its code as the module compiles (about 60 ms
// of the PR check's CPU); instead a module's map is read when a stack trace shows one of its
// frames, through node:module's SourceMap. The map stays in the code, so debuggers still show
// the .ts sources. Frames in packages are shown as the packages ship them.
const MAP_COMMENT = '\n//# sourceMappingURL=data:application/json;base64,';
/** The transpiled code of each .ts file loaded, by file name: it ends with the file's source map. */
const transpiled = new Map();
const sourceMaps = new Map();
const prepareStackTrace = Error.prepareStackTrace;
Error.prepareStackTrace = function prepareTypeScriptStackTrace(error, trace) {
  // Node maps the frames itself when its source maps are on (--enable-source-maps).
  return prepareStackTrace(error, process.sourceMapsEnabled ? trace : trace.map(typeScriptFrame));
};

/** The frame as V8 prints it, at the .ts line and column when it is in transpiled code. */
function typeScriptFrame(frame) {
  const file = frame.getFileName();
  const map = transpiled.has(file) ? sourceMapOf(file) : undefined;
  if (map === undefined) return frame;
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  const { originalLine, originalColumn } = map.findEntry(line - 1, column - 1);
  if (originalLine === undefined) return frame;
  const printed = frame.toString();
  const at = printed.lastIndexOf(`${file}:${line}:${column}`);
  if (at === -1) return frame;
  const mapped = `${printed.slice(0, at)}${file}:${originalLine + 1}:${originalColumn + 1}${printed.slice(at + `${file}:${line}:${column}`.length)}`;
  return { toString: () => mapped };
}

function sourceMapOf(file) {
  if (!sourceMaps.has(file)) {
    const code = transpiled.get(file);
    const at = code.lastIndexOf(MAP_COMMENT);
    let map;
    try {
      map = at === -1 ? undefined : new Module.SourceMap(JSON.parse(Buffer.from(code.slice(at + MAP_COMMENT.length), 'base64').toString('utf8')));
    } catch {
      // An unreadable map: the frame is shown as V8 prints it.
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}

// A package that bundles its dependencies brings its own copy of them: cdk8s bundles yaml, which
// gitplane depends on too, so a command that builds would load yaml's 72 modules twice. A package
// required from inside such a bundle resolves to gitplane's own copy when that is the same release:
// one copy is loaded, and a bundled copy of another release stays with the package that brought it.
const root = path.resolve(__dirname, '..');
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const resolveFilename = Module._resolveFilename;
const sameRelease = new Map();
Module._resolveFilename = function resolveOwnCopy(request, parent, isMain, options) {
  const file = resolveFilename.call(this, request, parent, isMain, options);
  const bundled = packageDir(file, request);
  if (bundled === undefined || file.indexOf(NODE_MODULES) === bundled.lastIndexOf(NODE_MODULES)) return file;
  let own;
  try {
    own = resolveFilename.call(this, request, parent, isMain, { paths: [root] });
  } catch {
    return file; // gitplane has no copy of its own
  }
  const ownDir = packageDir(own, request);
  if (ownDir === undefined || ownDir === bundled) return file;
  if (!sameRelease.has(bundled)) {
    const bundledRelease = release(bundled);
    sameRelease.set(bundled, bundledRelease !== undefined && bundledRelease === release(ownDir));
  }
  return sameRelease.get(bundled) ? own : file;
};

/** The directory of the package a bare `request` names, when `file` lies in it under node_modules. */
function packageDir(file, request) {
  const modules = file.lastIndexOf(NODE_MODULES);
  if (modules === -1 || request.startsWith('.') || path.isAbsolute(request)) return undefined;
  const dir = file.slice(0, modules + NODE_MODULES.length) + request.split('/', request.startsWith('@') ? 2 : 1).join('/');
  return file.startsWith(dir + path.sep) ? dir : undefined;
}

/** `name@version` of the package in `dir`, or undefined when its package.json cannot be read. */
function release(dir) {
  try {
    const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return `${name}@${version}`;
  } catch {
    return undefined;
  }
}

// As stacks/settings.ts's cacheDir: outside node_modules, which `npm ci` removes.
const xdg = process.env.XDG_CACHE_HOME;
const cacheDir = path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(require('node:os').homedir(), '.cache'), 'gitplane', 'transpile');

// As stacks/write-whole.ts's makeDirectories (this loader runs before any gitplane module can be
// loaded): one directory at a time, as Node's recursive mkdir never returns under /proc or /sys.
function makeDirectories(dir) {
  const missing = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}
let ts;
let pruned = false;
const DAY_MS = 86_400_000;

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

let salt;
/** The transpiled module of `source`, the file's bytes (hashed as read: no decoding on a cache hit). */
function compile(source, filename) {
  // node:crypto is required here, not at the top: it loads a dozen of Node's internal modules, which
  // a command that loads no TypeScript (any --help, the installed package) would pay for nothing.
  // The output depends on the file's name only (its source map names `main.ts`), not on its
  // directory: another checkout of the same sources (a clone, a worktree) finds them transpiled.
  // It also depends on the TypeScript release and on this loader's options (this file), which
  // differ between the projects that share the user's cache.
  // (Read, not required: a help text loads no package, test/cli/startup.test.ts.)
  salt = salt || `${JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version}\0${fs.readFileSync(__filename, 'utf8')}\0`;
  const key = require('node:crypto').createHash('sha1').update(salt).update(path.basename(filename)).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.json`);
  try {
    return readTranspiled(cached);
  } catch {
    const output = transpile(source.toString('utf8'), filename);
    try {
      makeDirectories(cacheDir);
      if (!pruned) {
        // The first write of a process prunes entries unused for two weeks, as the render cache
        // does; once the modules being loaded now are, since stacks/content-cache may be one of them
        // (loading it from here would read its exports half-made).
        pruned = true;
        setImmediate(() => {
          try {
            exports.load('stacks/content-cache').pruneEntries(cacheDir);
          } catch {
            // Not pruned this time: a later command will.
          }
        });
      }
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout still runs; it only transpiles every time.
    }
    return output;
  }
}

/**
 * A cached module. Reading marks the entry used, so pruning keeps it, but only when it was last
 * marked a day ago or more: pruning removes entries unused for two weeks, and a start that loads
 * a hundred modules pays for no write. The entry's time comes from the fstat that sizes the read,
 * not from a call of its own.
 */
function readTranspiled(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const { size, mtimeMs } = fs.fstatSync(fd);
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    for (let n = -1; read < size && n !== 0; read += n) n = fs.readSync(fd, buffer, read, size - read, read);
    const output = buffer.toString('utf8', 0, read);
    if (Date.now() - mtimeMs >= DAY_MS) {
      try {
        const now = new Date();
        fs.futimesSync(fd, now, now);
      } catch {
        // A read-only cache is still read.
      }
    }
    return output;
  } finally {
    fs.closeSync(fd);
  }
}

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  const code = compile(fs.readFileSync(filename), filename);
  // The same string V8 keeps as the module's source: holding it costs no memory.
  transpiled.set(filename, code);
  module._compile(code, filename);
};

/** gitplane's module `relative` (e.g. `cli/main`): the TypeScript source in a checkout, else the compiled package's. */
exports.load = function load(relative) {
  return require(fs.existsSync(path.join(root, `${relative}.ts`)) ? path.join(root, relative) : path.join(root, 'lib', relative));
};
