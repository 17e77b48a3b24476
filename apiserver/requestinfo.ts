// What a request asks for, from its method, path and query (apiserver pkg/endpoints/request/
// requestinfo.go, restricted to what this server serves). Pure: the handler and the authorizer both
// read the result, so the attributes authorized are exactly the ones served.
//
// A path is split on `/` before its segments are percent-decoded, so an encoded slash stays inside
// one segment (a name) and can never move the request to another route.
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from './selectors.js';
import { badRequest, methodNotSupported, routeNotFound, type ApiError } from './status.js';
import { GROUP, VERSION, servedResource, type ServedResource } from './resources.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type RequestInfo =
  | { kind: 'health'; check: 'healthz' | 'livez' | 'readyz' }
  | { kind: 'discovery'; level: 'root' | 'group' | 'version' }
  | { kind: 'openapi'; path: string }
  | ({ kind: 'resource' } & ResourceRequest);

export interface ResourceRequest {
  verb: Verb;
  resource: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: ResourceQuery;
}

export interface ResourceQuery {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** Unset, "" and "0" mean "now" (with synthetic ADDED events for a watch). */
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  includeObject: 'None' | 'Metadata' | 'Object';
  /** Chunked lists: at most this many items (0 or unset: all). Ignored by watch and get. */
  limit?: number;
  continue?: string;
  /** The selectors as sent, which (with the path) identify a list for its continue tokens. */
  selectors: string;
}

const WRITE_VERBS: Readonly<Record<string, Verb>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`invalid path segment ${JSON.stringify(raw.slice(0, 100))}: malformed percent-encoding`);
  }
}

/** Go's strconv.ParseBool, as the apiserver reads boolean query parameters. */
function parseBool(name: string, v: string | null): boolean {
  if (v === null) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(v)) return false;
  throw badRequest(`invalid value for query parameter ${name}: ${JSON.stringify(v.slice(0, 100))} is not a boolean`);
}

function parseNonNegativeInt(name: string, v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`invalid value for query parameter ${name}: ${JSON.stringify(v.slice(0, 100))} is not a non-negative integer`);
  return Number(v);
}

/** limit and continue of a chunked list (pager.ts). */
function paging(q: URLSearchParams): Pick<ResourceQuery, 'limit' | 'continue'> {
  const limit = parseNonNegativeInt('limit', q.get('limit'));
  const cont = q.get('continue');
  return { ...(limit !== undefined ? { limit } : {}), ...(cont !== null && cont !== '' ? { continue: cont } : {}) };
}

function parseQuery(q: URLSearchParams): ResourceQuery & { watch: boolean } {
  const includeObject = q.get('includeObject') ?? 'Metadata';
  if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object' && includeObject !== '') {
    throw badRequest(`invalid value for query parameter includeObject: ${JSON.stringify(includeObject.slice(0, 100))} (must be None, Metadata or Object)`);
  }
  const rv = q.get('resourceVersion');
  const timeoutSeconds = parseNonNegativeInt('timeoutSeconds', q.get('timeoutSeconds'));
  return {
    watch: parseBool('watch', q.get('watch')),
    labelSelector: parseLabelSelector(q.get('labelSelector') ?? ''),
    fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? ''),
    ...(rv !== null ? { resourceVersion: rv } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    allowWatchBookmarks: parseBool('allowWatchBookmarks', q.get('allowWatchBookmarks')),
    includeObject: includeObject === '' ? 'Metadata' : includeObject,
    ...paging(q),
    selectors: JSON.stringify([q.get('labelSelector') ?? '', q.get('fieldSelector') ?? '']),
  };
}

function splitUrl(url: string): { segments: string[]; query: URLSearchParams } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (!path.startsWith('/')) throw badRequest('the request path must be absolute');
  // `/apis/g/v/` means the same as `/apis/g/v`; empty segments elsewhere name nothing.
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return { segments: trimmed === '/' ? [] : trimmed.slice(1).split('/').map(decodeSegment), query };
}

function verbFor(method: string, hasName: boolean, watch: boolean): Verb {
  if (method === 'GET') return watch ? 'watch' : hasName ? 'get' : 'list';
  const write = WRITE_VERBS[method];
  if (write === 'delete' && !hasName) return 'deletecollection';
  if (write) return write;
  throw methodNotSupported(method.toLowerCase(), undefined);
}

function nonEmpty(segments: readonly string[]): void {
  if (segments.some((s) => s === '')) throw routeNotFound();
}

/** The resource part after `/apis/<group>/<version>/`. */
function resourceRequest(method: string, rest: string[], query: URLSearchParams): ResourceRequest {
  nonEmpty(rest);
  let parts = rest;
  let legacyWatch = false;
  if (parts[0] === 'watch') {
    legacyWatch = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [resourceName, name, subresource, ...extra] = parts;
  const resource = servedResource(resourceName ?? '');
  if (!resource || extra.length > 0) throw routeNotFound();
  // A cluster-scoped resource has no namespaced path; a namespaced one names objects only inside a
  // namespace (without one, the path is the all-namespaces collection).
  if (!resource.namespaced && namespace !== undefined) throw routeNotFound();
  if (resource.namespaced && namespace === undefined && name !== undefined) throw routeNotFound();
  if (subresource !== undefined && !resource.subresources.includes(subresource)) throw routeNotFound();
  const q = parseQuery(query);
  const watch = legacyWatch || q.watch;
  const verb = verbFor(method, name !== undefined, watch);
  if (verb === 'watch' && subresource !== undefined) throw methodNotSupported('watch', `${resource.name}/${subresource}`);
  const { watch: _w, ...rq } = q;
  return {
    verb,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    query: rq,
  };
}

/** Parse a request; throws ApiError (400, 404, 405) for what no route serves. */
export function requestInfo(method: string, url: string): RequestInfo {
  const { segments, query } = splitUrl(url);
  const [first, second, third, ...rest] = segments;
  if (segments.length === 1 && (first === 'healthz' || first === 'livez' || first === 'readyz')) {
    if (method !== 'GET') throw methodNotSupported(method.toLowerCase(), undefined);
    return { kind: 'health', check: first };
  }
  if (first === 'openapi') {
    if (method !== 'GET') throw methodNotSupported(method.toLowerCase(), undefined);
    return { kind: 'openapi', path: `/${segments.join('/')}` };
  }
  if (first !== 'apis') throw routeNotFound();
  if (second === undefined || (second === GROUP && third === undefined) || (second === GROUP && third === VERSION && rest.length === 0)) {
    if (method !== 'GET') throw methodNotSupported(method.toLowerCase(), undefined);
    return { kind: 'discovery', level: second === undefined ? 'root' : third === undefined ? 'group' : 'version' };
  }
  if (second !== GROUP || third !== VERSION) throw routeNotFound();
  return { kind: 'resource', ...resourceRequest(method, rest, query) };
}

/** The name a request is about, for authorization: the path's, else a `metadata.name=` field selector's. */
export function authorizedName(r: ResourceRequest): string | undefined {
  return r.name ?? r.query.fieldSelector.exactName();
}

export type { ApiError };
