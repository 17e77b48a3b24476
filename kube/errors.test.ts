import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeError, ignoreNotFound, isAlreadyExists, isConflict, isNotFound, kindFor, toKubeError } from './errors.js';

function status(code: number, reason: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...extra });
}

describe('toKubeError', () => {
  it.each([
    [404, 'NotFound', 'NotFound'],
    [409, 'AlreadyExists', 'AlreadyExists'],
    [409, 'Conflict', 'Conflict'],
    [410, 'Expired', 'Gone'],
    [422, 'Invalid', 'Invalid'],
    [400, 'BadRequest', 'Invalid'],
    [415, 'UnsupportedMediaType', 'Invalid'],
    [403, 'Forbidden', 'Forbidden'],
    [429, 'TooManyRequests', 'Transient'],
    [500, 'InternalError', 'Transient'],
    [503, 'ServiceUnavailable', 'Transient'],
    [504, 'Timeout', 'Transient'],
  ])('classifies %i %s as %s', (code, reason, kind) => {
    const e = new ApiException(code, 'x', status(code, reason, `msg ${reason}`), {});
    const ke = toKubeError(e);
    expect(ke).toBeInstanceOf(KubeError);
    expect(ke.kind).toBe(kind);
    expect(ke.code).toBe(code);
    expect(ke.status?.reason).toBe(reason);
    expect(ke.message).toBe(`${reason} (${code}): msg ${reason}`);
    expect(ke.cause).toBe(e);
  });

  it('reads the Status message and retryAfterSeconds', () => {
    const e = new ApiException(
      429,
      'x',
      status(429, 'TooManyRequests', 'slow down', { details: { retryAfterSeconds: 3 } }),
      {},
    );
    const ke = toKubeError(e);
    expect(ke.retryAfterSeconds).toBe(3);
    expect(ke.message).toContain('slow down');
  });

  it('falls back to the Retry-After header and tolerates a non-JSON body', () => {
    const ke = toKubeError(new ApiException(503, 'HTTP-Code: 503', 'upstream connect error', { 'Retry-After': '7' }));
    expect(ke.kind).toBe('Transient');
    expect(ke.retryAfterSeconds).toBe(7);
    expect(ke.status?.message).toBe('upstream connect error');
  });

  it('handles a 401 with no body', () => {
    const ke = toKubeError(new ApiException(401, 'HTTP-Code: 401', undefined, {}));
    expect(ke.kind).toBe('Forbidden');
    expect(ke.message).toBe('HTTP 401: Unauthorized');
  });

  it('treats network errors as Transient with code 0', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const ke = toKubeError(err);
    expect(ke.kind).toBe('Transient');
    expect(ke.code).toBe(0);
    expect(ke.message).toContain('ECONNREFUSED');
  });

  it('is idempotent and has predicates', () => {
    const ke = toKubeError(new ApiException(409, 'x', status(409, 'Conflict', 'the object has been modified'), {}));
    expect(toKubeError(ke)).toBe(ke);
    expect(isConflict(ke)).toBe(true);
    expect(isAlreadyExists(ke)).toBe(false);
    expect(isNotFound(new ApiException(404, 'x', status(404, 'NotFound', 'nope'), {}))).toBe(true);
    expect(kindFor(409, undefined)).toBe('Conflict');
  });
});

describe('ignoreNotFound', () => {
  it('maps NotFound to undefined and rethrows anything else as KubeError', async () => {
    await expect(ignoreNotFound(Promise.reject(new ApiException(404, 'x', status(404, 'NotFound', 'gone'), {})))).resolves.toBeUndefined();
    await expect(ignoreNotFound(Promise.resolve(5))).resolves.toBe(5);
    await expect(ignoreNotFound(Promise.reject(new ApiException(403, 'x', status(403, 'Forbidden', 'no'), {})))).rejects.toMatchObject({
      kind: 'Forbidden',
    });
  });
});
