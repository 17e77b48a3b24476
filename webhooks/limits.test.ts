// The server bounds the memory that concurrent requests can hold: bytes of request bodies in
// flight beyond a budget are answered 429 with a Status and Retry-After, and the budget comes back
// when a response is sent or its connection dies.
import https from 'node:https';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCert, newCa } from '../certs/issue.js';
import { Registry } from '../kube/metrics.js';
import { allow } from './admission.js';
import { WEBHOOKS, type WebhookDeclaration } from './registry.js';
import { startWebhookServer, type WebhookServer } from './server.js';

const now = new Date();
const ca = newCa({ commonName: 'ca', now, validDays: 2 });
const leaf = issueCert(ca, { commonName: 'x', ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });

/** Requests to /test/hold wait until release() is called. */
const gates: (() => void)[] = [];
const releaseAll = (): void => {
  for (const g of gates.splice(0)) g();
};
const base = WEBHOOKS[1] as WebhookDeclaration;
const webhooks: WebhookDeclaration[] = [
  { ...base, name: 'hold.test.copse.io', path: '/test/hold', handler: () => new Promise((r) => gates.push(() => r(allow()))) },
  { ...base, name: 'quick.test.copse.io', path: '/test/quick', handler: () => allow() },
];

const review = (uid: string, pad: number): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' },
      resource: { group: 'grove.io', version: 'v1alpha1', resource: 'podcliquesets' },
      operation: 'CREATE',
      userInfo: {},
      object: { metadata: { name: 'x', annotations: { pad: 'x'.repeat(pad) } } },
    },
  });

interface Sent {
  done: Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }>;
  req: ReturnType<typeof https.request>;
}

function post(port: number, path: string, body: string): Sent {
  let req!: ReturnType<typeof https.request>;
  const done = new Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }>((resolve, reject) => {
    req = https.request(
      { host: '127.0.0.1', port, path, method: 'POST', ca: [ca.certPem], agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return { done, req };
}

describe('bodies in flight are bounded', () => {
  let server: WebhookServer;
  const BUDGET = 10_000;

  beforeAll(async () => {
    server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
      webhooks,
      log: pino({ level: 'silent' }),
      metrics: new Registry(),
      maxInflightBodyBytes: BUDGET,
      handlerTimeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    releaseAll();
    await server.close();
  });

  it('answers 429 with a Status and Retry-After while the budget is taken, and serves again once it is returned', async () => {
    const held = post(server.port, '/test/hold', review('held', 6_000));
    await expect.poll(() => gates.length).toBe(1);

    const refused = await post(server.port, '/test/quick', review('refused', 6_000)).done;
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests' });
    expect(refused.json['message']).toMatch(/^too many admission requests at once: .* MiB of request bodies are being handled .*; retry shortly$/);

    // A small request still fits next to the held one.
    expect((await post(server.port, '/test/quick', review('small', 100)).done).status).toBe(200);

    releaseAll();
    expect((await held.done).status).toBe(200);
    expect((await post(server.port, '/test/quick', review('after', 6_000)).done).status).toBe(200);
  });

  it('returns the budget when the client goes away before the answer', async () => {
    const abandoned = post(server.port, '/test/hold', review('abandoned', 6_000));
    abandoned.done.catch(() => undefined);
    await expect.poll(() => gates.length).toBe(1);
    abandoned.req.destroy();
    await expect.poll(async () => (await post(server.port, '/test/quick', review('next', 6_000)).done).status).toBe(200);
    releaseAll();
  });
});
