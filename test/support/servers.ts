/**
 * Real servers the tests start as processes: each one's output goes to a log file, a server that
 * exits fails the wait for it at once with the end of that log (instead of a wait that runs to
 * HUNG_MS), and every one still running is killed if the test process exits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, until } from './loopback';

/** A process started by `startProcess`, its output in `log`. */
export interface Server {
  name: string;
  process: ChildProcess;
  log: string;
}

/** Processes not stopped yet, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((p) => p.kill('SIGKILL')));

/** Starts `bin` with its stdout and stderr appended to `<dir>/<name>.log`; killed if the test process exits. */
export function startProcess(dir: string, name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Server {
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const p = spawn(bin, args, { stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  running.add(p);
  p.once('exit', () => running.delete(p));
  return { name, process: p, log };
}

/** True while the server runs; once it has exited, throws with the end of its log. */
export function alive({ name, process: p, log }: Server): true {
  if (p.exitCode === null && p.signalCode === null) return true;
  const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}) before it was ready; the end of its log:\n${tail}`);
}

/** SIGTERM, SIGKILL after 30 s; resolves once the process has exited. */
export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** A process to start: `name` names its log. */
export interface Command {
  name: string;
  bin: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** How often servers whose ports were taken before they bound them are started again on new ones. */
const PORT_ATTEMPTS = 5;

/**
 * Starts the servers `commands` gives for `portCount` free loopback ports and waits until `ready`
 * returns a value (HUNG_MS bounds only a hung start). A port freePort found free can be taken by
 * another process on the machine before the server binds it (a loaded machine runs many tests'
 * servers and clients at once): when a server exits because its address is in use, all of them
 * are stopped and started again on new ports. A server that exits for another reason fails the
 * start at once with the end of its log; on any failure every one started is stopped.
 */
export async function startOnFreePorts<T>(
  dir: string,
  portCount: number,
  commands: (ports: number[]) => Command[],
  ready: (ports: number[]) => Promise<T | undefined> | T | undefined,
): Promise<{ servers: Server[]; ports: number[]; value: T }> {
  for (let attempt = 1; ; attempt++) {
    const ports = new Set<number>();
    while (ports.size < portCount) ports.add(await freePort());
    const chosen = [...ports];
    const servers = commands(chosen).map((c) => startProcess(dir, attempt === 1 ? c.name : `${c.name}.${attempt}`, c.bin, c.args, c.env));
    try {
      const value = await until(`${servers.map((s) => s.name).join(' and ')} to be ready`, () => {
        servers.forEach(alive);
        return ready(chosen);
      });
      return { servers, ports: chosen, value };
    } catch (e) {
      for (const s of servers) await stopProcess(s.process);
      if (attempt === PORT_ATTEMPTS || !/address already in use/.test(String(e))) throw e;
    }
  }
}
