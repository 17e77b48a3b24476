// The one HTTP path to kube-apiserver. Every request settles: a response, or a KubeError with a
// kind the caller can branch on (kube/errors.ts), never an uncaught exception in a stream callback
// and never a promise that hangs. Each request has a timeout and honours the caller's AbortSignal.
//
// @kubernetes/client-node is used for what it does well, reading a kubeconfig and producing auth
// material, but not for transport: its 1.4 `createAgent()` builds a fresh https.Agent (and a socket)
// for every request and watch (k8s-wire §4). Here one keep-alive agent serves the whole process;
// auth material is re-read every minute so rotated service-account tokens are picked up.
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError, kindFor, parseStatus } from './errors.js';
import { type Priority, TokenBucket } from './ratelimit.js';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path, already encoded (kube/paths.ts builds these from encoded segments). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request deadline; default `KubeHttpOptions.timeoutMs`. */
  timeoutMs?: number;
  /** Its lane at the client rate limiter; default `requestPriority`. */
  priority?: Priority;
}

/**
 * The rate-limiter lane of a request: Leases first (a leader that cannot renew loses its Lease and
 * every controller stops), status subresources and Events last (reports, where a later one
 * supersedes the earlier), everything else (creates, deletes, patches, reads) between.
 */
export function requestPriority(req: Pick<KubeRequest, 'method' | 'path'>): Priority {
  const path = req.path.split('?')[0] ?? '';
  if (/\/leases(\/|$)/.test(path)) return 'high';
  if (req.method !== 'GET' && (path.endsWith('/status') || /\/events(\/|$)/.test(path))) return 'low';
  return 'normal';
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

/** Observes every finished request (metrics); `code` is 0 when no HTTP answer came back. */
export type RequestObserver = (verb: string, path: string, code: number, seconds: number) => void;

export interface KubeHttpOptions {
  /** Default deadline of a non-streaming request. */
  timeoutMs?: number;
  /** Client-side rate limit (as client-go's QPS/Burst); 0 disables it. */
  qps?: number;
  burst?: number;
  observe?: RequestObserver;
  /** How long resolved auth material is reused before the kubeconfig is asked again. */
  authRefreshMs?: number;
}

interface Auth {
  base: URL;
  tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;
  headers: Record<string, string>;
  agent: HttpsAgent | HttpAgent;
  resolvedAt: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Builds a query string, dropping undefined values. */
export function queryString(query: KubeRequest['query']): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function sameTls(a: Auth['tls'], b: Auth['tls']): boolean {
  const key = (t: Auth['tls']) => [t.ca, t.cert, t.key, t.servername, t.rejectUnauthorized].map((v) => String(v)).join('\0');
  return key(a) === key(b);
}

/** Combines the caller's signal with a deadline; `reason` tells the two apart afterwards. */
function deadline(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timer = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timer]) : timer;
}

function abortError(signal: AbortSignal, what: string): KubeError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
  const msg = timedOut ? `${what}: timed out` : `${what}: aborted`;
  return new KubeError('Transient', 0, msg, undefined, undefined, { cause: reason });
}

function errorFromResponse(status: number, text: string, what: string, headers: IncomingMessage['headers']): KubeError {
  const st = parseStatus(text);
  const retryHeader = Number(headers['retry-after']);
  const retry = st?.details?.retryAfterSeconds ?? (Number.isFinite(retryHeader) ? retryHeader : undefined);
  const prefix = st?.reason ? `${st.reason} (${status})` : `HTTP ${status}`;
  return new KubeError(kindFor(status, st?.reason), status, `${prefix}: ${st?.message ?? what}`, st, retry);
}

/**
 * What KubeHttp needs of a kubeconfig: the server and the auth material. A client-node KubeConfig is
 * one; `copse initc` brings a lighter one (initc/auth.ts) so it need not load client-node at all.
 */
export type KubeAuthSource = Pick<KubeConfig, 'getCurrentCluster' | 'applyToHTTPSOptions'>;

