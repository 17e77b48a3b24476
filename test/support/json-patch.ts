// An RFC 6902 applier, for tests only: it checks that the patches copse's mutating webhook and
// certificate sync produce (api/jsonpatch.ts diff, certs/sync.ts caBundle patches) do what the
// apiserver will do with them. Production code never applies patches; the apiserver does.
import { isObject, jsonClone, jsonEqual, type JsonObject } from '../../api/json.js';
import type { JsonPatchOp } from '../../api/jsonpatch.js';

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map(unescapePointerToken);
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
