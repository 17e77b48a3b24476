// RFC 6902 JSON Patch: a diff producing add/replace/remove operations (what a mutating webhook
// returns, base64-encoded) and an applier (for tests and for callers that want to preview).
// Pointers follow RFC 6901: `~` is written `~0` and `/` is written `~1`, so the label
// `app.kubernetes.io/name` is `/metadata/labels/app.kubernetes.io~1name`.
//
// JSON has no `undefined`: a key whose value is undefined counts as absent (as JSON.stringify
// would drop it), so defaulting code may leave `x: undefined` behind without producing an op.

/** One RFC 6902 operation (the subset the apiserver accepts). */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + escapePointerToken(String(t))).join('');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map(unescapePointerToken);
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality over JSON values (undefined-valued keys ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy that also drops undefined-valued keys, i.e. exactly what goes over the wire. */
function jsonClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
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

// ------------------------------------------------------------------------------------------------
// Applying

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

function arrayIndex(token: string, arr: unknown[], forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`invalid array index ${JSON.stringify(token)}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new JsonPatchError(`array index ${i} out of bounds`);
  return i;
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; last: string } {
  if (tokens.length === 0) throw new JsonPatchError(`path ${JSON.stringify(path)} has no parent`);
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur, false)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw new JsonPatchError(`path ${JSON.stringify(path)}: parent does not exist`);
  }
  return { parent: cur, last: tokens[tokens.length - 1] as string };
}

function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur, false)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw new JsonPatchError(`path ${JSON.stringify(path)} does not exist`);
  }
  return cur;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new JsonPatchError(`path ${JSON.stringify(path)}: parent is not a container`);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return undefined;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, false), 1);
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else throw new JsonPatchError(`path ${JSON.stringify(path)} does not exist`);
  return doc;
}

/** Apply ops to a copy of `doc` and return it; throws JsonPatchError on any failing op (atomic). */
export function applyPatch<T = unknown>(doc: unknown, ops: readonly JsonPatchOp[]): T {
  let out: unknown = jsonClone(doc);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        out = add(out, op.path, jsonClone(op.value));
        break;
      case 'remove':
        out = remove(out, op.path);
        break;
      case 'replace': {
        const tokens = parsePointer(op.path);
        if (tokens.length === 0) {
          out = jsonClone(op.value);
          break;
        }
        get(out, op.path); // must exist
        const { parent, last } = parentOf(out, tokens, op.path);
        if (Array.isArray(parent)) parent[arrayIndex(last, parent, false)] = jsonClone(op.value);
        else (parent as JsonObject)[last] = jsonClone(op.value);
        break;
      }
      case 'test':
        if (!jsonEqual(get(out, op.path), op.value)) throw new JsonPatchError(`test failed at ${JSON.stringify(op.path)}`);
        break;
      case 'move': {
        const v = get(out, op.from);
        out = add(remove(out, op.from), op.path, v);
        break;
      }
      case 'copy':
        out = add(out, op.path, jsonClone(get(out, op.from)));
        break;
    }
  }
  return out as T;
}

/** What a mutating webhook puts into `response.patch`. */
export function encodePatch(ops: readonly JsonPatchOp[]): string {
  return Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
}
