// HTTPS server for AdmissionReview v1 (k8s-wire §2.1), plus /healthz, /livez and /readyz for probes.
// Metrics are served by the monitoring listener (kube/monitoring.ts), never on the webhook port.
// Routes come from the declaration table (registry.ts). The same server runs in-cluster (behind a
// Service, certificates from certs/sync) and locally under `copse up` (webhook configurations point
// at `url: https://127.0.0.1:<port>/...`).
//
// Robustness contract: a request never crashes the server and, once it decodes as JSON, always
// gets HTTP 200 with an AdmissionReview; bad input or a throwing handler becomes a denial whose
// message names the problem. The one exception is a body that is not JSON at all (or empty): then
// there is no request.uid to echo, and a response without the right uid is rejected by the
// apiserver as "invalid webhook response" anyway, so we answer 400 with a metav1.Status, which
// the apiserver reports with our message (and which is honest to any other client). A body over
// BODY_LIMIT likewise gets 413 with a Status, and a request that would take the bodies being
// handled at once over MAX_INFLIGHT_BODY_BYTES gets 429 with a Status and Retry-After.
import type { Server as HttpsServer } from 'node:https';
import { X509Certificate } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { servable } from '../certs/rotate.js';
import { placeholderCertificate, serverTlsOptions } from '../certs/tls.js';
import type { ServingCertificate } from '../certs/sync.js';
import { componentLogger, type Logger } from '../kube/log.js';
import { defaultRegistry, type Registry } from '../kube/metrics.js';
import { decisionToResponse, internalErrorResponse, malformedResponse, parseAdmissionReview, review, type AdmissionReview } from './admission.js';
import { DEFAULT_ADMISSION_CONFIG, type AdmissionConfig } from './handlers.js';
import { WEBHOOKS, type HandlerContext, type WebhookDeclaration } from './registry.js';

export const DEFAULT_WEBHOOK_PORT = 9443;
const MiB = 1024 * 1024;
/**
 * The largest AdmissionReview we read: 7 MiB. kube-apiserver refuses request bodies over 3 MiB
 * (its MaxRequestBodyBytes), so `object` is at most ~3 MiB of JSON; `oldObject` is what is stored,
 * bounded by etcd's 1.5 MiB request limit but counted at 3 MiB too, as a patch or another mutating
 * webhook may have grown the object; the rest of the review (uid, kinds, userInfo with its groups
 * and extra, options) is kilobytes. 3 + 3 + 1 MiB of headroom = 7 MiB. An object re-encoded past
 * that (Go escapes `<`, `>`, `&` as six bytes each) is refused with 413, and failurePolicy Fail
 * turns that into a refused request, never an admitted one.
 */
export const BODY_LIMIT = 7 * MiB;
/**
 * How many bytes of request bodies may be in the server at once: 32 MiB. Handling a review costs a
 * few times its size in heap (measured: 3.2× for JSON.parse plus one clone of the object, before
 * validation), so 32 MiB in flight stays well inside the Deployment's 512 MiB next to the server's
 * own ~100 MiB. Real reviews are kilobytes, so this only bites under a flood of huge objects; the
 * excess gets 429 with Retry-After, which the apiserver either retries or reports with our message.
 */
export const MAX_INFLIGHT_BODY_BYTES = 32 * MiB;
/** Above Go's 90 s idle timeout, so the apiserver never reuses a connection we are closing (k8s-wire §2.3). */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;
/** Below the webhooks' timeoutSeconds (10 s), so a stuck handler yields our denial rather than an apiserver timeout. */
export const HANDLER_TIMEOUT_MS = 8_000;

