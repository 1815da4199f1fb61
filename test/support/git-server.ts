/**
 * Git's smart HTTP protocol over HTTPS on loopback: each request runs the real `git http-backend`
 * (a CGI program) over the bare repositories under a directory, as a web server in front of a
 * Git host would. Argo CD lists refs with go-git, which does not speak the dumb protocol.
 *
 * @see https://git-scm.com/docs/git-http-backend
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { GIT_ENV } from './git';
import { servingCertificate } from './kube-apiserver';

export interface GitServer {
  /** `https://127.0.0.1:<port>`: a repository `<root>/x.git` is `<url>/x.git`. */
  readonly url: string;
  /** The serving certificate's file (self-signed, for 127.0.0.1). */
  readonly certFile: string;
  close(): Promise<void>;
}

/** Serves the bare repositories under `root`, read-only, with a certificate made in `certDir`. */
export async function serveGit(root: string, certDir: string): Promise<GitServer> {
  const { cert, key } = servingCertificate(certDir, 'git-server');
  const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: req.socket.remoteAddress ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    // The CGI response: header lines, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', (code) => {
      if (!headerDone) res.writeHead(500).end(`git http-backend exited with ${code}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certFile: cert,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
