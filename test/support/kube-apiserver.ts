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
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from './cli';
import { HUNG_MS } from './limits';
import { accepts } from './loopback';
import { Server, startOnFreePorts, stopProcess } from './servers';

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

/**
 * Starts etcd and kube-apiserver on free loopback ports (startOnFreePorts) and waits until
 * `/readyz` accepts 200. On any failure both are stopped.
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
    const etcd = await startOnFreePorts(
      dir,
      2,
      ([client, peer]) => [
        {
          name: 'etcd',
          bin: bins.etcd,
          args: [
            '--name=gitplane-test',
            `--data-dir=${path.join(dir, 'etcd-data')}`,
            `--listen-client-urls=http://127.0.0.1:${client}`,
            `--advertise-client-urls=http://127.0.0.1:${client}`,
            `--listen-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-cluster=gitplane-test=http://127.0.0.1:${peer}`,
            // A throwaway store: skipping fsync keeps a loaded machine's disk out of the way.
            '--unsafe-no-fsync',
          ],
        },
      ],
      ([client]) => accepts(`http://127.0.0.1:${client}/health`),
    );
    processes.push(...etcd.servers);

    // One requester per port tried, so a poll reuses its connection.
    const requesters = new Map<number, KubeApiServer['request']>();
    const requesterFor = (port: number) => requesters.get(port) ?? requesters.set(port, requester(`https://127.0.0.1:${port}`, files.caPem, files.token)).get(port)!;
    const apiserver = await startOnFreePorts(
      dir,
      1,
      ([port]) => [
        {
          name: 'kube-apiserver',
          bin: bins.kubeApiServer,
          args: [
            '--bind-address=127.0.0.1',
            '--advertise-address=127.0.0.1',
            `--secure-port=${port}`,
            `--etcd-servers=http://127.0.0.1:${etcd.ports[0]}`,
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
          ],
        },
      ],
      async ([port]) => ((await requesterFor(port)('GET', '/readyz').catch(() => undefined))?.status === 200 ? true : undefined),
    );
    processes.push(...apiserver.servers);
    const url = `https://127.0.0.1:${apiserver.ports[0]}`;
    const request = requesterFor(apiserver.ports[0]);

    // The Go clients that read it (Argo CD, the controller manager, the scheduler, kwok, Pulumi's
    // provider) ask for gzip by default, which on loopback costs both sides CPU for nothing: the
    // OpenAPI document and discovery, fetched again on every CRD change, and large lists.
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gitplane-test', cluster: { server: url, 'certificate-authority': files.cert, 'disable-compression': true } }],
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
