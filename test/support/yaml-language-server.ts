/**
 * Runs the real yaml-language-server (the npm package editors embed) over stdio and collects the
 * diagnostics it publishes for YAML files, as an editor would show them.
 *
 * The client speaks just enough of the Language Server Protocol: initialize, answer the server's
 * `workspace/configuration` requests, open each file, wait for its `publishDiagnostics`, shut down.
 * The server finds each file's schema from its `# yaml-language-server: $schema=` line.
 * @see https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { HUNG_MS } from './limits';

export interface Diagnostic {
  message: string;
  range: { start: { line: number; character: number } };
}

/** Answers to `workspace/configuration` by section; the schema store is off so nothing is fetched. */
const SETTINGS: Record<string, unknown> = {
  yaml: { validate: true, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false } },
};

/** A message from the server: a reply, a request or a notification. */
interface Incoming {
  id?: number;
  method?: string;
  params?: { uri?: string; diagnostics?: Diagnostic[]; items?: { section?: string }[] };
  error?: { message: string };
}

/** The diagnostics yaml-language-server publishes for each file (keyed by the path given). */
export async function yamlDiagnostics(files: readonly string[]): Promise<Map<string, Diagnostic[]>> {
  const server = spawn(process.execPath, [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const uris = new Map(files.map((file) => [pathToFileURL(file).href, file]));
  const published = new Map<string, Diagnostic[]>();
  const replies = new Map<number, (message: Incoming) => void>();
  let stderr = '';
  let nextId = 1;
  let configured!: () => void;
  let allPublished!: () => void;
  const configuredP = new Promise<void>((resolve) => (configured = resolve));
  const allPublishedP = new Promise<void>((resolve) => (allPublished = resolve));

  const send = (message: object): void => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  const request = (method: string, params: unknown): Promise<Incoming> =>
    new Promise((resolve) => {
      const id = nextId++;
      replies.set(id, resolve);
      send({ id, method, params });
    });

  const handle = (message: Incoming): void => {
    if (message.method === undefined && message.id !== undefined) {
      replies.get(message.id)?.(message);
      replies.delete(message.id);
    } else if (message.id !== undefined) {
      const configuration = message.method === 'workspace/configuration';
      const items = message.params?.items ?? [];
      send({ id: message.id, result: configuration ? items.map((item) => SETTINGS[item.section ?? ''] ?? null) : null });
      if (configuration) configured();
    } else if (message.method === 'textDocument/publishDiagnostics' && uris.has(message.params?.uri ?? '')) {
      published.set(uris.get(message.params!.uri!)!, message.params!.diagnostics ?? []);
      if (published.size === uris.size) allPublished();
    }
  };

  let buffer = Buffer.alloc(0);
  server.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      const start = headerEnd + 4;
      if (buffer.length < start + length) return;
      handle(JSON.parse(buffer.subarray(start, start + length).toString('utf8')) as Incoming);
      buffer = buffer.subarray(start + length);
    }
  });
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  // Every wait below also ends, with the server's stderr, on a timeout or an early exit.
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const missing = files.filter((file) => !published.has(file));
      reject(new Error(`yaml-language-server published no diagnostics for ${missing.join(', ')} within ${HUNG_MS} ms.\n${stderr}`));
    }, HUNG_MS);
    server.on('exit', (code) => closing || reject(new Error(`yaml-language-server exited early (code ${code}).\n${stderr}`)));
  });
  const within = <T>(wait: Promise<T>): Promise<T> => Promise.race([wait, failure]);

  try {
    const init = await within(request('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } }));
    if (init.error) throw new Error(`yaml-language-server refused initialize: ${init.error.message}`);
    send({ method: 'initialized', params: {} });
    // Opening files only after the settings are in means each file is validated once, with them.
    await within(configuredP);
    for (const [uri, file] of uris) {
      const text = fs.readFileSync(file, 'utf8');
      send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
    }
    await within(allPublishedP);
    await within(request('shutdown', null));
    closing = true;
    send({ method: 'exit' });
    await within(exited);
    return published;
  } finally {
    clearTimeout(timer);
    failure.catch(() => undefined);
    if (server.exitCode === null) server.kill();
  }
}
