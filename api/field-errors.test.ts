import { describe, expect, it } from 'vitest';
import {
  FIELD_ERROR_REASON,
  OMIT_VALUE,
  duplicate,
  fieldErrorTypeFromReason,
  fieldPath,
  forbidden,
  formatFieldError,
  formatFieldErrors,
  invalid,
  invalidStatus,
  notFound,
  notSupported,
  required,
  toStatusCauses,
  tooLong,
  tooMany,
} from './field-errors.js';

describe('formatFieldError (apimachinery field.Error text)', () => {
  it.each([
    [invalid('spec.x', 5, 'detail'), 'spec.x: Invalid value: 5: detail'],
    [invalid('spec.x', 'a"b', 'must be short'), 'spec.x: Invalid value: "a\\"b": must be short'],
    [invalid('spec.x', true, 'd'), 'spec.x: Invalid value: true: d'],
    [invalid('spec.x', null, 'd'), 'spec.x: Invalid value: null: d'],
    [invalid('spec.x', ['a', 'b'], 'd'), 'spec.x: Invalid value: ["a","b"]: d'],
    [invalid('spec.x', { a: 1 }, 'd'), 'spec.x: Invalid value: {"a":1}: d'],
    [invalid('spec.x', OMIT_VALUE, 'd'), 'spec.x: Invalid value: d'],
    [required('spec.y', 'detail'), 'spec.y: Required value: detail'],
    [required('spec.y'), 'spec.y: Required value'],
    [notSupported('spec.z', 'v', ['a', 'b']), 'spec.z: Unsupported value: "v": supported values: "a", "b"'],
    [forbidden('spec.f', 'not allowed'), 'spec.f: Forbidden: not allowed'],
    [duplicate('spec.d', 'x'), 'spec.d: Duplicate value: "x"'],
    [notFound('spec.n', 'x'), 'spec.n: Not found: "x"'],
    [tooLong('spec.t', 'xxxx', 3), 'spec.t: Too long: may not be more than 3 bytes'],
    [tooMany('spec.m', 5, 3), 'spec.m: Too many: 5: must have at most 3 items'],
  ])('%#: %j', (err, text) => {
    expect(formatFieldError(err)).toBe(text);
  });

  it('aggregates one error bare, several in brackets, and collapses duplicates', () => {
    const a = required('spec.a', 'x');
    const b = invalid('spec.b', 1, 'y');
    expect(formatFieldErrors([])).toBe('');
    expect(formatFieldErrors([a])).toBe('spec.a: Required value: x');
    expect(formatFieldErrors([a, b, a])).toBe('[spec.a: Required value: x, spec.b: Invalid value: 1: y]');
  });
});

describe('fieldPath', () => {
  it('builds Kubernetes paths with [i] and [key]', () => {
    const p = fieldPath('spec').child('template', 'cliques').index(1).child('spec', 'replicas');
    expect(p.toString()).toBe('spec.template.cliques[1].spec.replicas');
    expect(fieldPath('metadata', 'labels').key('app').toString()).toBe('metadata.labels[app]');
    expect(invalid(p, 0, 'd').field).toBe('spec.template.cliques[1].spec.replicas');
  });
});

describe('Status', () => {
  it('maps types to causes and builds an Invalid Status like apierrors.NewInvalid', () => {
    const errs = [required('spec.template.cliques', 'at least one PodClique must be defined'), invalid('spec.replicas', -1, 'must be greater than or equal to 0')];
    expect(toStatusCauses(errs)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: at least one PodClique must be defined', field: 'spec.template.cliques' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
    ]);
    const st = invalidStatus({ group: 'grove.io', kind: 'PodCliqueSet' }, 'demo', errs);
    expect(st.code).toBe(422);
    expect(st.message).toBe(
      'PodCliqueSet.grove.io "demo" is invalid: [spec.template.cliques: Required value: at least one PodClique must be defined, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
    );
    expect(st.details.causes).toHaveLength(2);
  });

  it('round-trips reasons', () => {
    for (const [t, r] of Object.entries(FIELD_ERROR_REASON)) expect(fieldErrorTypeFromReason(r)).toBe(t === 'TypeInvalid' ? 'TypeInvalid' : t);
    expect(fieldErrorTypeFromReason(undefined)).toBe('Invalid');
  });
});