export interface WebhookServerOptions {
  /** Listen address; default 0.0.0.0 (use 127.0.0.1 for `copse up`). */
  host?: string;
  /** Default 9443; 0 picks a free port. */
  port?: number;
  /**
   * Initial certificate. Without one the server starts with a throwaway self-signed placeholder so
   * probes and TLS work, and /readyz stays 503 until setCertificate() delivers a real one.
   */
  tls?: ServingCertificate;
  webhooks?: readonly WebhookDeclaration[];
  /** Prefetch for the PCS validator; default: nothing exists (every topology reference is "not found"). */
  lookupTopology?: HandlerContext['lookupTopology'];
  kaiTopologyServed?: HandlerContext['kaiTopologyServed'];
  config?: Partial<AdmissionConfig>;
  log?: Logger;
  metrics?: Registry;
  bodyLimit?: number;
  maxInflightBodyBytes?: number;
  keepAliveTimeoutMs?: number;
  handlerTimeoutMs?: number;
  now?: () => Date;
}

export interface WebhookServer {
  readonly port: number;
  /** `https://127.0.0.1:<port>` when bound to a wildcard or loopback address, else `https://<host>:<port>`. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** True once a real, currently valid certificate is being served. */
  ready(): boolean;
  /** Swap the serving certificate in place (new connections use it; no restart). Throws if it is not servable. */
  setCertificate(cert: ServingCertificate): void;
  close(): Promise<void>;
}

interface State {
  /** The certificate being served (undefined while the placeholder is in use). */
  cert: { fingerprint: string; notAfter: number } | undefined;
}

function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * Run `work` under a deadline. When `ms` pass, the returned promise rejects naming the timeout and
 * the signal handed to `work` fires with the same error, so what the handler started beneath it (a
 * ClusterTopologyBinding GET) is cancelled rather than left running. `cancel` (the client went away)
 * fires the signal too.
 */
export async function withDeadline<T>(work: (signal: AbortSignal) => T | Promise<T>, ms: number, cancel?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(cancel?.reason);
  cancel?.addEventListener('abort', onCancel, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new Error(`handler did not answer within ${ms / 1000}s`);
      // Reject first, so the denial names the timeout rather than whatever the aborted work throws.
      reject(timeout);
      controller.abort(timeout);
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), expired]);
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

type Outcome = 'allowed' | 'patched' | 'denied' | 'malformed' | 'error';

function registerMetrics(registry: Registry): {
  requests: ReturnType<Registry['counter']>;
  duration: ReturnType<Registry['histogram']>;
  certExpiry: ReturnType<Registry['gauge']>;
  certReloads: ReturnType<Registry['counter']>;
} {
  return {
    requests: registry.counter('copse_webhook_requests_total', 'Admission requests by webhook and outcome (allowed, patched, denied, malformed, error).', ['webhook', 'outcome']),
    duration: registry.histogram('copse_webhook_request_duration_seconds', 'Admission request handling latency by webhook and outcome.', ['webhook', 'outcome']),
    certExpiry: registry.gauge('copse_webhook_certificate_expiry_timestamp_seconds', 'notAfter of the serving certificate, as a Unix timestamp.'),
    certReloads: registry.counter('copse_webhook_certificate_reloads_total', 'Serving certificates loaded without a restart.'),
  };
}

/**
 * Build the fastify app with every route registered (not listening). Exposed for inject()-style
 * tests; production code uses startWebhookServer.
 */
