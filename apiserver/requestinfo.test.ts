import { describe, expect, it } from 'vitest';

import { authorizedName, requestInfo, type RequestInfo } from './requestinfo.js';
import { ApiError } from './status.js';

const BASE = '/apis/live.copse.io/v1alpha1';

function resource(method: string, url: string) {
  const r = requestInfo(method, url);
  if (r.kind !== 'resource') throw new Error(`not a resource request: ${r.kind}`);
  return r;
}

/** The Status a request is refused with: code, reason, message. */
function refusal(method: string, url: string): [number, string, string] {
  try {
    requestInfo(method, url);
  } catch (e) {
    if (e instanceof ApiError) return [e.code, e.status.reason, e.status.message];
    throw e;
  }
  throw new Error(`${method} ${url} was accepted`);
}

describe('requestInfo: routes', () => {
  it.each<[string, RequestInfo]>([
    ['/healthz', { kind: 'health', check: 'healthz' }],
    ['/readyz', { kind: 'health', check: 'readyz' }],
    ['/apis', { kind: 'discovery', level: 'root' }],
    ['/apis/live.copse.io', { kind: 'discovery', level: 'group' }],
    [`${BASE}/`, { kind: 'discovery', level: 'version' }],
    ['/openapi/v3', { kind: 'openapi', path: '/openapi/v3' }],
  ])('GET %s', (url, want) => {
    expect(requestInfo('GET', url)).toEqual(want);
  });

  it('reads verb, namespace, name and subresource', () => {
    const r = resource('GET', `${BASE}/namespaces/ns/podcliquesets/inf/status`);
    expect([r.verb, r.resource.name, r.namespace, r.name, r.subresource]).toEqual(['get', 'podcliquesets', 'ns', 'inf', 'status']);
    expect(resource('GET', `${BASE}/podcliquesets`).verb).toBe('list');
    expect(resource('GET', `${BASE}/namespaces/ns/podcliquesets?watch=true`).verb).toBe('watch');
    expect(resource('GET', `${BASE}/watch/namespaces/ns/podcliquesets`).verb).toBe('watch');
    expect(resource('GET', `${BASE}/topologydomains/rack.r1`).name).toBe('rack.r1');
  });

  it.each([
    ['POST', `${BASE}/namespaces/ns/podcliquesets`, 'create'],
    ['PUT', `${BASE}/namespaces/ns/podcliquesets/inf`, 'update'],
    ['PATCH', `${BASE}/namespaces/ns/podcliquesets/inf/status`, 'patch'],
    ['DELETE', `${BASE}/namespaces/ns/podcliquesets/inf`, 'delete'],
    ['DELETE', `${BASE}/namespaces/ns/podcliquesets`, 'deletecollection'],
  ])('%s %s is verb %s (refused later, after authorization)', (method, url, verb) => {
    expect(resource(method, url).verb).toBe(verb);
  });

  it('keeps an encoded slash inside the name', () => {
    expect(resource('GET', `${BASE}/namespaces/ns/podcliquesets/a%2Fb`).name).toBe('a/b');
  });

  it('reads the query: selectors, resourceVersion, timeout, bookmarks', () => {
    const q = resource('GET', `${BASE}/namespaces/ns/podcliquesets?watch=1&labelSelector=app%3Dx&fieldSelector=metadata.name%3Dinf&resourceVersion=0&timeoutSeconds=30&allowWatchBookmarks=true`).query;
    expect([q.resourceVersion, q.timeoutSeconds, q.allowWatchBookmarks, q.includeObject]).toEqual(['0', 30, true, 'Metadata']);
    expect(q.labelSelector.matches({ app: 'x' })).toBe(true);
    expect(q.labelSelector.matches({ app: 'y' })).toBe(false);
    expect(q.fieldSelector.exactName()).toBe('inf');
  });

  it('authorizes a field-selected watch on the one name it pins', () => {
    expect(authorizedName(resource('GET', `${BASE}/namespaces/ns/podcliquesets?watch=true&fieldSelector=metadata.name%3Dinf`))).toBe('inf');
    expect(authorizedName(resource('GET', `${BASE}/namespaces/ns/podcliquesets/x`))).toBe('x');
    expect(authorizedName(resource('GET', `${BASE}/namespaces/ns/podcliquesets`))).toBeUndefined();
  });
});

describe('requestInfo: refusals are Status errors naming the problem', () => {
  it.each<[string, string, [number, string, string]]>([
    ['GET', '/api/v1/pods', [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', '/apis/grove.io/v1alpha1/podcliquesets', [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/pods`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/namespaces/ns/topologydomains`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/podcliquesets/inf`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/namespaces/ns/podcliquesets/inf/scale`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/namespaces/ns/podcliquesets/inf/status/x`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/namespaces//podcliquesets`, [404, 'NotFound', 'the server could not find the requested resource']],
    ['GET', `${BASE}/namespaces/ns/podcliquesets/%E0%A4%A`, [400, 'BadRequest', 'invalid path segment "%E0%A4%A": malformed percent-encoding']],
    ['GET', `${BASE}/podcliquesets?watch=yes`, [400, 'BadRequest', 'invalid value for query parameter watch: "yes" is not a boolean']],
    ['GET', `${BASE}/podcliquesets?timeoutSeconds=-1`, [400, 'BadRequest', 'invalid value for query parameter timeoutSeconds: "-1" is not a non-negative integer']],
    ['GET', `${BASE}/podcliquesets?limit=ten`, [400, 'BadRequest', 'invalid value for query parameter limit: "ten" is not a non-negative integer']],
    ['GET', `${BASE}/podcliquesets?includeObject=All`, [400, 'BadRequest', 'invalid value for query parameter includeObject: "All" (must be None, Metadata or Object)']],
    ['GET', `${BASE}/podcliquesets?labelSelector=a%3D%3D%3D`, [400, 'BadRequest', 'unable to parse requirement: expected a value, found "="']],
    ['GET', `${BASE}/podcliquesets?fieldSelector=spec.x%3D1`, [400, 'BadRequest', 'field label not supported: "spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"']],
    ['GET', `${BASE}/namespaces/ns/podcliquesets/inf/status?watch=true`, [405, 'MethodNotAllowed', 'watch is not supported on resources of kind "podcliquesets/status.live.copse.io"']],
    ['POST', '/healthz', [405, 'MethodNotAllowed', 'post is not supported on this path']],
    ['DELETE', BASE, [405, 'MethodNotAllowed', 'delete is not supported on this path']],
    ['OPTIONS', `${BASE}/podcliquesets`, [405, 'MethodNotAllowed', 'options is not supported on this path']],
    ['GET', 'apis', [400, 'BadRequest', 'the request path must be absolute']],
  ])('%s %s', (method, url, want) => {
    expect(refusal(method, url)).toEqual(want);
  });
});
