// Component tests of the webhook server over real HTTPS on 127.0.0.1, with real AdmissionReview
// JSON. Handlers are stand-ins with fixed behaviour so the assertions are about the wire.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalid } from '../api/field-errors.js';
import { issueCert, newCa, type CertKeyPem } from '../certs/issue.js';
import { Registry } from '../kube/metrics.js';
import { allow, denyFieldErrors } from './admission.js';
import { diff } from '../api/jsonpatch.js';
import { applyPatch } from '../test/support/json-patch.js';
import { WEBHOOKS, type WebhookDeclaration } from './registry.js';
import { BODY_LIMIT, startWebhookServer, type WebhookServer } from './server.js';

const now = new Date();
function pair(caName: string): { ca: CertKeyPem; leaf: CertKeyPem } {
  const ca = newCa({ commonName: caName, now, validDays: 10 });
  const leaf = issueCert(ca, { commonName: 'copse-webhook', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 5 });
  return { ca, leaf };
}
const first = pair('ca-one');
const second = pair('ca-two');

const decl = (name: string): WebhookDeclaration => {
  const w = WEBHOOKS.find((x) => x.name === name);
  if (!w) throw new Error(name);
  return w;
};

type Obj = Record<string, unknown>;

// Stand-in defaulting: namespace ⇒ default, a label whose key needs escaping, terminationDelay.
function fakeDefaults(o: Obj): Obj {
  const out = structuredClone(o) as { metadata?: Obj; spec?: Obj };
  out.metadata ??= {};
  out.metadata['namespace'] ??= 'default';
  out.metadata['labels'] = { ...(out.metadata['labels'] as Obj | undefined), 'app.kubernetes.io/managed-by': 'copse' };
  out.spec ??= {};
  out.spec['terminationDelay'] ??= '4h0m0s';
  return out as Obj;
}

const webhooks: WebhookDeclaration[] = [
  { ...decl('pcs.defaulting.webhooks.grove.io'), handler: (r) => allow({ patch: diff(r.object, fakeDefaults(r.object as Obj)) }) },
  {
    ...decl('pcs.validating.webhooks.grove.io'),
    handler: (r) => {
      const clique = ((r.object?.['spec'] as Obj | undefined)?.['cliques'] as Obj[] | undefined)?.[0] ?? {};
      const warnings = ['restartPolicy will be ignored, it will be set to Always'];
      if (Number(clique['minAvailable']) > Number(clique['replicas'])) {
        return denyFieldErrors([invalid('spec.template.cliques[0].spec.minAvailable', clique['minAvailable'], 'minAvailable must not be greater than replicas')], warnings);
      }
      // A validating handler that (wrongly) returns a patch: the server must drop it.
      return allow({ warnings, patch: [{ op: 'add', path: '/x', value: 1 }] });
    },
  },
  { ...decl('clustertopology.validating.webhooks.grove.io'), path: '/test/throw', handler: () => Promise.reject(new Error('boom')) },
  { ...decl('clustertopology.validating.webhooks.grove.io'), name: 'slow.test.copse.io', path: '/test/slow', handler: () => new Promise(() => undefined) },
];

const logLines: Record<string, unknown>[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  }),
);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
  peerFingerprint: string;
  reused: boolean;
}

function send(port: number, path: string, body: string | object | undefined, opts: { method?: string; contentType?: string; agent?: https.Agent; ca?: string[] } = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'POST',
        ca: opts.ca ?? [first.ca.certPem, second.ca.certPem],
        agent: opts.agent ?? false,
        headers: payload === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        // Read the peer certificate now: with a keep-alive agent the socket is detached after 'end'.
        const sock = res.socket as TLSSocket;
        const peer = sock.getPeerX509Certificate()?.fingerprint256 ?? sock.getPeerCertificate().fingerprint256 ?? '';
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* text bodies */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peerFingerprint: peer, reused: req.reusedSocket });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const pcs = (minAvailable: number, replicas: number): Obj => ({
  apiVersion: 'grove.io/v1alpha1',
  kind: 'PodCliqueSet',
  metadata: { name: 'simple1', namespace: 'default' },
  spec: { replicas: 1, template: {}, cliques: [{ name: 'pca', replicas, minAvailable }] },
});