export function buildWebhookApp(
  opts: WebhookServerOptions & { tls: ServingCertificate },
  state: State = { cert: undefined },
): { app: FastifyInstance<HttpsServer>; state: State; metrics: ReturnType<typeof registerMetrics> } {
  const log = opts.log ?? componentLogger('webhooks');
  const metrics = registerMetrics(opts.metrics ?? defaultRegistry);
  const now = opts.now ?? (() => new Date());
  const config: AdmissionConfig = { ...DEFAULT_ADMISSION_CONFIG, ...(opts.config ?? {}) };
  const lookupTopology = opts.lookupTopology ?? (async () => undefined);
  const handlerTimeout = opts.handlerTimeoutMs ?? HANDLER_TIMEOUT_MS;

  const app = Fastify({
    https: serverTlsOptions(opts.tls),
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS,
    logger: false,
    // The apiserver appends `?timeout=10s`; routing ignores the query string anyway, and we never read it.
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });

  // Take the body as text whatever the Content-Type claims, and decode it ourselves, so a broken body
  // becomes our own answer instead of fastify's generic 400/415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  limitBodiesInFlight(app, opts.maxInflightBodyBytes ?? MAX_INFLIGHT_BODY_BYTES, opts.bodyLimit ?? BODY_LIMIT, log);

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const reason = code === 413 ? 'RequestEntityTooLarge' : code < 500 ? 'BadRequest' : 'InternalError';
    if (code >= 500) log.error({ err }, 'unexpected server error');
    void reply.code(code).type('application/json').send(statusBody(code, reason, err.message));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('application/json').send(statusBody(404, 'NotFound', `no route for ${req.method} ${req.url.split('?')[0]}`));
  });

  const isReady = (): boolean => state.cert !== undefined && state.cert.notAfter > now().getTime();

  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/livez', async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', async (_req, reply) =>
    isReady()
      ? reply.type('text/plain').send('ok')
      : reply.code(503).type('text/plain').send(state.cert ? 'serving certificate expired' : 'no serving certificate yet'),
  );

  for (const w of opts.webhooks ?? WEBHOOKS) {
    app.post(w.path, async (req: FastifyRequest, reply: FastifyReply) => {
      const stop = metrics.duration.startTimer({ webhook: w.name });
      const t0 = performance.now();
      const finish = (outcome: Outcome, out: AdmissionReview | Record<string, unknown>, code = 200, fields: Record<string, unknown> = {}): FastifyReply => {
        stop({ outcome });
        metrics.requests.inc({ webhook: w.name, outcome });
        const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
        const line = { webhook: w.name, outcome, durationMs, ...fields };
        if (outcome === 'error') log.error(line, 'admission request failed');
        else if (outcome === 'malformed') log.warn(line, 'malformed admission request');
        else log.info(line, 'admission request');
        return reply.code(code).type('application/json').send(out);
      };

      const raw = typeof req.body === 'string' ? req.body : '';
      let body: unknown;
      try {
        if (raw.trim() === '') throw new Error('empty request body');
        body = JSON.parse(raw);
      } catch (err) {
        const msg = `could not decode AdmissionReview: ${(err as Error).message}`;
        return finish('malformed', statusBody(400, 'BadRequest', msg), 400, { error: msg });
      }

      const parsed = parseAdmissionReview(body);
      if (!parsed.ok) return finish('malformed', malformedResponse(parsed.uid, parsed.message), 200, { uid: parsed.uid, error: parsed.message });
      const r = parsed.request;
      const fields = {
        uid: r.uid,
        kind: r.kind.kind,
        namespace: r.namespace ?? '',
        name: r.name ?? '',
        operation: r.operation,
        dryRun: r.dryRun === true,
        user: r.userInfo.username ?? '',
      };
      const reqLog = log.child({ webhook: w.name, uid: r.uid });
      try {
        const decision = await withDeadline((signal) => w.handler(r, { log: reqLog, lookupTopology, config, signal, ...(opts.kaiTopologyServed ? { kaiTopologyServed: opts.kaiTopologyServed } : {}) }), handlerTimeout, clientGone(reply));
        const response = decisionToResponse(r.uid, decision, w.kind);
        const outcome: Outcome = !response.allowed ? 'denied' : response.patch ? 'patched' : 'allowed';
        return finish(outcome, review(response), 200, {
          ...fields,
          allowed: response.allowed,
          ...(response.status ? { message: response.status.message } : {}),
          ...(response.warnings ? { warnings: response.warnings.length } : {}),
        });
      } catch (err) {
        return finish('error', internalErrorResponse(r.uid, err), 200, { ...fields, allowed: false, err });
      }
    });
  }
  return { app, state, metrics };
}

