import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentJsonSchema } from '../../environments/json-schema';

test('environments/environment.schema.json is the schema the loader uses (run `npm run schema` after changing it)', () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'environments', 'environment.schema.json'), 'utf8');
  expect(committed).toBe(environmentJsonSchema());
});

test('every shipped environment file points editors at the schema', () => {
  const dir = path.join(__dirname, '..', '..', 'environments');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'versions.yaml')) {
    expect(fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./environment.schema.json');
  }
});
