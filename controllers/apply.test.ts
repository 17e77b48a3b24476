import { describe, expect, it } from 'vitest';
import { containsSubset, needsApply } from './apply.js';

describe('containsSubset', () => {
  it('ignores what the server added and compares what copse sets', () => {
    const observed = { spec: { ports: [{ port: 80, protocol: 'TCP' }], clusterIP: 'None', type: 'ClusterIP' }, status: {} };
    expect(containsSubset(observed, { spec: { ports: [{ port: 80 }], clusterIP: 'None' } })).toBe(true);
    expect(containsSubset(observed, { spec: { ports: [{ port: 81 }] } })).toBe(false);
  });

  it('treats a list copse sets as its own: an extra or missing element is a difference', () => {
    expect(containsSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(containsSubset({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(containsSubset({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
  });

  it('an undefined value asks for nothing; a missing key is a difference', () => {
    expect(containsSubset({}, { a: undefined })).toBe(true);
    expect(containsSubset({}, { a: null })).toBe(false);
    expect(containsSubset({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('needsApply', () => {
  const desired = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n', labels: { a: 'b' } }, spec: { clusterIP: 'None' } };
  it('applies what is not there yet', () => expect(needsApply(desired, undefined)).toBe(true));
  it('skips an object that already holds every field, whatever the server added to metadata', () => {
    const observed = { ...desired, metadata: { ...desired.metadata, uid: 'u', resourceVersion: '5', labels: { a: 'b', other: 'x' } }, spec: { clusterIP: 'None', ports: [] } };
    expect(needsApply(desired, observed)).toBe(false);
  });
  it('applies when a label copse sets changed', () => {
    expect(needsApply(desired, { ...desired, metadata: { ...desired.metadata, labels: { a: 'c' } } })).toBe(true);
  });
});

describe('empty maps and lists', () => {
  it('an empty map or list copse sets matches an absent one (the apiserver drops them)', () => {
    expect(containsSubset({ metadata: {} }, { metadata: { annotations: {} } })).toBe(true);
    expect(containsSubset({ spec: {} }, { spec: { gates: [] } })).toBe(true);
    expect(containsSubset({ metadata: { annotations: { a: 'b' } } }, { metadata: { annotations: {} } })).toBe(true);
    expect(containsSubset({ spec: { gates: [1] } }, { spec: { gates: [] } })).toBe(false);
  });
});

describe('identity fields', () => {
  it('a cached object from a list (no apiVersion/kind on built-in items) needs no apply', () => {
    const desired = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'n', labels: { x: 'y' } }, automountServiceAccountToken: true };
    const listed = { metadata: { name: 'a', namespace: 'n', labels: { x: 'y' }, uid: 'u' }, automountServiceAccountToken: true };
    expect(needsApply(desired, listed)).toBe(false);
  });
});