const review = (uid: string, object: unknown, over: Obj = {}): Obj => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid,
    kind: { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' },
    resource: { group: 'grove.io', version: 'v1alpha1', resource: 'podcliquesets' },
    requestKind: { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' },
    requestResource: { group: 'grove.io', version: 'v1alpha1', resource: 'podcliquesets' },
    name: 'simple1',
    namespace: 'default',
    operation: 'CREATE',
    userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object,
    oldObject: null,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    ...over,
  },
});

const response = (r: Reply): Obj => r.json['response'] as Obj;

describe('webhook server', () => {
  let server: WebhookServer;
  const metrics = new Registry();

  beforeAll(async () => {
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, tls: { certPem: first.leaf.certPem, keyPem: first.leaf.keyPem }, webhooks, log, metrics, handlerTimeoutMs: 200 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('echoes the uid in an exact v1 envelope and ignores the ?timeout= query', async () => {
    const r = await send(server.port, '/webhooks/validate-podcliqueset?timeout=10s', review('3f1a-uid', pcs(1, 2)));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: '3f1a-uid', allowed: true, warnings: ['restartPolicy will be ignored, it will be set to Always'] },
    });
  });

  it('validating responses contain no patch or patchType keys', async () => {
    const res = response(await send(server.port, '/webhooks/validate-podcliqueset', review('u-v', pcs(1, 1))));
    expect(Object.keys(res).sort()).toEqual(['allowed', 'uid', 'warnings']);
  });

  it('mutating responses carry a base64 JSON patch that applies to the object', async () => {
    const obj = { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name: 'simple1' }, spec: { replicas: 1 } };
    const res = response(await send(server.port, '/webhooks/default-podcliqueset?timeout=10s', review('u-m', obj)));
    expect(res['uid']).toBe('u-m');
    expect(res['allowed']).toBe(true);
    expect(res['patchType']).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(res['patch'] as string, 'base64').toString()) as unknown[];
    expect(ops).toEqual([
      { op: 'add', path: '/metadata/namespace', value: 'default' },
      { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/managed-by': 'copse' } },
      { op: 'add', path: '/spec/terminationDelay', value: '4h0m0s' },
    ]);
    expect(applyPatch(obj, ops as never)).toEqual(fakeDefaults(obj));
  });

  it('mutating responses omit the patch when nothing changes', async () => {
    const done = fakeDefaults({ metadata: { name: 'x', labels: { keep: 'me' } }, spec: {} });
    const res = response(await send(server.port, '/webhooks/default-podcliqueset', review('u-noop', { ...done, metadata: { ...(done['metadata'] as Obj) } })));
    expect(res).toEqual({ uid: 'u-noop', allowed: true });
  });

  it('denies with the exact field-error message, causes and warnings', async () => {
    const r = await send(server.port, '/webhooks/validate-podcliqueset', review('u-deny', pcs(5, 3)));
    expect(r.status).toBe(200);
    expect(response(r)).toEqual({
      uid: 'u-deny',
      allowed: false,
      warnings: ['restartPolicy will be ignored, it will be set to Always'],
      status: {
        metadata: {},
        status: 'Failure',
        code: 403,
        reason: 'Forbidden',
        message: 'spec.template.cliques[0].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
        details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.template.cliques[0].spec.minAvailable', message: 'Invalid value: 5: minAvailable must not be greater than replicas' }] },
      },
    });
  });

  it('answers an unparseable body with 400 and a Status (no uid to echo)', async () => {
    const r = await send(server.port, '/webhooks/validate-podcliqueset', '{"apiVersion": "admission.k8s.io/v1", "request": {"uid": "abc"');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 400, reason: 'BadRequest' });
    expect(r.json['message']).toMatch(/^could not decode AdmissionReview: /);
    const empty = await send(server.port, '/webhooks/validate-podcliqueset', '');
    expect(empty.status).toBe(400);
    expect(empty.json['message']).toBe('could not decode AdmissionReview: empty request body');
  });

  it.each([
    ['a JSON array', [1, 2], '', 'malformed AdmissionReview: AdmissionReview must be a JSON object (got an array)'],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, '', 'malformed AdmissionReview: AdmissionReview has no request object (got undefined)'],
    ['v1beta1', { ...review('u-b1', {}), apiVersion: 'admission.k8s.io/v1beta1' }, 'u-b1', 'malformed AdmissionReview: unsupported "admission.k8s.io/v1beta1"/"AdmissionReview": only admission.k8s.io/v1 AdmissionReview is served'],
    ['a string object', review('u-str', 'not-an-object'), 'u-str', 'malformed AdmissionReview: request.object must be a JSON object for CREATE (got string)'],
    ['a numeric operation', review('u-op', {}, { operation: 3 }), 'u-op', 'malformed AdmissionReview: request.operation must be one of CREATE, UPDATE, DELETE, CONNECT (got 3)'],
  ])('answers %s with a 200 denial naming the problem', async (_n, body, uid, message) => {
    const r = await send(server.port, '/webhooks/default-podcliqueset', body as object);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: false, status: { metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message } },
    });
  });

  it('accepts any Content-Type', async () => {
    const r = await send(server.port, '/webhooks/validate-podcliqueset', review('u-ct', pcs(1, 1)), { contentType: 'text/plain' });
    expect(response(r)['uid']).toBe('u-ct');
  });

  it('handles a body just within the 7 MiB limit (two 3 MiB objects and the envelope) and rejects one just over with 413', async () => {
    const big = pcs(1, 1);
    const sized = (bytes: number): string => {
      (big['metadata'] as Obj)['annotations'] = { blob: '' };
      const envelope = JSON.stringify(review('u-big', big)).length;
      (big['metadata'] as Obj)['annotations'] = { blob: 'x'.repeat(bytes - envelope) };
      return JSON.stringify(review('u-big', big));
    };
    const within = sized(BODY_LIMIT);
    expect(within.length).toBe(7 * 1024 * 1024);
    const r = await send(server.port, '/webhooks/validate-podcliqueset', within);
    expect(r.status).toBe(200);
    expect(response(r)['uid']).toBe('u-big');
    expect(response(r)['allowed']).toBe(true);

    const tooBig = await send(server.port, '/webhooks/validate-podcliqueset', sized(BODY_LIMIT + 1));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ kind: 'Status', code: 413, reason: 'RequestEntityTooLarge' });
  }, 30_000);

  it('turns a handler exception into a denial, not a 500, and keeps serving', async () => {
    const r = await send(server.port, '/test/throw', review('u-boom', {}));
    expect(r.status).toBe(200);
    expect(response(r)).toEqual({
      uid: 'u-boom',
      allowed: false,
      status: { metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'internal error: boom' },
    });
    expect(logLines.some((l) => l['level'] === 50 && l['uid'] === 'u-boom' && l['msg'] === 'admission request failed')).toBe(true);
    expect((await send(server.port, '/webhooks/validate-podcliqueset', review('u-after', pcs(1, 1)))).status).toBe(200);
  });

  it('denies when a handler does not answer in time', async () => {
    const res = response(await send(server.port, '/test/slow', review('u-slow', {})));
    expect(res).toMatchObject({ uid: 'u-slow', allowed: false, status: { code: 500, message: 'internal error: handler did not answer within 0.2s' } });
  });

  it('keeps connections alive for longer than Go’s 90 s idle timeout', async () => {
    expect(server.app.server.keepAliveTimeout).toBe(120_000);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await send(server.port, '/webhooks/validate-podcliqueset', review('k1', pcs(1, 1)), { agent });
      const b = await send(server.port, '/webhooks/validate-podcliqueset', review('k2', pcs(1, 1)), { agent });
      expect(a.headers['keep-alive']).toBe('timeout=120');
      expect(a.reused).toBe(false);
      expect(b.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('logs one structured line per request', async () => {
    await send(server.port, '/webhooks/validate-podcliqueset', review('u-log', pcs(5, 3)));
    const line = logLines.find((l) => l['uid'] === 'u-log');
    expect(line).toMatchObject({
      msg: 'admission request',
      webhook: 'pcs.validating.webhooks.grove.io',
      kind: 'PodCliqueSet',
      namespace: 'default',
      name: 'simple1',
      operation: 'CREATE',
      allowed: false,
      outcome: 'denied',
      user: 'kubernetes-admin',
    });
    expect(typeof line?.['durationMs']).toBe('number');
  });

  it('serves /healthz, /readyz, /metrics and a Status for unknown paths', async () => {
    expect((await send(server.port, '/healthz', undefined, { method: 'GET' })).text).toBe('ok');
    const ready = await send(server.port, '/readyz', undefined, { method: 'GET' });
    expect([ready.status, ready.text]).toEqual([200, 'ok']);
    const m = await send(server.port, '/metrics', undefined, { method: 'GET' });
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.text).toContain('copse_webhook_requests_total{webhook="pcs.validating.webhooks.grove.io",outcome="denied"} 2\n');
    expect(m.text).toContain('copse_webhook_requests_total{webhook="clustertopology.validating.webhooks.grove.io",outcome="error"} 1\n');
    expect(m.text).toContain('copse_webhook_requests_total{webhook="pcs.defaulting.webhooks.grove.io",outcome="patched"} 1\n');
    expect(m.text).toMatch(/copse_webhook_request_duration_seconds_count\{webhook="pcs.defaulting.webhooks.grove.io",outcome="malformed"\} 5\n/);
    expect(m.text).toMatch(/copse_webhook_certificate_expiry_timestamp_seconds \d{10}\n/);
    const nf = await send(server.port, '/nope', {});
    expect(nf.status).toBe(404);
    expect(nf.json).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'no route for POST /nope' });
  });
});

