// RFC 6902 JSON Patch: the diff a mutating webhook returns (base64-encoded). Pointers follow
// RFC 6901: `~` is written `~0` and `/` is written `~1`, so the label `app.kubernetes.io/name` is
// `/metadata/labels/app.kubernetes.io~1name`. Applying a patch is the apiserver's job; the applier
// that checks our diffs in tests lives in test/support/json-patch.ts.
//
// JSON has no `undefined`: a key whose value is undefined counts as absent (as JSON.stringify
// would drop it), so defaulting code may leave `x: undefined` behind without producing an op.
import { isObject, jsonClone, jsonEqual, type JsonObject } from './json.js';

/** One RFC 6902 operation (the subset the apiserver accepts). */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + escapePointerToken(String(t))).join('');
}

const has = (o: JsonObject, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;

function diffObjects(a: JsonObject, b: JsonObject, path: (string | number)[], ops: JsonPatchOp[]): void {
  for (const k of Object.keys(a)) {
    if (a[k] !== undefined && !has(b, k)) ops.push({ op: 'remove', path: toPointer([...path, k]) });
  }
  for (const k of Object.keys(b)) {
    if (b[k] === undefined) continue;
    if (!has(a, k)) ops.push({ op: 'add', path: toPointer([...path, k]), value: jsonClone(b[k]) });
    else diffInto(a[k], b[k], [...path, k], ops);
  }
}

function diffArrays(a: unknown[], b: unknown[], path: (string | number)[], ops: JsonPatchOp[]): void {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diffInto(a[i], b[i], [...path, i], ops);
  // Removals from the end backwards so earlier indices stay valid; appends in order.
  for (let i = a.length - 1; i >= b.length; i--) ops.push({ op: 'remove', path: toPointer([...path, i]) });
  for (let i = a.length; i < b.length; i++) ops.push({ op: 'add', path: toPointer([...path, i]), value: jsonClone(b[i]) });
}

function diffInto(a: unknown, b: unknown, path: (string | number)[], ops: JsonPatchOp[]): void {
  if (jsonEqual(a, b)) return;
  if (isObject(a) && isObject(b)) diffObjects(a, b, path, ops);
  else if (Array.isArray(a) && Array.isArray(b)) diffArrays(a, b, path, ops);
  else ops.push({ op: 'replace', path: toPointer(path), value: jsonClone(b) });
}

/** The operations that turn `from` into `to`. Empty when they are equal. */
export function diff(from: unknown, to: unknown): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  diffInto(from, to, [], ops);
  return ops;
}

/** What a mutating webhook puts into `response.patch`. */
export function encodePatch(ops: readonly JsonPatchOp[]): string {
  return Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
}
