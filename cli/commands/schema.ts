import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';

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
  -h, --help       this help

Exit status: 0 printed or written, 2 usage error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('schema', argv, OPTIONS);
    const out = io(Boolean(values.quiet));
    if (values.help) {
      out.out(this.help);
      return 0;
    }
    const { environmentJsonSchema } = await import('../../environments/json-schema');
    const text = environmentJsonSchema();
    if (values.out) (await import('../../stacks/output-file')).writeOutputFile(`--out ${values.out}`, values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};
