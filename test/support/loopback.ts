/** Real servers on loopback: a free port to start one on, and waiting until it answers. */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Polls until `check` returns a value; the deadline only bounds a hung run, it asserts nothing about speed. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, deadlineMs = 90_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