describe('certificate hot swap and readiness', () => {
  it('starts unready on a placeholder, becomes ready on setCertificate, and swaps certs without a restart', async () => {
    const server = await startWebhookServer({ host: '127.0.0.1', port: 0, webhooks, log: pino({ level: 'silent' }), metrics: new Registry() });
    try {
      // Placeholder: TLS works (no verification here), but not ready.
      const insecure = new https.Agent({ rejectUnauthorized: false });
      const probe = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: server.port, path: '/readyz', agent: insecure }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      insecure.destroy();
      expect(probe).toBe(503);
      expect(server.ready()).toBe(false);

      // A cert whose key does not match is refused and changes nothing.
      expect(() => server.setCertificate({ certPem: first.leaf.certPem, keyPem: second.leaf.keyPem })).toThrow(/private key does not match/);
      expect(server.ready()).toBe(false);

      server.setCertificate({ certPem: first.leaf.certPem, keyPem: first.leaf.keyPem });
      expect(server.ready()).toBe(true);
      const fp1 = new X509Certificate(first.leaf.certPem).fingerprint256;
      const fp2 = new X509Certificate(second.leaf.certPem).fingerprint256;

      const keep = new https.Agent({ keepAlive: true, maxSockets: 1 });
      const before = await send(server.port, '/readyz', undefined, { method: 'GET', agent: keep, ca: [first.ca.certPem] });
      expect([before.status, before.peerFingerprint]).toEqual([200, fp1]);

      server.setCertificate({ certPem: second.leaf.certPem, keyPem: second.leaf.keyPem });

      // A new connection sees the new certificate, verified against the new CA only...
      const after = await send(server.port, '/webhooks/validate-podcliqueset', review('u-swap', pcs(1, 1)), { ca: [second.ca.certPem] });
      expect(after.peerFingerprint).toBe(fp2);
      expect(response(after)['uid']).toBe('u-swap');
      // ...and the old CA alone no longer verifies it.
      await expect(send(server.port, '/healthz', undefined, { method: 'GET', ca: [first.ca.certPem] })).rejects.toThrow(/self.signed|unable to verify|certificate/i);
      // An already-established connection (verified against the old CA only) keeps working on its
      // original TLS session. (Node does not expose the peer certificate on a pooled socket again.)
      const reused = await send(server.port, '/healthz', undefined, { method: 'GET', agent: keep, ca: [first.ca.certPem] });
      expect([reused.reused, reused.status, reused.text]).toEqual([true, 200, 'ok']);
      keep.destroy();
    } finally {
      await server.close();
    }
  });

  it('refuses an unservable initial certificate', async () => {
    await expect(startWebhookServer({ port: 0, tls: { certPem: first.leaf.certPem, keyPem: second.leaf.keyPem }, log: pino({ level: 'silent' }) })).rejects.toThrow(
      /initial certificate is not servable: private key does not match/,
    );
  });
});
