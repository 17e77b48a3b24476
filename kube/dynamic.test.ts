// DynamicClient.list against a loopback HTTP server standing in for kube-apiserver: a list larger
// than one page is followed to its end through the wire's `metadata.continue` token (client-node's
// model calls it `_continue`; the JSON never does).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from './client.js';
import { DynamicClient, FIELD_MANAGERS } from './dynamic.js';
import { KubeHttp } from './http.js';
import { RESOURCES } from './resources.js';

const PODS = Array.from({ length: 5 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns' } }));

describe('DynamicClient.list', () => {
  let server: Server;
  let client: DynamicClient;
  const queries: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      queries.push(url.search);
      const limit = Number(url.searchParams.get('limit'));
      const start = Number(url.searchParams.get('continue') ?? '0');
      const items = PODS.slice(start, start + limit);
      const next = start + limit < PODS.length ? String(start + limit) : undefined;
      const metadata = { resourceVersion: `rv${start}`, ...(next ? { continue: next, remainingItemCount: PODS.length - start - limit } : {}) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata, items }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    client = new DynamicClient(new KubeHttp(kc), FIELD_MANAGERS.test);
  });

  afterAll(async () => {
    client.http.close();
    await new Promise((r) => server.close(r));
  });

  it('follows metadata.continue to the last page and returns every item', async () => {
    queries.length = 0;
    const list = await client.list(RESOURCES.pods, { namespace: 'ns', limit: 2 });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(queries).toEqual(['?limit=2', '?limit=2&continue=2', '?limit=2&continue=4']);
  });

  it('asks for pages of 500 by default', async () => {
    queries.length = 0;
    expect((await client.list(RESOURCES.pods, { namespace: 'ns' })).items).toHaveLength(5);
    expect(queries).toEqual(['?limit=500']);
  });
});
