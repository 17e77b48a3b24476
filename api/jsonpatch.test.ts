import { describe, expect, it } from 'vitest';
import { applyPatch, JsonPatchError, parsePointer } from '../test/support/json-patch.js';
import { jsonEqual } from './json.js';
import { diff, encodePatch, escapePointerToken, toPointer, type JsonPatchOp } from './jsonpatch.js';

describe('JSON pointer escaping', () => {
  it('escapes ~ before / (RFC 6901)', () => {
    expect(escapePointerToken('app.kubernetes.io/name')).toBe('app.kubernetes.io~1name');
    expect(escapePointerToken('a~b')).toBe('a~0b');
    expect(escapePointerToken('~1')).toBe('~01');
    expect(toPointer(['metadata', 'labels', 'a/b~c'])).toBe('/metadata/labels/a~1b~0c');
    expect(parsePointer('/metadata/labels/a~1b~0c')).toEqual(['metadata', 'labels', 'a/b~c']);
    expect(parsePointer('/x/~01')).toEqual(['x', '~1']);
    expect(parsePointer('')).toEqual([]);
    expect(() => parsePointer('x')).toThrow(/invalid JSON pointer/);
  });
});

describe('diff', () => {
  it('returns no ops for equal documents, ignoring undefined-valued keys', () => {
    expect(diff({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual([]);
    expect(diff({ a: 1 }, { a: 1, b: undefined })).toEqual([]);
  });

  it('adds, replaces and removes object members with escaped paths', () => {
    const from = { metadata: { name: 'x', labels: { keep: '1', drop: '2' } }, spec: { replicas: 0 } };
    const to = {
      metadata: { name: 'x', namespace: 'default', labels: { keep: '1', 'app.kubernetes.io/name': 'n', 'a~b': 'c' } },
      spec: { replicas: 1 },
    };
    expect(diff(from, to)).toEqual([
      { op: 'add', path: '/metadata/namespace', value: 'default' },
      { op: 'remove', path: '/metadata/labels/drop' },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'n' },
      { op: 'add', path: '/metadata/labels/a~0b', value: 'c' },
      { op: 'replace', path: '/spec/replicas', value: 1 },
    ]);
  });

  it('recurses into arrays of equal length and appends/removes at the end', () => {
    expect(diff({ l: [{ a: 1 }, { a: 2 }] }, { l: [{ a: 1 }, { a: 3, b: true }] })).toEqual([
      { op: 'replace', path: '/l/1/a', value: 3 },
      { op: 'add', path: '/l/1/b', value: true },
    ]);
    expect(diff({ l: [1, 2] }, { l: [1, 2, 3, 4] })).toEqual([
      { op: 'add', path: '/l/2', value: 3 },
      { op: 'add', path: '/l/3', value: 4 },
    ]);
    expect(diff({ l: [1, 2, 3, 4] }, { l: [1] })).toEqual([
      { op: 'remove', path: '/l/3' },
      { op: 'remove', path: '/l/2' },
      { op: 'remove', path: '/l/1' },
    ]);
  });

  it('replaces on a type change, including null and the root', () => {
    expect(diff({ a: { b: 1 } }, { a: [1] })).toEqual([{ op: 'replace', path: '/a', value: [1] }]);
    expect(diff({ a: null }, { a: 0 })).toEqual([{ op: 'replace', path: '/a', value: 0 }]);
    expect(diff(1, 'x')).toEqual([{ op: 'replace', path: '', value: 'x' }]);
  });

  it('copies values so later mutation of the target does not leak into the patch', () => {
    const to = { a: { deep: [1] } };
    const ops = diff({}, to);
    to.a.deep.push(2);
    expect(ops).toEqual([{ op: 'add', path: '/a', value: { deep: [1] } }]);
  });

  const cases: [string, unknown, unknown][] = [
    ['nested defaults', { spec: { template: { cliques: [{ name: 'a', spec: { replicas: 0 } }] } } }, { metadata: { namespace: 'default' }, spec: { template: { terminationDelay: '4h0m0s', cliques: [{ name: 'a', spec: { replicas: 1, minAvailable: 0 } }] } } }],
    ['keys needing escapes', { m: { 'x/y': 1, '~': 2 } }, { m: { 'x/y': 3, '~/~': 4 } }],
    ['list shrink and grow inside objects', { a: [[1, 2], [3]], b: 'x' }, { a: [[1], [3, 4, 5], [6]] }],
    ['empty to full', {}, { a: { b: { c: [null, true, 1.5, 'z'] } } }],
  ];

  it.each(cases)('round-trips: applyPatch(from, diff(from, to)) equals to (%s)', (_name, from, to) => {
    const ops = diff(from, to);
    expect(ops.length).toBeGreaterThan(0);
    expect(applyPatch(from, ops)).toEqual(to);
    // The original is not modified.
    expect(applyPatch(from, [])).toEqual(from);
  });
});

describe('applyPatch (the test oracle for diff)', () => {
  const doc = { a: { b: [1, 2, 3] }, c: 'x' };

  it('implements add/remove/replace/test/move/copy', () => {
    const ops: JsonPatchOp[] = [
      { op: 'test', path: '/c', value: 'x' },
      { op: 'add', path: '/a/b/1', value: 9 },
      { op: 'add', path: '/a/b/-', value: 7 },
      { op: 'remove', path: '/a/b/0' },
      { op: 'replace', path: '/c', value: { d: 1 } },
      { op: 'copy', from: '/c', path: '/e' },
      { op: 'move', from: '/c/d', path: '/f' },
    ];
    expect(applyPatch(doc, ops)).toEqual({ a: { b: [9, 2, 3, 7] }, c: {}, e: { d: 1 }, f: 1 });
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, c: 'x' });
  });

  it('fails on a missing parent, a missing target, a bad index and a failed test', () => {
    expect(() => applyPatch(doc, [{ op: 'add', path: '/nope/x', value: 1 }])).toThrow(JsonPatchError);
    expect(() => applyPatch(doc, [{ op: 'remove', path: '/zzz' }])).toThrow(/does not exist/);
    expect(() => applyPatch(doc, [{ op: 'replace', path: '/zzz', value: 1 }])).toThrow(/does not exist/);
    expect(() => applyPatch(doc, [{ op: 'add', path: '/a/b/9', value: 1 }])).toThrow(/out of bounds/);
    expect(() => applyPatch(doc, [{ op: 'add', path: '/a/b/01', value: 1 }])).toThrow(/invalid array index/);
    expect(() => applyPatch(doc, [{ op: 'test', path: '/c', value: 'y' }])).toThrow(/test failed/);
  });

  it('jsonEqual treats key order as irrelevant and arrays as ordered', () => {
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, {})).toBe(true);
    expect(jsonEqual(null, {})).toBe(false);
  });
});

describe('encodePatch', () => {
  it('is base64 of the JSON array', () => {
    const ops: JsonPatchOp[] = [{ op: 'add', path: '/metadata/labels/a~1b', value: 'c' }];
    const b64 = encodePatch(ops);
    expect(b64).toBe('W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscy9hfjFiIiwidmFsdWUiOiJjIn1d');
    expect(JSON.parse(Buffer.from(b64, 'base64').toString())).toEqual(ops);
  });
});
