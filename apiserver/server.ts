// The HTTPS server kube-apiserver proxies live.copse.io to. One catch-all route runs every request
// through the same steps, in the order the generic apiserver's filters do:
//   /healthz /livez /readyz    answered without authentication (kubelet probes carry no certificate)
//   authentication             front-proxy client certificate + X-Remote-* headers, else 401
//   request info               path and query parsed; malformed or unknown ones are 400 or 404
//   discovery, /openapi        any authenticated caller (kube-apiserver's own fetches run as users
//                              that a SubjectAccessReview would deny)
//   authorization              SubjectAccessReview (cached), else 403 with Kubernetes' message
//   write verbs                405: the views are computed, never stored
//   get / list / watch         from the live collections
// Every failure is a metav1.Status; a throwing handler is a 500 Status, never a crash.
//
// fastify serves it: the TLS socket under each request gives the peer certificate and the
// verification result directly, so nothing needs raw node https.
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serverTlsOptions } from '../certs/tls.js';
import type { ServingCertificate } from '../certs/sync.js';
import type { Logger } from '../kube/log.js';
import { type Registry } from '../kube/metrics.js';
import { authenticate, type FrontProxyConfig, type UserInfo } from './authn.js';
import type { Authorizer } from './authz.js';
import { DISCOVERY, DISCOVERY_V2_CONTENT_TYPE } from './discovery.js';
import type { ResourceVersionClock } from './live/clock.js';
import type { LiveCollection } from './live/collection.js';
import { negotiate, type Representation } from './negotiate.js';
import { openapiResponse } from './openapi.js';
import { authorizedName, requestInfo, type RequestInfo, type ResourceRequest } from './requestinfo.js';
import { Pager } from './pager.js';
import { getBody, listBody, startWatch, type WatchHandle } from './respond.js';
import type { ResourceName } from './resources.js';
import { ApiError, badRequest, forbidden, internalError, methodNotSupported, notAcceptable, serviceUnavailable, unauthorized } from './status.js';

/** Above Go's 90 s idle timeout, so kube-apiserver never reuses a connection we are closing. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

export interface ApiServerState {
  /** The front-proxy configuration (undefined until the ConfigMap has been read). */
  frontProxy(): FrontProxyConfig | undefined;
  /** Caches synced and a serving certificate present. */
  ready(): string | undefined;
  /** Caches synced (resource requests get 503 until then). */
  synced(): boolean;
}

export interface ApiServerOptions {
  tls: ServingCertificate;
  /** PEM the TLS layer verifies client certificates against; replaced with setClientCa. */
  clientCaPem?: string;
  state: ApiServerState;
  authorizer: Authorizer;
  collections: Record<ResourceName, LiveCollection>;
  clock: ResourceVersionClock;
  log: Logger;
  metrics: Registry;
  now?: () => Date;
  /** Continue tokens of chunked lists (tests pass one with a short TTL). */
  pager?: Pager;
  /** Default watch timeout when the client sends none: 30 to 60 minutes, spread. */
  watchTimeoutSeconds?: () => number;
  bookmarkIntervalMs?: number;
  maxWatchBufferBytes?: number;
}

export interface ApiServer {
  readonly app: FastifyInstance<HttpsServer>;
  /** Swap the serving certificate and the client CA together (new connections use them). */
  setTls(cert: ServingCertificate, clientCaPem: string | undefined): void;
  close(): Promise<void>;
}

function sendStatus(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.code).type('application/json').send(JSON.stringify(err.status));
}

function peerOf(req: FastifyRequest): { cert: ReturnType<TLSSocket['getPeerX509Certificate']>; tlsVerified: boolean } {
  const socket = req.raw.socket as TLSSocket;
  const cert = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  return { cert, tlsVerified: socket.authorized === true };
}

function tlsOptions(cert: ServingCertificate, clientCaPem: string | undefined) {
  // Without a front-proxy CA the server still asks for certificates, but authn.ts refuses them all.
  return { ...serverTlsOptions(cert), ...(clientCaPem ? { ca: clientCaPem } : {}) };
}

