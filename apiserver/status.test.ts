import { describe, expect, it } from 'vitest';

import { badRequest, expired, forbidden, internalError, methodNotSupported, notAcceptable, notFound, routeNotFound, serviceUnavailable, unauthorized } from './status.js';

describe('Status errors as kube-apiserver writes them', () => {
  it('NotFound names the resource with its group, and details carry name, group and kind', () => {
    expect(notFound('podcliquesets', 'inf').status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'podcliquesets.live.copse.io "inf" not found',
      reason: 'NotFound',
      details: { name: 'inf', group: 'live.copse.io', kind: 'podcliquesets' },
      code: 404,
    });
  });

  it.each([
    [routeNotFound(), 404, 'NotFound', 'the server could not find the requested resource'],
    [badRequest('bad'), 400, 'BadRequest', 'bad'],
    [unauthorized(), 401, 'Unauthorized', 'Unauthorized'],
    [methodNotSupported('create', 'podcliquesets'), 405, 'MethodNotAllowed', 'create is not supported on resources of kind "podcliquesets.live.copse.io"'],
    [methodNotSupported('post', undefined), 405, 'MethodNotAllowed', 'post is not supported on this path'],
    [notAcceptable('application/yaml'), 406, 'NotAcceptable', 'only the following media types are accepted: application/json; the request asked for "application/yaml"'],
    [expired('too old resource version: 5 (9)'), 410, 'Expired', 'too old resource version: 5 (9)'],
    [internalError('boom'), 500, 'InternalError', 'Internal error occurred: boom'],
    [serviceUnavailable('loading'), 503, 'ServiceUnavailable', 'loading'],
  ])('%# %s', (err, code, reason, message) => {
    expect([err.code, err.status.reason, err.status.message, err.message]).toEqual([code, reason, message, message]);
  });

  it('503 tells the client when to retry', () => {
    expect(serviceUnavailable('x').status.details).toEqual({ retryAfterSeconds: 1 });
  });

  it('Forbidden reads like RBAC: named object, subresource, namespace', () => {
    const e = forbidden({ user: 'someone', verb: 'get', resource: 'podcliquesets', subresource: 'status', namespace: 'ns', name: 'inf' }, undefined);
    expect([e.code, e.status.reason, e.status.details]).toEqual([403, 'Forbidden', { name: 'inf', group: 'live.copse.io', kind: 'podcliquesets' }]);
    expect(e.message).toBe('podcliquesets.live.copse.io "inf" is forbidden: User "someone" cannot get resource "podcliquesets/status" in API group "live.copse.io" in the namespace "ns"');
  });

  it('Forbidden for a cluster-scoped list, with the authorizer reason appended', () => {
    const e = forbidden({ user: 'someone', verb: 'list', resource: 'topologydomains' }, 'no RBAC policy matched');
    expect(e.message).toBe('topologydomains.live.copse.io is forbidden: User "someone" cannot list resource "topologydomains" in API group "live.copse.io" at the cluster scope: no RBAC policy matched');
  });
});
