// AdmissionReview v1 on the wire (k8s-wire §2.1) and the pure translation between it and a
// handler's decision. The server (server.ts) only moves bytes; everything that decides what a
// response looks like is here so it can be unit-tested without sockets.
//
// Rules enforced here (violating any of them makes the apiserver treat the call as failed and
// apply failurePolicy, i.e. reject the user's request with a 500 "failed calling webhook"):
//  - the response echoes request.uid, with apiVersion/kind exactly admission.k8s.io/v1 AdmissionReview;
//  - validating responses carry no `patch`/`patchType` keys at all, not even empty;
//  - mutating responses carry both `patchType: "JSONPatch"` and a base64 RFC 6902 patch, or neither.
import { formatFieldErrors, toStatusCauses, type FieldError, type StatusCause } from '../api/field-errors.js';
import { isObject } from '../api/json.js';
import { encodePatch, type JsonPatchOp } from '../api/jsonpatch.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  /** The object being admitted; null/absent for DELETE. Validated to be a JSON object for CREATE/UPDATE. */
  object?: Record<string, unknown> | null;
  /** The previous object; present for UPDATE (and DELETE). */
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
  options?: unknown;
}

export interface AdmissionStatus {
  metadata: Record<string, never>;
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
  details?: { causes: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReview {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export type WebhookKind = 'mutating' | 'validating';

// ------------------------------------------------------------------------------------------------
// Decisions (what handlers return)

export type DenyReason = 'Forbidden' | 'Invalid' | 'BadRequest' | 'InternalError';

const REASON_CODE: Readonly<Record<DenyReason, number>> = { Forbidden: 403, Invalid: 422, BadRequest: 400, InternalError: 500 };

export type AdmissionDecision =
  | { allowed: true; patch?: JsonPatchOp[]; warnings?: string[] }
  | {
      allowed: false;
      /** Field errors: the message is their aggregate text and each becomes a details.causes entry. */
      errors?: readonly FieldError[];
      /** Used when there are no field errors. */
      message?: string;
      reason?: DenyReason;
      warnings?: string[];
    };

export function allow(opts: { patch?: JsonPatchOp[]; warnings?: string[] } = {}): AdmissionDecision {
  return { allowed: true, ...(opts.patch?.length ? { patch: opts.patch } : {}), ...(opts.warnings?.length ? { warnings: opts.warnings } : {}) };
}

/**
 * Deny with field errors. The default reason is Forbidden (HTTP 403), which is what Grove's
 * controller-runtime handlers produce (`admission.Denied`), so kubectl prints the same
 * `Error from server (Forbidden): ... admission webhook "<name>" denied the request: <errors>`.
 */
export function denyFieldErrors(errors: readonly FieldError[], warnings?: string[], reason: DenyReason = 'Forbidden'): AdmissionDecision {
  return { allowed: false, errors, reason, ...(warnings?.length ? { warnings } : {}) };
}

export function deny(message: string, reason: DenyReason = 'Forbidden', warnings?: string[]): AdmissionDecision {
  return { allowed: false, message, reason, ...(warnings?.length ? { warnings } : {}) };
}

function failureStatus(reason: DenyReason, message: string, causes?: StatusCause[]): AdmissionStatus {
  return {
    metadata: {},
    status: 'Failure',
    code: REASON_CODE[reason],
    reason,
    message,
    ...(causes?.length ? { details: { causes } } : {}),
  };
}

function cleanWarnings(w: unknown): string[] | undefined {
  if (!Array.isArray(w)) return undefined;
  const out = w.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return out.length ? out : undefined;
}

/** Turn a decision into the `response` object for this kind of webhook. */
export function decisionToResponse(uid: string, decision: AdmissionDecision, kind: WebhookKind): AdmissionResponse {
  const warnings = cleanWarnings(decision.warnings);
  if (decision.allowed) {
    const res: AdmissionResponse = { uid, allowed: true };
    // Only a mutating webhook may return a patch, and only when it changes something.
    if (kind === 'mutating' && decision.patch && decision.patch.length > 0) {
      res.patchType = 'JSONPatch';
      res.patch = encodePatch(decision.patch);
    }
    if (warnings) res.warnings = warnings;
    return res;
  }
  const errors = decision.errors ?? [];
  const reason = decision.reason ?? 'Forbidden';
  const message = errors.length ? formatFieldErrors(errors) : decision.message || reason;
  const res: AdmissionResponse = { uid, allowed: false, status: failureStatus(reason, message, errors.length ? toStatusCauses(errors) : undefined) };
  if (warnings) res.warnings = warnings;
  return res;
}

export function review(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

// ------------------------------------------------------------------------------------------------
// Parsing and checking the request

export type ParsedReview = { ok: true; request: AdmissionRequest } | { ok: false; uid: string; message: string };

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function checkGvk(v: unknown, field: string): string | undefined {
  if (!isObject(v)) return `${field} must be an object with group, version and kind (got ${describe(v)})`;
  for (const k of ['group', 'version', 'kind']) {
    if (typeof v[k] !== 'string') return `${field}.${k} must be a string`;
  }
  return undefined;
}

function checkOptionalTypes(r: Record<string, unknown>): string | undefined {
  for (const k of ['name', 'namespace', 'subResource']) {
    if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string') return `request.${k} must be a string`;
  }
  if (r['dryRun'] !== undefined && r['dryRun'] !== null && typeof r['dryRun'] !== 'boolean') return 'request.dryRun must be a boolean';
  return undefined;
}

function checkObjects(op: string, r: Record<string, unknown>): string | undefined {
  if ((op === 'CREATE' || op === 'UPDATE') && !isObject(r['object'])) {
    return `request.object must be a JSON object for ${op} (got ${describe(r['object'])})`;
  }
  if (op === 'UPDATE' && !isObject(r['oldObject'])) return `request.oldObject must be a JSON object for UPDATE (got ${describe(r['oldObject'])})`;
  return undefined;
}

function checkRequest(r: Record<string, unknown>): string | undefined {
  if (typeof r['uid'] !== 'string' || r['uid'] === '') return 'request.uid must be a non-empty string';
  const op = r['operation'];
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
    return `request.operation must be one of ${OPERATIONS.join(', ')} (got ${JSON.stringify(op) ?? 'nothing'})`;
  }
  return checkGvk(r['kind'], 'request.kind') ?? checkOptionalTypes(r) ?? checkObjects(op, r);
}

/**
 * Check a decoded body. Problems come back with whatever uid could be found so the caller can
 * answer with a 200 AdmissionReview denial naming the problem.
 */
export function parseAdmissionReview(body: unknown): ParsedReview {
  if (!isObject(body)) return { ok: false, uid: '', message: `AdmissionReview must be a JSON object (got ${describe(body)})` };
  const req = body['request'];
  const uid = isObject(req) && typeof req['uid'] === 'string' ? req['uid'] : '';
  if (body['apiVersion'] !== ADMISSION_API_VERSION || body['kind'] !== ADMISSION_KIND) {
    return {
      ok: false,
      uid,
      message: `unsupported ${JSON.stringify(body['apiVersion'] ?? '')}/${JSON.stringify(body['kind'] ?? '')}: only ${ADMISSION_API_VERSION} ${ADMISSION_KIND} is served`,
    };
  }
  if (!isObject(req)) return { ok: false, uid, message: `AdmissionReview has no request object (got ${describe(req)})` };
  const problem = checkRequest(req);
  if (problem) return { ok: false, uid, message: problem };
  const request = req as unknown as AdmissionRequest;
  if (!isObject(request.userInfo)) request.userInfo = {};
  return { ok: true, request };
}

/** The denial sent for a body we could decode but not use. */
export function malformedResponse(uid: string, message: string): AdmissionReview {
  return review({ uid, allowed: false, status: failureStatus('BadRequest', `malformed AdmissionReview: ${message}`) });
}

/** The denial sent when a handler throws: the request is refused, never a 500. */
export function internalErrorResponse(uid: string, err: unknown): AdmissionReview {
  const msg = err instanceof Error ? err.message : String(err);
  return review({ uid, allowed: false, status: failureStatus('InternalError', `internal error: ${msg}`) });
}
