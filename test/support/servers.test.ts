/**
 * How tests start real servers: a port taken between choosing and binding it starts the servers
 * again on new ports; a server that exits for another reason fails the start at once, with its log.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { tempDir } from './cli';
import { accepts } from './loopback';
import { startOnFreePorts, stopProcess } from './servers';

const SERVE = (port: number) => `require('http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1')`;

/** A Node HTTP server on `port` as a separate process: it exits with Node's own error when the port is in use. */
const nodeServer = (port: number) => ({ name: 'node-server', bin: process.execPath, args: ['-e', SERVE(port)] });

/** The same server binding `port` only once something else accepts connections there: it meets a taken port for sure. */
const lateServer = (port: number) => ({
  ...nodeServer(port),
  args: ['-e', `const poll = () => require('net').connect(${port}, '127.0.0.1').on('connect', () => ${SERVE(port)}).on('error', () => setTimeout(poll, 10)); poll();`],
});

test('servers whose port another process took are started again on new ports', async () => {
  const dir = tempDir('gitplane-servers-');
  // Takes the first port chosen, as another process on the machine might; answers every request 503.
  const squatter = http.createServer((_, res) => res.writeHead(503).end());
  let taken = 0;
  const started = await startOnFreePorts(
    dir,
    1,
    ([port]) => {
      if (taken) return [nodeServer(port)];
      taken = port;
      squatter.listen(port, '127.0.0.1');
      return [lateServer(port)];
    },
    ([port]) => accepts(`http://127.0.0.1:${port}/`),
  );
  try {
    expect(started.value).toBe(true);
    expect(started.ports[0]).not.toBe(taken);
    expect(fs.readFileSync(path.join(dir, 'node-server.log'), 'utf8')).toContain('EADDRINUSE');
    expect(started.servers[0].log).toBe(path.join(dir, 'node-server.2.log'));
  } finally {
    await stopProcess(started.servers[0].process);
    squatter.close();
  }
});

test('fails at once with the end of its log when a server exits for another reason, and starts nothing again', async () => {
  const dir = tempDir('gitplane-servers-');
  const broken = { name: 'broken', bin: process.execPath, args: ['-e', "console.error('gitplane-test: no such setting'); process.exit(3)"] };
  await expect(startOnFreePorts(dir, 1, () => [broken], () => undefined)).rejects.toThrow(/^broken exited \(3\) before it was ready; the end of its log:\ngitplane-test: no such setting/);
  expect(fs.readdirSync(dir)).toEqual(['broken.log']);
});

test('stops every server it started when one of them fails', async () => {
  const dir = tempDir('gitplane-servers-');
  // Exits once the other server answers, so that one is surely running when the start fails.
  const failsAfter = (port: number) => ({
    name: 'broken',
    bin: process.execPath,
    args: ['-e', `const poll = () => require('http').get('http://127.0.0.1:${port}/', () => process.exit(1)).on('error', () => setTimeout(poll, 10)); poll();`],
  });
  let healthy = 0;
  await expect(startOnFreePorts(dir, 1, ([port]) => ((healthy = port), [nodeServer(port), failsAfter(port)]), () => undefined)).rejects.toThrow(/^broken exited \(1\)/);
  expect(await accepts(`http://127.0.0.1:${healthy}/`)).toBeUndefined();
});
