import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeError } from './errors.js';
import { kubeFailure } from '../test/support/failure.js';
import { KubeHttp } from './http.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let handler: Handler = (_req, res) => res.end('{}');
let port = 0;

function kc(): KubeConfig {
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return k;
}

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));


describe('KubeHttp', () => {
  it('sends the bearer token and the JSON body, and parses the JSON answer', async () => {
    let seen: { auth?: string; body: string; type?: string } = { body: '' };
    handler = (req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body: b, type: req.headers['content-type'] };
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'Pod', metadata: { name: 'p' } }));
      });
    };
    const http = new KubeHttp(kc());
    const r = await http.request({ method: 'POST', path: '/api/v1/namespaces/a/pods', body: { a: 1 }, query: { fieldManager: 'm', dryRun: undefined } });
    expect(r.body).toEqual({ kind: 'Pod', metadata: { name: 'p' } });
    expect(seen).toEqual({ auth: 'Bearer secret-token', body: '{"a":1}', type: 'application/json' });
    http.close();
  });

  it('a 2xx answer that is not JSON settles as a typed error instead of an uncaught exception', async () => {
    handler = (_req, res) => res.end('<html>proxy error</html>');
    const http = new KubeHttp(kc());
    const e = await kubeFailure(http.request({ method: 'GET', path: '/api/v1/pods' }));
    expect(e.kind).toBe('Transient');
    expect(e.message).toContain('response is not JSON');
    expect(e.message).toContain('proxy error');
    http.close();
  });

  it('maps a Status error to its kind and message', async () => {
    handler = (_req, res) => {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "x" not found' }));
    };
    const http = new KubeHttp(kc());
    const e = await kubeFailure(http.request({ method: 'GET', path: '/api/v1/namespaces/a/pods/x' }));
    expect(e.kind).toBe('NotFound');
    expect(e.message).toBe('NotFound (404): pods "x" not found');
    http.close();
  });

  it('times out a request the server never answers', async () => {
    handler = () => undefined;
    const http = new KubeHttp(kc(), { timeoutMs: 150 });
    const t0 = Date.now();
    const e = await kubeFailure(http.request({ method: 'GET', path: '/api/v1/pods' }));
    expect(e.message).toContain('timed out');
    expect(Date.now() - t0).toBeLessThan(5000);
    http.close();
  });

  it('after a timeout the idle pooled sockets are dropped, so the next request opens a new connection', async () => {
    const sockets = new Set<unknown>();
    let hang = false;
    handler = (req, res) => {
      sockets.add(req.socket);
      if (!hang) res.end('{}');
    };
    const http = new KubeHttp(kc(), { timeoutMs: 150 });
    // Two concurrent requests leave two idle keep-alive sockets in the pool.
    await Promise.all([http.request({ method: 'GET', path: '/a' }), http.request({ method: 'GET', path: '/b' })]);
    expect(sockets.size).toBe(2);
    hang = true;
    expect((await kubeFailure(http.request({ method: 'GET', path: '/c' }))).message).toContain('timed out');
    hang = false;
    await http.request({ method: 'GET', path: '/d' });
    // /c took one pooled socket and died with it; the other was dropped, so /d came on a third.
    expect(sockets.size).toBe(3);
    expect(http.dropIdleConnections()).toBe(1);
    http.close();
  });

  it("honours the caller's AbortSignal", async () => {
    handler = () => undefined;
    const http = new KubeHttp(kc());
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const e = await kubeFailure(http.request({ method: 'GET', path: '/api/v1/pods', signal: ctl.signal }));
    expect(e.message).toContain('aborted');
    http.close();
  });

  it('a response cut off mid-body is an error, not a truncated success', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const http = new KubeHttp(kc());
    const e = await kubeFailure(http.request({ method: 'GET', path: '/api/v1/pods' }));
    expect(e.kind).toBe('Transient');
    http.close();
  });

  it('streams newline-delimited lines until the server ends the stream', async () => {
    handler = (_req, res) => {
      res.write('{"type":"ADDED"}\n{"type":"MOD');
      setTimeout(() => res.end('IFIED"}\n'), 20);
    };
    const http = new KubeHttp(kc());
    const lines: string[] = [];
    await http.stream({ path: '/api/v1/pods', query: { watch: 1 } }, (l) => lines.push(l));
    expect(lines).toEqual(['{"type":"ADDED"}', '{"type":"MODIFIED"}']);
    http.close();
  });

  it('a line the caller rejects ends the stream with that error', async () => {
    handler = (_req, res) => res.write('{"type":"ERROR"}\n');
    const http = new KubeHttp(kc());
    const e = await kubeFailure(
      http.stream({ path: '/api/v1/pods' }, () => {
        throw new KubeError('Gone', 410, 'expired', undefined, undefined);
      }),
    );
    expect(e.kind).toBe('Gone');
    http.close();
  });

  it('a dropped watch connection rejects, so the informer reconnects', async () => {
    handler = (_req, res) => {
      res.write('{"type":"ADDED"}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const http = new KubeHttp(kc());
    const e = await kubeFailure(http.stream({ path: '/api/v1/pods' }, () => undefined));
    expect(e.kind).toBe('Transient');
    http.close();
  });
});
