/** Every dependency in package.json is used: imported by some source file, or run as a tool. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/cli';
import { unusedDependencies } from '../support/dependencies';

/** A temporary project directory and a function writing a file into it. */
function project(): { root: string; write: (file: string, text: string) => void } {
  const root = tempDir('gitplane-deps-');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  return { root, write };
}

test('every dependency and devDependency in package.json is used', () => {
  expect(unusedDependencies(path.join(__dirname, '..', '..'))).toEqual([]);
});

test('fails when a dependency is only mentioned, not imported', () => {
  const { root, write } = project();
  write(
    'package.json',
    JSON.stringify({
      dependencies: { 'imported': '1.0.0', '@scope/required': '1.0.0', 'models': '1.0.0', 'only-in-a-comment': '1.0.0' },
      devDependencies: { 'only-in-a-string': '1.0.0', '@types/node': '20.0.0', '@types/unlisted': '1.0.0' },
    }),
  );
  write('tsconfig.json', '{ "compilerOptions": { "types": ["node"] } }');
  write(
    'src/index.ts',
    [
      "import { a } from 'imported/sub';",
      "const b = require('@scope/required/lib/x');",
      'const c = (v: string) => require(`models/${v}`);',
      '// only-in-a-comment is not used',
      "const d = 'only-in-a-string';",
    ].join('\n'),
  );
  expect(unusedDependencies(root)).toEqual(['@types/unlisted', 'only-in-a-comment', 'only-in-a-string']);
});

test('counts a peer dependency of a used package as used, and only of a used one', () => {
  const { root, write } = project();
  write('package.json', JSON.stringify({ devDependencies: { transformer: '1.0.0', 'its-engine': '1.0.0', unused: '1.0.0', 'unused-peer': '1.0.0' } }));
  write('node_modules/transformer/package.json', JSON.stringify({ name: 'transformer', peerDependencies: { 'its-engine': '*' } }));
  write('node_modules/unused/package.json', JSON.stringify({ name: 'unused', peerDependencies: { 'unused-peer': '*' } }));
  write('jest.config.js', "module.exports = { transform: { '^.+\\\\.ts$': ['transformer', {}] } };");
  expect(unusedDependencies(root)).toEqual(['unused', 'unused-peer']);
});

test('counts a package whose file a script runs by its path under node_modules, and only that one', () => {
  const { root, write } = project();
  write('package.json', JSON.stringify({ scripts: { test: 'node --flag node_modules/runner/bin/run.js --ci' }, devDependencies: { runner: '1.0.0', '@scope/other': '1.0.0' } }));
  expect(unusedDependencies(root)).toEqual(['@scope/other']);
});
