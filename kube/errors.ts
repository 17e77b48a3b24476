// The one place that turns @kubernetes/client-node failures into something callers can branch on
// (style §7.8). client-node 1.x throws `ApiException{code, body, headers}` where `body` is the raw
// response text (k8s-wire §4), so the Status is parsed here. Network-level failures (connection
// refused, reset, TLS, DNS) never reach the apiserver and are Transient. ApiException is recognised
// by its shape, not its class, so this module does not load client-node (1.5 s of CPU at start-up,
// which `copse initc` must not pay).

export type KubeErrorKind =
  | 'NotFound' // 404
  | 'Conflict' // 409 reason Conflict (stale resourceVersion / SSA conflict)
  | 'AlreadyExists' // 409 reason AlreadyExists
  | 'Gone' // 410 (Gone / Expired: too-old resourceVersion; relist)
  | 'Invalid' // 422, and 400 BadRequest / 415 UnsupportedMediaType: retrying the same request cannot help
  | 'Forbidden' // 403, and 401 Unauthorized
  | 'Transient'; // 429, 5xx, timeouts and network errors: retry with backoff

/** The subset of metav1.Status we read. */
export interface KubeStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

export class KubeError extends Error {
  override readonly name = 'KubeError';

  constructor(
    readonly kind: KubeErrorKind,
    /** HTTP status, 0 when the request never got an answer. */
    readonly code: number,
    message: string,
    readonly status: KubeStatus | undefined,
    readonly retryAfterSeconds: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown for problems retrying cannot fix (controller-runtime's TerminalError). */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export function parseStatus(body: unknown): KubeStatus | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  let v: unknown = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body);
    } catch {
      return { message: body.slice(0, 1000) };
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return v as KubeStatus;
}

/** Map an HTTP code and Status reason onto a kind. Exported for tests and for non-client callers. */
export function kindFor(code: number, reason: string | undefined): KubeErrorKind {
  switch (code) {
    case 404:
      return 'NotFound';
    case 409:
      return reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
    case 410:
      return 'Gone';
    case 400:
    case 405:
    case 406:
    case 413:
    case 415:
    case 422:
      return 'Invalid';
    case 401:
    case 403:
      return 'Forbidden';
    default:
      return 'Transient';
  }
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** What client-node's ApiException carries. */
interface ApiExceptionLike {
  code: number;
  body: unknown;
  message?: string;
  headers?: Record<string, string>;
}

function fromApiException(e: ApiExceptionLike): KubeError {
  const status = parseStatus(e.body);
  const code = typeof e.code === 'number' ? e.code : (asNumber(status?.code) ?? 0);
  const kind = kindFor(code, status?.reason);
  const retry = asNumber(status?.details?.retryAfterSeconds) ?? asNumber(headerValue(e.headers, 'retry-after'));
  const text = status?.message ?? (code === 401 ? 'Unauthorized' : e.message || `HTTP ${code}`);
  const prefix = status?.reason ? `${status.reason} (${code})` : `HTTP ${code}`;
  return new KubeError(kind, code, `${prefix}: ${text}`, status, retry, { cause: e });
}

/** Turn anything thrown by a client-node call into a KubeError (idempotent). */
export function toKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  // client-node's ApiException (from any copy of the library): {code:number, body}.
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number' && 'body' in err) {
    const e = err as ApiExceptionLike;
    return fromApiException(e);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KubeError('Transient', 0, message, undefined, undefined, { cause: err });
}

export function errorKind(err: unknown): KubeErrorKind {
  return toKubeError(err).kind;
}

export const isNotFound = (err: unknown): boolean => errorKind(err) === 'NotFound';
export const isConflict = (err: unknown): boolean => errorKind(err) === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean => errorKind(err) === 'AlreadyExists';
export const isGone = (err: unknown): boolean => errorKind(err) === 'Gone';
export const isInvalid = (err: unknown): boolean => errorKind(err) === 'Invalid';
export const isForbidden = (err: unknown): boolean => errorKind(err) === 'Forbidden';
export const isTransient = (err: unknown): boolean => errorKind(err) === 'Transient';

/** Run a read; NotFound becomes `undefined`, anything else is rethrown as a KubeError. */
export async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    const ke = toKubeError(err);
    if (ke.kind === 'NotFound') return undefined;
    throw ke;
  }
}
