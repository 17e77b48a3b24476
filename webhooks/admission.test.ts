import { describe, expect, it } from 'vitest';
import { invalid, required } from '../api/field-errors.js';
import { decisionToResponse, deny, denyFieldErrors, internalErrorResponse, malformedResponse, parseAdmissionReview, allow } from './admission.js';

const request = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  uid: 'u-1',
  kind: { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' },
  resource: { group: 'grove.io', version: 'v1alpha1', resource: 'podcliquesets' },
  name: 'x',
  namespace: 'default',
  operation: 'CREATE',
  userInfo: { username: 'alice' },
  object: { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name: 'x' } },
  oldObject: null,
  dryRun: false,
  ...over,
});
const reviewOf = (req: unknown, apiVersion = 'admission.k8s.io/v1'): Record<string, unknown> => ({ apiVersion, kind: 'AdmissionReview', request: req });

describe('parseAdmissionReview', () => {
  it('accepts a well-formed v1 review', () => {
    const p = parseAdmissionReview(reviewOf(request()));
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.request.uid).toBe('u-1');
  });

  it('accepts DELETE with a null object', () => {
    expect(parseAdmissionReview(reviewOf(request({ operation: 'DELETE', object: null, oldObject: { a: 1 } }))).ok).toBe(true);
  });

  const bad: [string, unknown, string, string][] = [
    ['an array body', [1], '', 'AdmissionReview must be a JSON object (got an array)'],
    ['a string body', 'x', '', 'AdmissionReview must be a JSON object (got string)'],
    ['v1beta1', reviewOf(request(), 'admission.k8s.io/v1beta1'), 'u-1', 'unsupported "admission.k8s.io/v1beta1"/"AdmissionReview": only admission.k8s.io/v1 AdmissionReview is served'],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, '', 'AdmissionReview has no request object (got undefined)'],
    ['no uid', reviewOf(request({ uid: undefined })), '', 'request.uid must be a non-empty string'],
    ['numeric uid', reviewOf(request({ uid: 7 })), '', 'request.uid must be a non-empty string'],
    ['bad operation', reviewOf(request({ operation: 'PATCH' })), 'u-1', 'request.operation must be one of CREATE, UPDATE, DELETE, CONNECT (got "PATCH")'],
    ['kind not an object', reviewOf(request({ kind: 'PodCliqueSet' })), 'u-1', 'request.kind must be an object with group, version and kind (got string)'],
    ['kind.kind missing', reviewOf(request({ kind: { group: '', version: 'v1' } })), 'u-1', 'request.kind.kind must be a string'],
    ['object is a string', reviewOf(request({ object: 'pcs' })), 'u-1', 'request.object must be a JSON object for CREATE (got string)'],
    ['object is an array', reviewOf(request({ object: [] })), 'u-1', 'request.object must be a JSON object for CREATE (got an array)'],
    ['object missing', reviewOf(request({ object: null })), 'u-1', 'request.object must be a JSON object for CREATE (got null)'],
    ['UPDATE without oldObject', reviewOf(request({ operation: 'UPDATE' })), 'u-1', 'request.oldObject must be a JSON object for UPDATE (got null)'],
    ['namespace not a string', reviewOf(request({ namespace: 5 })), 'u-1', 'request.namespace must be a string'],
  ];
  it.each(bad)('rejects %s', (_n, body, uid, message) => {
    expect(parseAdmissionReview(body)).toEqual({ ok: false, uid, message });
  });
});

describe('decisionToResponse', () => {
  const ops = [{ op: 'add' as const, path: '/metadata/namespace', value: 'default' }];

  it('validating responses never carry patch keys, even if the handler returned a patch', () => {
    const res = decisionToResponse('u', allow({ patch: ops }), 'validating');
    expect(res).toEqual({ uid: 'u', allowed: true });
    expect(Object.keys(res)).not.toContain('patch');
    expect(Object.keys(res)).not.toContain('patchType');
  });

  it('mutating responses carry patchType and a base64 patch only when there is a change', () => {
    const res = decisionToResponse('u', allow({ patch: ops }), 'mutating');
    expect(res.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(res.patch as string, 'base64').toString())).toEqual(ops);
    expect(decisionToResponse('u', allow({ patch: [] }), 'mutating')).toEqual({ uid: 'u', allowed: true });
  });

  it('relays warnings and drops empty or non-string ones', () => {
    expect(decisionToResponse('u', { allowed: true, warnings: ['w1', '', 3 as unknown as string] }, 'validating')).toEqual({ uid: 'u', allowed: true, warnings: ['w1'] });
  });

  it('denies with the aggregated field-error text and one cause per error', () => {
    const errs = [
      invalid('spec.template.cliques[0].spec.minAvailable', 5, 'minAvailable must not be greater than replicas'),
      required('spec.template.terminationDelay', 'terminationDelay is required'),
    ];
    const res = decisionToResponse('u', denyFieldErrors(errs, ['careful']), 'validating');
    expect(res).toEqual({
      uid: 'u',
      allowed: false,
      warnings: ['careful'],
      status: {
        metadata: {},
        status: 'Failure',
        code: 403,
        reason: 'Forbidden',
        message:
          '[spec.template.cliques[0].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas, spec.template.terminationDelay: Required value: terminationDelay is required]',
        details: {
          causes: [
            { reason: 'FieldValueInvalid', field: 'spec.template.cliques[0].spec.minAvailable', message: 'Invalid value: 5: minAvailable must not be greater than replicas' },
            { reason: 'FieldValueRequired', field: 'spec.template.terminationDelay', message: 'Required value: terminationDelay is required' },
          ],
        },
      },
    });
  });

  it('can deny as Invalid (422) and with a plain message', () => {
    const res = decisionToResponse('u', denyFieldErrors([invalid('spec.replicas', -1, 'must be greater than or equal to 0')], undefined, 'Invalid'), 'validating');
    expect(res.status).toMatchObject({ code: 422, reason: 'Invalid', message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' });
    expect(decisionToResponse('u', deny('nope'), 'mutating').status).toEqual({ metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'nope' });
  });
});

describe('error envelopes', () => {
  it('malformed and internal-error responses are v1 AdmissionReview denials echoing the uid', () => {
    expect(malformedResponse('u', 'bad')).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u', allowed: false, status: { metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: 'malformed AdmissionReview: bad' } },
    });
    expect(internalErrorResponse('u', new Error('boom')).response?.status).toMatchObject({ code: 500, reason: 'InternalError', message: 'internal error: boom' });
    expect(internalErrorResponse('u', 'str').response?.status?.message).toBe('internal error: str');
  });
});
