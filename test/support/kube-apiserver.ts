/**
 * A real kube-apiserver on loopback for conformance tests, backed by a real etcd, both built by
 * tools/install.sh.
 *
 * Everything it needs is made at start in a private directory: a self-signed serving certificate
 * for 127.0.0.1 (openssl), the service-account signing key (node:crypto) and a static bearer token
 * of a `system:masters` user, generated per run and marked as fake. PodSecurity admission is on,
 * so each namespace's `pod-security.kubernetes.io/*` labels are enforced. There is no
 * kube-controller-manager: nothing creates Pods, default ServiceAccounts or finalizes deleted
 * namespaces.
 *
 *   const server = await startKubeApiServer({ etcd, kubeApiServer });
 *   try { ... server.request('GET', '/api/v1/namespaces') ... } finally { await server.stop(); }
 *
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from './cli';
import { HUNG_MS } from './limits';
import { freePort, until } from './loopback';

export interface KubeApiServerBinaries {
  etcd: string;
  kubeApiServer: string;
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body (a Status object for errors). */
  body: any;
  /** The text of each `Warning` header, in order (RFC 7234 `299 - "text"` unwrapped). */
  warnings: string[];
}

export interface RequestOptions {
  /** Content type of the body; JSON when not given. */
  contentType?: string;
  /** Query parameters. */
  query?: Record<string, string>;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** PEM of the serving certificate, which is its own CA. */
  readonly ca: string;
  /** Bearer token of a `system:masters` user. */
  readonly token: string;
  /** A kubeconfig file for this server (context `gitplane-test`), for tools that need one. */
  readonly kubeconfig: string;
  /** The directory holding the keys, etcd's data and both servers' logs, until `stop`. */
  readonly dir: string;
  /** The service-account signing key (PKCS #8 PEM file), for the controller manager's token controller. */
  readonly serviceAccountKey: string;
  /** The serving certificate's file, which is its own CA: the cluster's root CA for service-account tokens. */
  readonly caFile: string;
  /** One authenticated HTTPS request; `body` is sent as is when a string, as JSON otherwise. */
  request(method: string, apiPath: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse>;
  /**
   * Stops kube-apiserver, then etcd (SIGTERM, SIGKILL after 30 s), waits for both to exit and
   * removes `dir`.
   */
  stop(): Promise<void>;
}

/** The Kubernetes service network the server allocates ClusterIPs from. */
const SERVICE_CIDR = '10.96.0.0/16';

/** Processes of servers not stopped yet, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((p) => p.kill('SIGKILL')));

/**
 * Starts etcd and kube-apiserver on free loopback ports and waits until `/readyz` answers 200.
 * Polling is bounded only by the ceiling for a hung start (HUNG_MS); a server that exits
 * fails the start at once, with the end of its log. On any failure both are stopped.
 */
export async function startKubeApiServer(bins: KubeApiServerBinaries): Promise<KubeApiServer> {
  const dir = tempDir('gitplane-kube-apiserver-');
  const processes: Server[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await stopProcess(p.process);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const files = writeCredentials(dir);
    const etcdPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const etcd = startProcess(dir, 'etcd', bins.etcd, [
      '--name=gitplane-test',
      `--data-dir=${path.join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=gitplane-test=${peerUrl}`,
      // A throwaway store: skipping fsync keeps a loaded machine's disk out of the way.
      '--unsafe-no-fsync',
    ]);
    processes.push(etcd);
    await until('etcd to answer /health', () => alive(etcd) && probe(`${etcdUrl}/health`));

    const port = await freePort();
    const apiserver = startProcess(dir, 'kube-apiserver', bins.kubeApiServer, [
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${path.join(dir, 'cert-dir')}`,
      `--tls-cert-file=${files.cert}`,
      `--tls-private-key-file=${files.key}`,
      `--token-auth-file=${files.tokens}`,
      '--authorization-mode=RBAC',
      // As kubeadm and k3s run it: privileged containers (Longhorn's chart has them) are allowed.
      '--allow-privileged=true',
      '--enable-admission-plugins=PodSecurity',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${files.serviceAccountKey}`,
      `--service-account-signing-key-file=${files.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--profiling=false',
      // A request may take as long as any other wait here (the server's default is 60 s).
      `--request-timeout=${HUNG_MS / 1000}s`,
    ]);
    processes.push(apiserver);
    const url = `https://127.0.0.1:${port}`;
    const request = requester(url, files.caPem, files.token);
    await until('kube-apiserver to answer /readyz', async () => alive(apiserver) && (await request('GET', '/readyz').catch(() => undefined))?.status === 200 ? true : undefined);

    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gitplane-test', cluster: { server: url, 'certificate-authority': files.cert } }],
        users: [{ name: 'gitplane-test', user: { token: files.token } }],
        contexts: [{ name: 'gitplane-test', context: { cluster: 'gitplane-test', user: 'gitplane-test' } }],
        'current-context': 'gitplane-test',
      }),
      { mode: 0o600 },
    );
    return { url, ca: files.caPem, token: files.token, kubeconfig, dir, serviceAccountKey: files.serviceAccountKey, caFile: files.cert, request, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface Credentials {
  cert: string;
  key: string;
  caPem: string;
  token: string;
  tokens: string;
  serviceAccountKey: string;
}

/** A self-signed serving certificate for 127.0.0.1 and localhost (openssl), written to `<dir>/<name>.crt` and `.key`. */
export function servingCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=gitplane-test-${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make the serving certificate: ${r.stderr}`);
  return { cert, key };
}

function writeCredentials(dir: string): Credentials {
  const { cert, key } = servingCertificate(dir, 'kube-apiserver');

  const serviceAccountKey = path.join(dir, 'service-account.key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  // Fresh each run and marked as fake: it opens only this throwaway server.
  const token = `gitplane-test-fake-${randomBytes(16).toString('hex')}`;
  const tokens = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokens, `${token},gitplane-test,gitplane-test,"system:masters"\n`, { mode: 0o600 });
  return { cert, key, caPem: fs.readFileSync(cert, 'utf8'), token, tokens, serviceAccountKey };
}

/** A process started by `startProcess`, its output in `log`. */
export interface Server {
  name: string;
  process: ChildProcess;
  log: string;
}

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

async function probe(url: string): Promise<true | undefined> {
  try {
    return (await fetch(url)).ok ? true : undefined;
  } catch {
    return undefined;
  }
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

function requester(base: string, ca: string, token: string): KubeApiServer['request'] {
  const agent = new https.Agent({ ca, keepAlive: true });
  const send: KubeApiServer['request'] = (method, apiPath, body, options = {}) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const url = new URL(apiPath, base);
      for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = https.request(
        url,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // plain text, e.g. /readyz
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warningsOf(res.rawHeaders) });
          });
          res.on('error', reject);
        },
      );
      // A kept-alive connection the server closes as the request goes out resets before anything
      // was read (more often on a loaded machine): that request is sent again on a new one.
      req.on('error', (e: NodeJS.ErrnoException) => (req.reusedSocket && e.code === 'ECONNRESET' ? send(method, apiPath, body, options).then(resolve, reject) : reject(e)));
      req.end(payload);
    });
  return send;
}

/** The texts of the `Warning` headers; Node joins repeated headers with commas, so read the raw ones. */
function warningsOf(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'warning') continue;
    const m = /^\d{3} \S+ "(.*)"$/.exec(rawHeaders[i + 1]);
    out.push(m ? m[1].replace(/\\(.)/g, '$1') : rawHeaders[i + 1]);
  }
  return out;
}
