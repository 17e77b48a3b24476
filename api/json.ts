// JSON values as they arrive off the wire: the one object test and the one deep equality that the
// JSON patch diff, the schema validator, the admission rules and the webhook server share.
//
// JSON has no `undefined`: a key whose value is undefined counts as absent (as JSON.stringify
// would drop it), so code that leaves `x: undefined` behind compares equal to code that does not.

export type JsonObject = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What counts as "no value" for an equality: `value` at a position (the top, a list element),
 * `member` for an object member, where two absent members are skipped whatever their spelling.
 */
export interface Absence {
  value(v: unknown): boolean;
  member(v: unknown): boolean;
}

const isUndefined = (v: unknown): boolean => v === undefined;

/** JSON's own notion: only a missing (undefined) value is absent. */
export const JSON_ABSENCE: Absence = { value: isUndefined, member: isUndefined };

/** The one deep equality; `absent` decides which spellings of "nothing" are equal. Arrays are ordered, key order is irrelevant. */
export function equalModulo(a: unknown, b: unknown, absent: Absence): boolean {
  if (a === b) return true;
  if (absent.value(a) && absent.value(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equalModulo(x, b[i], absent));
  }
  if (!isObject(a) || !isObject(b)) return false;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (absent.member(a[k]) && absent.member(b[k])) continue;
    if (!equalModulo(a[k], b[k], absent)) return false;
  }
  return true;
}

/** Structural equality over JSON values (undefined-valued keys ignored, key order irrelevant, arrays ordered). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return equalModulo(a, b, JSON_ABSENCE);
}

/** A deep copy that also drops undefined-valued keys, i.e. exactly what goes over the wire. */
export function jsonClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
