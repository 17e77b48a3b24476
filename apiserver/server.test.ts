import { afterAll, describe, expect, it } from 'vitest';

import { placeholderCertificate } from '../certs/tls.js';
import { createLogger } from '../kube/log.js';
import { Registry } from '../kube/metrics.js';
import { Authorizer } from './authz.js';
import { ResourceVersionClock } from './live/clock.js';
import type { LiveCollection } from './live/collection.js';
import type { ResourceName } from './resources.js';
import { buildApiServer, frameworkError } from './server.js';

// In-process requests (fastify inject) carry no TLS client certificate: everything past the health
// endpoints is unauthenticated, which is what these tests need; the e2e suite covers the rest.
const server = buildApiServer({
  tls: placeholderCertificate(new Date()),
  state: { frontProxy: () => undefined, ready: () => 'informer caches not synced yet', synced: () => false },
  authorizer: new Authorizer(async () => {
    throw new Error('no review expected');
  }),
  collections: {} as Record<ResourceName, LiveCollection>,
  clock: new ResourceVersionClock(),
  log: createLogger('silent'),
  metrics: new Registry(),
});

afterAll(async () => {
  await server.close();
});

const BASE = '/apis/live.copse.io/v1alpha1/namespaces/ns/podcliquesets';

describe('the server before authentication', () => {
  it('answers health probes without a certificate, and /readyz says why it is not ready', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).body).toBe('ok');
    const r = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect([r.statusCode, r.body]).toEqual([503, 'informer caches not synced yet']);
  });

  it('401 with a Status for anything else without the front-proxy certificate, forged headers or not', async () => {
    const r = await server.app.inject({ method: 'GET', url: BASE, headers: { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' } });
    expect([r.statusCode, JSON.parse(r.body)]).toEqual([401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }]);
  });

  it('a path that does not percent-decode is a 400 in requestinfo\u2019s words, whichever layer notices', async () => {
    const r = await server.app.inject({ method: 'GET', url: `${BASE}/%E0%A4%A` });
    const body = JSON.parse(r.body) as { kind: string; reason: string; message: string };
    expect([r.statusCode, body.kind, body.reason, body.message]).toEqual([400, 'Status', 'BadRequest', 'invalid path segment "%E0%A4%A": malformed percent-encoding']);
  });

  it('frameworkError keeps fastify\u2019s message for anything requestinfo accepts', () => {
    expect(frameworkError({ code: 'FST_ERR_BAD_URL', message: 'bad' }, 'GET', BASE).status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'bad' });
    expect(frameworkError({ code: 'FST_ERR_OTHER', message: 'other' }, 'GET', `${BASE}/%zz`).status.message).toBe('other');
  });
});
