/**
 * A helper that stacks/, validation/ and policies/ all need is written once, where each of them
 * may import it: stacks/ (stacks/ imports nothing from policies/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** The TypeScript sources of the package (not its tests, nor the generated imports/). */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const file = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** `typeof v === 'object' && v !== null && !Array.isArray(v)`, in either order of the first two tests. */
const MAP_CHECK = /typeof (\w+) === 'object' && \1 !== null && !Array\.isArray\(\1\)|\b(\w+) !== null && typeof \2 === 'object' && !Array\.isArray\(\2\)/;

test('one module tells a map from a list, a scalar or null (isMap): stacks/objects.ts', () => {
  const spelling = ['bin', 'cli', 'constructs', 'environments', 'policies', 'stacks', 'tools', 'validation'].flatMap(sources).filter((file) => MAP_CHECK.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
  expect(spelling).toEqual(['stacks/objects.ts']);
});