const HEALTH = new Set(['/healthz', '/livez', '/readyz']);

/**
 * A request fastify refuses before routing (a path that does not percent-decode): a 400 in the
 * words requestinfo.ts uses for it, so the answer does not depend on which layer noticed.
 */
export function frameworkError(err: { code?: string; message: string }, method: string, url: string): ApiError {
  if (err.code === 'FST_ERR_BAD_URL') {
    try {
      requestInfo(method, url);
    } catch (e) {
      if (e instanceof ApiError && e.code === 400) return e;
    }
  }
  return badRequest(err.message);
}

export function buildApiServer(opts: ApiServerOptions): ApiServer {
  const { log, state } = opts;
  const now = opts.now ?? (() => new Date());
  const watches = new Set<WatchHandle>();
  const requests = opts.metrics.counter('copse_apiserver_requests_total', 'Aggregated API requests by resource, verb and HTTP code.', ['resource', 'verb', 'code']);
  const duration = opts.metrics.histogram('copse_apiserver_request_duration_seconds', 'Aggregated API request latency (watches: until the stream starts) by resource and verb.', ['resource', 'verb']);
  const watchGauge = opts.metrics.gauge('copse_apiserver_watches', 'Open watch streams.');
  const pager = opts.pager ?? new Pager();

  const app = Fastify({
    https: { ...tlsOptions(opts.tls, opts.clientCaPem), requestCert: true, rejectUnauthorized: false },
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    logger: false,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // Bodies are never read (every write is refused), and never buffered.
    bodyLimit: 1024 * 1024,
    frameworkErrors: (err, req, reply) => {
      void sendStatus(reply, frameworkError(err, req.method, req.url));
    },
  }) as unknown as FastifyInstance<HttpsServer>;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => {
    payload.resume();
    done(null, undefined);
  });

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code >= 500) log.error({ err }, 'unexpected apiserver error');
    const e =
      code >= 500
        ? internalError(err.message)
        : new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: code === 413 ? 'RequestEntityTooLarge' : 'BadRequest', code });
    void sendStatus(reply, e);
  });

  async function handle(req: FastifyRequest, reply: FastifyReply, labels: { resource: string; verb: string }): Promise<FastifyReply | void> {
    const path = req.url.split('?')[0] ?? '';
    if (req.method === 'GET' && HEALTH.has(path)) {
      if (path === '/readyz') {
        const problem = state.ready();
        if (problem) return reply.code(503).type('text/plain').send(problem);
      }
      return reply.type('text/plain').send('ok');
    }
    const authn = authenticate(peerOf(req), req.raw.headersDistinct, state.frontProxy(), now());
    if (!authn.ok) {
      log.debug({ path, reason: authn.reason }, 'unauthenticated request');
      return sendStatus(reply, unauthorized());
    }
    const info: RequestInfo = requestInfo(req.method, req.url);
    labels.resource = info.kind === 'resource' ? info.resource.name : info.kind;
    if (info.kind === 'resource') labels.verb = info.verb;
    switch (info.kind) {
      case 'health':
        return reply.type('text/plain').send('ok');
      case 'discovery':
        return discovery(req, reply, info.level);
      case 'openapi': {
        const r = openapiResponse(info.path, req.headers['if-none-match']);
        if (!r) return reply.code(404).type('application/json').send(JSON.stringify(new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `no OpenAPI document at ${info.path}`, reason: 'NotFound', code: 404 }).status));
        return reply.code(r.code).headers(r.headers).send(r.body);
      }
      case 'resource':
        return resource(req, reply, info, authn.user);
    }
  }

  function discovery(req: FastifyRequest, reply: FastifyReply, level: 'root' | 'group' | 'version'): FastifyReply {
    if (level === 'root' && negotiate(req.headers.accept, ['discovery-v2']) === 'discovery-v2') {
      const d = DISCOVERY.rootV2;
      if (req.headers['if-none-match'] === d.etag) return reply.code(304).header('etag', d.etag).send();
      return reply.header('etag', d.etag).type(DISCOVERY_V2_CONTENT_TYPE).send(d.body);
    }
    const d = level === 'root' ? DISCOVERY.root : level === 'group' ? DISCOVERY.group : DISCOVERY.version;
    return reply.type('application/json').send(d.body);
  }

  async function resource(req: FastifyRequest, reply: FastifyReply, r: ResourceRequest, user: UserInfo): Promise<FastifyReply | void> {
    const decision = await opts.authorizer.authorize({
      user,
      verb: r.verb,
      resource: r.resource.name,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(authorizedName(r) !== undefined ? { name: authorizedName(r) } : {}),
    });
    if (!decision.allowed) {
      log.info({ user: user.name, verb: r.verb, resource: r.resource.name, namespace: r.namespace, name: r.name }, 'forbidden');
      throw forbidden({ user: user.name, verb: r.verb, resource: r.resource.name, ...(r.subresource ? { subresource: r.subresource } : {}), ...(r.namespace !== undefined ? { namespace: r.namespace } : {}), ...(authorizedName(r) !== undefined ? { name: authorizedName(r) as string } : {}) }, decision.reason);
    }
    if (r.verb !== 'get' && r.verb !== 'list' && r.verb !== 'watch') throw methodNotSupported(r.verb, r.resource.name);
    const repr: Representation | undefined = negotiate(req.headers.accept, ['table', 'partial']);
    if (!repr) throw notAcceptable(req.headers.accept ?? '');
    if (!state.synced()) throw serviceUnavailable('the live views are still loading their caches; retry shortly');
    const c = opts.collections[r.resource.name];
    const t = now().getTime();
    if (r.verb === 'watch') return watch(reply, r, repr, c);
    const body = r.verb === 'get' ? getBody(c, r, repr, t) : listBody(c, opts.clock, r, repr, t, pager);
    return reply.code(body.code).type('application/json').send(body.json);
  }

  function watch(reply: FastifyReply, r: ResourceRequest, repr: Representation, c: LiveCollection): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff' });
    watchGauge.inc();
    const handle = startWatch({
      collection: c,
      clock: opts.clock,
      request: r,
      repr,
      out: res,
      now: () => now().getTime(),
      defaultTimeoutSeconds: opts.watchTimeoutSeconds?.() ?? 1800 + Math.floor(Math.random() * 1800),
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
      maxBufferedBytes: opts.maxWatchBufferBytes ?? 16 * 1024 * 1024,
      onEnd: (reason) => {
        watchGauge.dec();
        watches.delete(handle);
        log.debug({ resource: r.resource.name, reason }, 'watch ended');
      },
    });
    watches.add(handle);
  }

  const route = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const stop = duration.startTimer();
    const labels = { resource: '', verb: req.method.toLowerCase() };
    try {
      return await handle(req, reply, labels);
    } catch (err) {
      if (err instanceof ApiError) return sendStatus(reply, err);
      log.error({ err, path: req.url.split('?')[0] }, 'apiserver request failed');
      return sendStatus(reply, internalError((err as Error).message));
    } finally {
      stop(labels);
      requests.inc({ ...labels, code: String(reply.statusCode) });
    }
  };
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  app.route({ method: methods, url: '/', handler: route });
  app.route({ method: methods, url: '/*', handler: route });
  app.setNotFoundHandler((req, reply) => {
    void sendStatus(reply, methodNotSupported(req.method.toLowerCase(), undefined));
  });

  return {
    app,
    setTls(cert, clientCaPem) {
      app.server.setSecureContext(tlsOptions(cert, clientCaPem));
    },
    async close() {
      for (const w of [...watches]) w.stop('server shutting down');
      await app.close();
    },
  };
}