/**
 * Refuse a POST with 429 while the bodies already being handled plus its own would exceed `budget`
 * bytes. A body counts from the request's arrival until its response is sent or its connection
 * closes, at its Content-Length (or at `bodyLimit` when it declares none, since it may be that
 * large); one over `bodyLimit` is left to fastify's 413 and never read.
 */
function limitBodiesInFlight(app: FastifyInstance<HttpsServer>, budget: number, bodyLimit: number, log: Logger): void {
  let inFlight = 0;
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > bodyLimit) return;
    const cost = Number.isInteger(declared) && declared >= 0 ? declared : bodyLimit;
    if (inFlight + cost > budget) {
      const message =
        `too many admission requests at once: ${(inFlight / MiB).toFixed(1)} MiB of request bodies are being handled ` +
        `and this one adds ${(cost / MiB).toFixed(1)} MiB (limit ${(budget / MiB).toFixed(0)} MiB); retry shortly`;
      log.warn({ path: req.url.split('?')[0], inFlight, cost, budget }, 'admission request refused: too many bytes in flight');
      return reply.code(429).header('retry-after', '1').type('application/json').send(statusBody(429, 'TooManyRequests', message));
    }
    inFlight += cost;
    reply.raw.once('close', () => {
      inFlight -= cost;
    });
  });
}

/** A signal that fires when the connection closes before the response was sent (the apiserver gave up). */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection before the answer'));
  });
  return controller.signal;
}

function fingerprintOf(certPem: string): { fingerprint: string; notAfter: number } {
  const x = new X509Certificate(certPem);
  return { fingerprint: x.fingerprint256, notAfter: new Date(x.validTo).getTime() };
}

/** The host to put in a URL for a listen address (wildcards and loopback become 127.0.0.1, which the serving cert covers). */
export function urlHostFor(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Start listening. Resolves once the port is bound. */
export async function startWebhookServer(opts: WebhookServerOptions = {}): Promise<WebhookServer> {
  const log = opts.log ?? componentLogger('webhooks');
  const now = opts.now ?? (() => new Date());
  const ok = opts.tls ? servable(opts.tls.certPem, opts.tls.keyPem, now()) : { ok: true as const };
  if (!ok.ok) throw new Error(`initial certificate is not servable: ${ok.reason}`);
  const state: State = { cert: opts.tls ? fingerprintOf(opts.tls.certPem) : undefined };
  const { app, metrics } = buildWebhookApp({ ...opts, log, tls: opts.tls ?? placeholderCertificate(now()) }, state);
  if (state.cert) metrics.certExpiry.set(Math.floor(state.cert.notAfter / 1000));

  const host = opts.host ?? '0.0.0.0';
  await app.listen({ host, port: opts.port ?? DEFAULT_WEBHOOK_PORT });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_WEBHOOK_PORT);
  const urlHost = urlHostFor(host);
  log.info({ host, port, ready: state.cert !== undefined }, 'webhook server listening');

  return {
    port,
    url: `https://${urlHost}:${port}`,
    app,
    ready: () => state.cert !== undefined && state.cert.notAfter > now().getTime(),
    setCertificate(cert: ServingCertificate): void {
      const ok = servable(cert.certPem, cert.keyPem, now());
      if (!ok.ok) throw new Error(`refusing certificate: ${ok.reason}`);
      const fp = fingerprintOf(cert.certPem);
      if (state.cert?.fingerprint === fp.fingerprint) return;
      app.server.setSecureContext(serverTlsOptions(cert));
      state.cert = fp;
      metrics.certExpiry.set(Math.floor(fp.notAfter / 1000));
      metrics.certReloads.inc();
      log.info({ fingerprint: fp.fingerprint, notAfter: new Date(fp.notAfter).toISOString() }, 'serving certificate swapped');
    },
    close: () => app.close(),
  };
}
