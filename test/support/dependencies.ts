/**
 * Finds the dependencies in a package.json that nothing in the project uses.
 *
 * A dependency counts as used when a JavaScript or TypeScript file of the project names it as a
 * module (import, export from, require, require.resolve, import(), also a template such as
 * require(`kubernetes-models/${apiVersion}`)), when a package.json script runs one of its
 * binaries or one of its files by its path under node_modules, when jest.config.js loads it
 * (transform, preset), when it is an @types package of a name in tsconfig.json `types`, or when a
 * package used so declares it as a peer dependency (one it loads, but its user must install:
 * @swc/jest's @swc/core). TypeScript's own parser reads the sources, so a name in a comment or an
 * ordinary string does not count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'lib']);

/** The package a module specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The fixed text at the start of a module argument: a string, or a template's head. */
function specifierText(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node) && node.head.text.includes('/')) return node.head.text;
  return undefined;
}

/** Whether a call loads a module: require(x), require.resolve(x), import(x). */
function loadsModule(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
}

/** The packages one source file names as modules. */
function importedPackages(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: string | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = specifierText(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) specifier = specifierText(node.expression);
    else if (ts.isCallExpression(node) && loadsModule(node)) specifier = specifierText(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = specifierText(node.argument.literal);
    const name = specifier === undefined ? undefined : packageOf(specifier);
    if (name !== undefined) found.push(name);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(full);
    return entry.isFile() && SOURCE.test(entry.name) ? [full] : [];
  });
}

/** An installed dependency's own package.json, or nothing when it is not installed. */
function installedManifest(root: string, name: string): { bin?: string | Record<string, string>; peerDependencies?: Record<string, string> } {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** Binary names an installed dependency provides. */
function binaries(root: string, name: string): string[] {
  const { bin } = installedManifest(root, name);
  return typeof bin === 'string' ? [name.split('/').pop()!] : Object.keys(bin ?? {});
}

/** Every dependency and devDependency of `root`/package.json that nothing uses, in code-point order. */
export function unusedDependencies(root: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const declared = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  const used = new Set(sourceFiles(root).flatMap(importedPackages));

  const scriptWords = new Set(Object.values<string>(manifest.scripts ?? {}).flatMap((script) => script.split(/[\s;&|()]+/)));
  for (const name of declared) {
    if (binaries(root, name).some((bin) => scriptWords.has(bin))) used.add(name);
  }
  // A script may run a package's file by its path, to give node flags of its own (`node FLAG node_modules/jest/bin/jest.js`).
  for (const word of scriptWords) {
    const under = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(word);
    if (under) used.add(under[1]);
  }

  const jestConfig = path.join(root, 'jest.config.js');
  if (fs.existsSync(jestConfig)) {
    const config = require(jestConfig);
    const transforms = Object.values<string | [string, unknown]>(config.transform ?? {}).map((t) => (Array.isArray(t) ? t[0] : t));
    for (const module of [config.preset, ...transforms]) {
      const name = typeof module === 'string' ? packageOf(module) : undefined;
      if (name !== undefined) used.add(name);
    }
  }

  const tsconfig = path.join(root, 'tsconfig.json');
  if (fs.existsSync(tsconfig)) {
    const types: string[] = ts.readConfigFile(tsconfig, ts.sys.readFile).config?.compilerOptions?.types ?? [];
    for (const type of types) used.add(`@types/${type}`);
  }

  for (const name of [...used]) {
    for (const peer of Object.keys(installedManifest(root, name).peerDependencies ?? {})) used.add(peer);
  }

  return declared.filter((name) => !used.has(name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
