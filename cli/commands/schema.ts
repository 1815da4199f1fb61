import * as fs from 'node:fs';
import { EnvironmentSchema } from '../../environments/schema';
import { COMMON_OPTIONS, parse } from '../args';
import { Command } from '../command';

/**
 * The environment JSON Schema as editors read it.
 *
 * A field with a default may be left out of an environment file (the loader fills it in), so the
 * editor schema does not list it as required: otherwise the YAML language server would report a
 * "Missing property" for every default a file relies on.
 */
export function environmentJsonSchema(): string {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gitplane.dev/schemas/environment.schema.json',
    title: 'gitplane environment',
    ...(withDefaultsOptional(JSON.parse(JSON.stringify(EnvironmentSchema))) as object),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** A copy of a JSON Schema whose objects no longer require the properties that have a default. */
function withDefaultsOptional(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withDefaultsOptional);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // A default is a value, not a schema: keep it as it is.
    copy[key] = key === 'default' ? value : withDefaultsOptional(value);
  }
  const properties = copy.properties as Record<string, { default?: unknown }> | undefined;
  if (Array.isArray(copy.required) && properties) {
    const required = (copy.required as string[]).filter((name) => properties[name]?.default === undefined);
    if (required.length > 0) copy.required = required;
    else delete copy.required;
  }
  return copy;
}

const OPTIONS = { ...COMMON_OPTIONS, out: { type: 'string', short: 'o' } } as const;

export const schema: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema of environment files (for editors).',
  help: `Usage: gitplane schema [--out FILE]

Prints the JSON Schema that environments/<name>.yaml files are validated against.
environments/environment.schema.json is this output; editors with the YAML language server pick
it up from the "# yaml-language-server: $schema=" line at the top of each environment file.
A field with a default is optional in it, as it is for gitplane (which fills the default in).

Options:
  -o, --out FILE   write to FILE instead of stdout
  -h, --help       this help`,
  async run(argv, io) {
    const { values } = parse('schema', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const text = environmentJsonSchema();
    if (values.out) fs.writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};
