/** Real servers on loopback: a free port to start one on, and waiting until it answers. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { HUNG_MS } from './limits';

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * Polls until `check` returns a value. `hungMs` only bounds a hung run (longer for what takes
 * minutes even when well, such as a whole Argo CD sync); it asserts nothing about speed.
 * Most conditions hold within milliseconds of the first look (a CRD Established, a port
 * listening): the pauses start at 10 ms and double up to 250 ms, so a test that waits on many
 * of them one after another does not wait a quarter of a second for each.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, hungMs = HUNG_MS): Promise<T> {
  const end = Date.now() + hungMs;
  for (let pause = 10; ; pause = Math.min(2 * pause, 250)) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** True once a request to `url` (a GET unless `init` says) answers 2xx; undefined while the server refuses, fails or is not up (for `until`). */
export async function accepts(url: string, init?: RequestInit): Promise<true | undefined> {
  try {
    return (await fetch(url, init)).ok ? true : undefined;
  } catch {
    return undefined;
  }
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The path of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves the files of `dir` (not its subdirectories) on a loopback port, e.g. as a Helm chart repository. */
export async function serveDirectory(dir: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(urlPath);
    const file = path.join(dir, path.basename(decodeURIComponent(urlPath)));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
