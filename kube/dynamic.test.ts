// DynamicClient against a loopback HTTP server standing in for kube-apiserver: what goes on the wire
// (paths from encoded segments, the field manager of each component, apply and delete bodies), and
// that every call settles, with a typed error when the answer is unusable, on a timeout or on the
// caller's AbortSignal.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from './client.js';
import { DynamicClient, FIELD_MANAGERS } from './dynamic.js';
import { kubeFailure } from '../test/support/failure.js';
import { KubeHttp, type KubeHttpOptions } from './http.js';
import { RESOURCES } from './resources.js';

const PODS = Array.from({ length: 5 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns' } }));

interface Seen {
  /** The bearer token of the client that sent it: a request a previous test abandoned arrives with another. */
  token: string;
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const echo: Handler = (_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body || '{}');

let server: Server;
let port = 0;
let handler: Handler = echo;
const requests: Seen[] = [];
const opened: KubeHttp[] = [];
let current = '';

/** What the client of the running test sent. */
function sent(): Omit<Seen, 'token'>[] {
  return requests.filter((r) => r.token === current).map(({ token: _t, ...r }) => r);
}

function client(opts: KubeHttpOptions = {}): DynamicClient {
  current = `t${opened.length}-${Math.random().toString(16).slice(2)}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: current }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const http = new KubeHttp(kc, opts);
  opened.push(http);
  return new DynamicClient(http, FIELD_MANAGERS.test);
}


beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ token: (req.headers.authorization ?? '').replace(/^Bearer /, ''), method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body: body ? (JSON.parse(body) as unknown) : undefined });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  handler = echo;
  requests.length = 0;
  for (const h of opened.splice(0)) h.close();
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('DynamicClient.list', () => {
  const pages: Handler = (req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    const limit = Number(url.searchParams.get('limit'));
    const start = Number(url.searchParams.get('continue') ?? '0');
    const items = PODS.slice(start, start + limit);
    const next = start + limit < PODS.length ? String(start + limit) : undefined;
    const metadata = { resourceVersion: `rv${start}`, ...(next ? { continue: next, remainingItemCount: PODS.length - start - limit } : {}) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata, items }));
  };

  it('follows metadata.continue to the last page and returns every item', async () => {
    handler = pages;
    const list = await client().list(RESOURCES.pods, { namespace: 'ns', limit: 2 });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(sent().map((s) => s.url)).toEqual(['/api/v1/namespaces/ns/pods?limit=2', '/api/v1/namespaces/ns/pods?limit=2&continue=2', '/api/v1/namespaces/ns/pods?limit=2&continue=4']);
  });

  it('asks for pages of 500 by default', async () => {
    handler = pages;
    expect((await client().list(RESOURCES.pods, { namespace: 'ns' })).items).toHaveLength(5);
    expect(sent().map((s) => s.url)).toEqual(['/api/v1/namespaces/ns/pods?limit=500']);
  });
});

describe('DynamicClient requests settle', () => {
  it('a 2xx answer that is not JSON is a typed error, not an uncaught exception', async () => {
    handler = (_req, res) => res.writeHead(200).end('<html>proxy error</html>');
    const e = await kubeFailure(client().get(RESOURCES.secrets, 's', 'ns'));
    expect(e.kind).toBe('Transient');
    expect(e.message).toBe('GET /api/v1/namespaces/ns/secrets/s: response is not JSON: "<html>proxy error</html>"');
  });

  it('a Status answer becomes its kind, and tryGet/delete read NotFound as absence', async () => {
    handler = (_req, res) => res.writeHead(404).end(JSON.stringify({ kind: 'Status', reason: 'NotFound', code: 404, message: 'secrets "s" not found' }));
    const c = client();
    const e = await kubeFailure(c.get(RESOURCES.secrets, 's', 'ns'));
    expect([e.kind, e.message]).toEqual(['NotFound', 'NotFound (404): secrets "s" not found']);
    expect(await c.tryGet(RESOURCES.secrets, 's', 'ns')).toBeUndefined();
    expect(await c.delete(RESOURCES.secrets, 's', 'ns')).toBe(false);
  });

  it('times out a request the server never answers', async () => {
    handler = () => undefined;
    const e = await kubeFailure(client({ timeoutMs: 100 }).get(RESOURCES.secrets, 's', 'ns'));
    expect(e.message).toBe('GET /api/v1/namespaces/ns/secrets/s: timed out');
  });

  it("passes the caller's AbortSignal down to the request", async () => {
    handler = () => undefined;
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    const e = await kubeFailure(client().get(RESOURCES.secrets, 's', 'ns', { signal: ctl.signal }));
    expect(e.message).toBe('GET /api/v1/namespaces/ns/secrets/s: aborted');
  });
});

describe('DynamicClient paths', () => {
  it('builds every path from encoded segments', async () => {
    await client().get(RESOURCES.secrets, 'a/b?c', 'n s');
    expect(sent().map((s) => s.url)).toEqual(['/api/v1/namespaces/n%20s/secrets/a%2Fb%3Fc']);
  });

  it.each(['..', '.', ''])('refuses the name %j before sending anything', async (name) => {
    const e = await kubeFailure(client().get(RESOURCES.clusterTopologyBindings, name));
    expect(e.kind).toBe('Invalid');
    expect(sent()).toEqual([]);
  });

  it('refuses a namespaced object without a namespace', async () => {
    const e = await kubeFailure(client().apply(RESOURCES.secrets, { metadata: { name: 's' } }));
    expect(e.message).toBe('apply: Secret is namespaced; a namespace is required');
    expect(sent()).toEqual([]);
  });
});

describe('DynamicClient writes', () => {
  it('applies a manifest to the resource its apiVersion and kind name, under the component field manager, forced, without server-owned metadata', async () => {
    const install = client().as(FIELD_MANAGERS.install);
    const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'copse', resourceVersion: '7', uid: 'u', managedFields: [] } };
    await install.applyManifest(crb);
    expect(sent()).toEqual([
      {
        method: 'PATCH',
        url: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/copse?fieldManager=copse-install&force=true',
        contentType: 'application/apply-patch+yaml',
        body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'copse' } },
      },
    ]);
  });

  it('refuses a manifest of a kind it does not know, naming it, before sending anything', async () => {
    const e = await kubeFailure(client().applyManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }));
    expect(e.message).toBe('no known resource serves apiVersion "example.com/v1" kind "Widget"');
    expect(sent()).toEqual([]);
  });

  it('applies the status subresource', async () => {
    await client().as(FIELD_MANAGERS.controller).applyStatus(RESOURCES.podCliqueSets, { metadata: { name: 'x', namespace: 'ns' }, status: { replicas: 1 } } as never);
    expect(sent().map((s) => [s.method, s.url])).toEqual([['PATCH', '/apis/grove.io/v1alpha1/namespaces/ns/podcliquesets/x/status?fieldManager=copse-controller&force=true']]);
  });

  it('patches with the content type of the patch it is given', async () => {
    const certs = client().as(FIELD_MANAGERS.certs);
    await certs.patch(RESOURCES.validatingWebhookConfigurations, 'v', undefined, [{ op: 'test', path: '/webhooks/0/name', value: 'w' }]);
    await certs.patch(RESOURCES.apiServices, 'a', undefined, { spec: { caBundle: 'Q0E=' } });
    expect(sent().map((s) => [s.url, s.contentType])).toEqual([
      ['/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/v?fieldManager=copse-certs', 'application/json-patch+json'],
      ['/apis/apiregistration.k8s.io/v1/apiservices/a?fieldManager=copse-certs', 'application/merge-patch+json'],
    ]);
  });

  it('deletes with uid and resourceVersion preconditions', async () => {
    expect(await client().delete(RESOURCES.pods, 'p', 'ns', { uid: 'u1', resourceVersion: '9', propagationPolicy: 'Background' })).toBe(true);
    expect(sent()).toEqual([
      {
        method: 'DELETE',
        url: '/api/v1/namespaces/ns/pods/p',
        contentType: 'application/json',
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'u1', resourceVersion: '9' }, propagationPolicy: 'Background' },
      },
    ]);
  });
});
