// metav1.Status errors with Kubernetes' reasons, codes and message formats (apimachinery
// pkg/api/errors; k8s-wire §1.9), so kubectl prints `Error from server (NotFound): ...` exactly as it
// does for built-in resources. Every failure the server returns goes through here.
import { GROUP } from './resources.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: empty but for the remainder token of an expired continue. */
  metadata: { continue?: string };
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number };
  code: number;
}

/** An error that carries the Status to answer with. */
export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message);
  }

  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** `podcliquesets.live.copse.io "x" not found`. */
export function notFound(resource: string, name: string): ApiError {
  return failure(404, 'NotFound', `${resource}.${GROUP} "${name}" not found`, { name, group: GROUP, kind: resource });
}

/** A path that names nothing this server serves. */
export function routeNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** `create is not supported on resources of kind "podcliquesets.live.copse.io"`. */
export function methodNotSupported(verb: string, resource: string | undefined): ApiError {
  const what = resource ? `resources of kind "${resource}.${GROUP}"` : 'this path';
  return failure(405, 'MethodNotAllowed', `${verb} is not supported on ${what}`, resource ? { group: GROUP, kind: resource } : undefined);
}

export function notAcceptable(accept: string): ApiError {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: application/json; the request asked for ${JSON.stringify(accept.slice(0, 200))}`);
}

/** 410 Expired: the resourceVersion is older than the server remembers (or from another server). */
export function expired(message: string, remainder?: string): ApiError {
  const err = failure(410, 'Expired', message);
  if (remainder !== undefined) err.status.metadata = { continue: remainder };
  return err;
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): ApiError {
  return failure(503, 'ServiceUnavailable', message, { retryAfterSeconds: 1 });
}

export interface ForbiddenAttributes {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * Kubernetes' forbidden message (apiserver pkg/endpoints/handlers/responsewriters/errors.go):
 * `podcliquesets.live.copse.io "x" is forbidden: User "u" cannot get resource "podcliquesets/status"
 * in API group "live.copse.io" in the namespace "ns"[: reason]`; without a name, no `"x"`.
 */
export function forbidden(a: ForbiddenAttributes, reason: string | undefined): ApiError {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const tail = reason ? `: ${reason}` : '';
  const subject = a.name ? `${a.resource}.${GROUP} "${a.name}"` : `${a.resource}.${GROUP}`;
  const message = `${subject} is forbidden: User "${a.user}" cannot ${a.verb} resource "${res}" in API group "${GROUP}" ${where}${tail}`;
  return failure(403, 'Forbidden', message, { name: a.name ?? '', group: GROUP, kind: a.resource });
}