export class KubeHttp {
  private auth: Auth | undefined;
  private authPending: Promise<Auth> | undefined;
  private readonly limiter: TokenBucket | undefined;
  private readonly timeoutMs: number;
  private readonly authRefreshMs: number;

  constructor(
    readonly kc: KubeAuthSource,
    private readonly opts: KubeHttpOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.authRefreshMs = opts.authRefreshMs ?? 60_000;
    const qps = opts.qps ?? 0;
    this.limiter = qps > 0 ? new TokenBucket(qps, opts.burst ?? Math.ceil(qps * 1.5)) : undefined;
  }

  /** The server URL of the current context. */
  get server(): string {
    const c = this.kc.getCurrentCluster();
    if (!c) throw new KubeError('Invalid', 0, 'kubeconfig has no current cluster', undefined, undefined);
    return c.server;
  }

  private async resolveAuth(): Promise<Auth> {
    const now = Date.now();
    if (this.auth && now - this.auth.resolvedAt < this.authRefreshMs) return this.auth;
    this.authPending ??= (async () => {
      const scratch: RequestOptions & { headers?: Record<string, string> } = { headers: {} };
      await this.kc.applyToHTTPSOptions(scratch);
      // client-node created an agent for us; we never use it (see the header comment).
      (scratch.agent as HttpsAgent | undefined)?.destroy();
      const base = new URL(this.server);
      const tls: Auth['tls'] = {
        ...(scratch.ca ? { ca: scratch.ca } : {}),
        ...(scratch.cert ? { cert: scratch.cert } : {}),
        ...(scratch.key ? { key: scratch.key } : {}),
        ...(scratch.servername ? { servername: scratch.servername } : {}),
        ...(scratch.rejectUnauthorized !== undefined ? { rejectUnauthorized: scratch.rejectUnauthorized } : {}),
      };
      const headers = Object.fromEntries(Object.entries(scratch.headers ?? {}).map(([k, v]) => [k, String(v)]));
      const prev = this.auth;
      let agent: Auth['agent'];
      if (prev && sameTls(prev.tls, tls)) agent = prev.agent;
      else {
        agent = base.protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true, ...tls });
        // Sockets of a replaced agent finish their requests and close when idle.
        if (prev) setTimeout(() => prev.agent.destroy(), 60_000).unref();
      }
      this.auth = { base, tls, headers, agent, resolvedAt: Date.now() };
      return this.auth;
    })().finally(() => (this.authPending = undefined));
    return this.authPending;
  }

  private async open(req: KubeRequest, signal: AbortSignal, accept: string): Promise<IncomingMessage> {
    const auth = await this.resolveAuth();
    const url = new URL(auth.base.pathname.replace(/\/$/, '') + req.path + queryString(req.query), auth.base);
    const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = { ...auth.headers, Accept: accept };
    if (payload !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolveOpen, reject) => {
      if (signal.aborted) return reject(abortError(signal, `${req.method} ${req.path}`));
      const r = send(url, { method: req.method, headers, agent: auth.agent, ...auth.tls, signal }, resolveOpen);
      r.on('error', (err) => reject(signal.aborted ? abortError(signal, `${req.method} ${req.path}`) : networkError(err, req)));
      r.end(payload);
    });
  }

  /** One request/response. Resolves with the parsed JSON body for 2xx; throws KubeError otherwise. */
  async request(req: KubeRequest): Promise<KubeResponse> {
    if (this.limiter) await this.limiter.take(req.signal, req.priority ?? requestPriority(req));
    const started = process.hrtime.bigint();
    const signal = deadline(req.signal, req.timeoutMs ?? this.timeoutMs);
    let code = 0;
    try {
      const res = await this.open(req, signal, 'application/json');
      code = res.statusCode ?? 0;
      const text = await readAll(res, signal, `${req.method} ${req.path}`);
      if (code < 200 || code >= 300) throw errorFromResponse(code, text, `${req.method} ${req.path}`, res.headers);
      return { status: code, body: parseBody(text, req) };
    } catch (err) {
      if (!req.signal?.aborted && signal.aborted) this.dropIdleConnections();
      throw err;
    } finally {
      this.opts.observe?.(req.method, req.path, code, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /**
   * A streaming GET (watch): calls `onLine` for every newline-delimited line until the server
   * closes the stream (resolves), the signal fires (resolves: the caller asked for it), or the
   * connection fails (rejects with a KubeError). A non-2xx answer rejects with its Status.
   */
  async stream(req: Omit<KubeRequest, 'method' | 'body'>, onLine: (line: string) => void): Promise<void> {
    if (this.limiter) await this.limiter.take(req.signal, req.priority ?? requestPriority({ ...req, method: 'GET' }));
    const signal = req.signal ?? new AbortController().signal;
    const res = await this.open({ ...req, method: 'GET' }, signal, 'application/json');
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      const text = await readAll(res, deadline(signal, this.timeoutMs), `GET ${req.path}`);
      throw errorFromResponse(code, text, `watch ${req.path}`, res.headers);
    }
    await new Promise<void>((resolveStream, reject) => {
      let buf = '';
      let failed: unknown;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (failed !== undefined) return;
        buf += chunk;
        let nl: number;
        try {
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim()) onLine(line);
          }
        } catch (err) {
          // A line the caller refuses (an in-stream error event, say) ends the stream with its error.
          failed = err;
          res.destroy();
          reject(err instanceof KubeError ? err : new KubeError('Transient', 0, `watch ${req.path}: ${String(err)}`, undefined, undefined, { cause: err }));
        }
      });
      res.on('end', () => resolveStream());
      res.on('error', (err) => (signal.aborted ? resolveStream() : reject(networkError(err, { method: 'GET', path: req.path }))));
      res.on('close', () => (signal.aborted || res.complete ? resolveStream() : reject(new KubeError('Transient', 0, `watch ${req.path}: connection closed`, undefined, undefined))));
    });
  }

  /**
   * Destroys the pooled keep-alive sockets that no request is using. A stalled watch or a timed-out
   * request says the path to the server may be half-open (a hung proxy, a dropped NAT entry): its
   * idle siblings in the pool are then suspect too, and reusing one would hang the next request for
   * a whole timeout. In-flight requests keep their sockets and their own deadlines.
   */
  dropIdleConnections(): number {
    const agent = this.auth?.agent;
    if (!agent) return 0;
    let n = 0;
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const s of sockets ?? []) {
        s.destroy();
        n++;
      }
    }
    return n;
  }

  /** Closes idle keep-alive sockets (tests and shutdown). */
  close(): void {
    this.auth?.agent.destroy();
    this.auth = undefined;
  }
}

function networkError(err: Error, req: Pick<KubeRequest, 'method' | 'path'>): KubeError {
  return new KubeError('Transient', 0, `${req.method} ${req.path}: ${err.message}`, undefined, undefined, { cause: err });
}

function readAll(res: IncomingMessage, signal: AbortSignal, what: string): Promise<string> {
  return new Promise((resolveRead, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolveRead(text));
    res.on('error', (err) => reject(signal.aborted ? abortError(signal, what) : new KubeError('Transient', 0, `${what}: ${err.message}`, undefined, undefined, { cause: err })));
    res.on('close', () => {
      if (!res.complete) reject(signal.aborted ? abortError(signal, what) : new KubeError('Transient', 0, `${what}: response truncated`, undefined, undefined));
    });
  });
}

/** A 2xx body that is not JSON is a broken proxy or server, not a crash: a typed error. */
function parseBody(text: string, req: Pick<KubeRequest, 'method' | 'path'>): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return failBody(text, req);
  }
}

function failBody(text: string, req: Pick<KubeRequest, 'method' | 'path'>): never {
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  throw new KubeError('Transient', 0, `${req.method} ${req.path}: response is not JSON: ${JSON.stringify(excerpt)}`, undefined, undefined);
}
