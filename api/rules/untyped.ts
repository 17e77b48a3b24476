// Defensive readers for admission input. An AdmissionReview carries untrusted JSON: the generated
// types describe what a *valid* object looks like, but the admission decisions must not throw on a
// missing or wrongly typed field (the structural validator reports those). These helpers read a
// value only when it has the expected JSON type and return `undefined` otherwise.
import { equalModulo, isObject, type Absence, type JsonObject } from '../json.js';

export { isObject, type JsonObject };

export function asObject(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An integral JSON number (int32/int64 fields). */
export function asInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** `undefined` or `null`: a Go nil pointer / absent optional field. */
export function isNil(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/**
 * A Go `string` field: absent or null reads as the zero value "", a wrongly typed value as
 * `undefined` (so callers can skip rules the structural validator will reject anyway).
 */
export function goString(v: unknown): string | undefined {
  if (isNil(v)) return '';
  return asString(v);
}

/** A Go non-pointer integer field: absent or null reads as 0, a wrongly typed value as `undefined`. */
export function goInt(v: unknown): number | undefined {
  if (isNil(v)) return 0;
  return asInt(v);
}

/** A `[]string` field: absent/null reads as [], non-string entries are dropped. */
export function stringList(v: unknown): string[] {
  return (asArray(v) ?? []).filter((x): x is string => typeof x === 'string');
}

/** Entries of a `map[string]string` in document (insertion) order; non-string values are skipped. */
export function stringMapEntries(v: unknown): [string, string][] {
  const o = asObject(v);
  if (!o) return [];
  return Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string');
}

/** Whether an object has an own key (a map entry that exists, even with an empty value). */
export function hasKey(o: JsonObject | undefined, key: string): boolean {
  return o !== undefined && Object.prototype.hasOwnProperty.call(o, key);
}

function isEmptyish(v: unknown): boolean {
  return (
    v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)
  );
}

/** Go's zero values: nil and empty lists/maps anywhere, and "" too for an object member (a decoded absent field). */
const GO_ZERO: Absence = { value: isEmptyish, member: (v) => isEmptyish(v) || v === '' };

/**
 * Equality in the sense of apimachinery's `equality.Semantic.DeepEqual` over typed Go structs, as far
 * as JSON allows: nil and empty lists/maps are equal, an absent key equals a key holding
 * null/[]/{}/"" (the Go zero value after decoding), and everything else compares structurally.
 * Numbers and booleans are not equated with absence, because Grove's optional numbers are pointers.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return equalModulo(a, b, GO_ZERO);
}

/** Go's `len()` of a string: its UTF-8 byte length. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Elements that occur more than once, each reported once, in order of first occurrence (`lo.FindDuplicates`). */
export function findDuplicates(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    if ((counts.get(v) ?? 0) > 1 && !seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go durations (metav1.Duration serialises as time.Duration.String(), e.g. "4h0m0s")

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const DURATION_TOKEN = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/u;

/** One `<number><unit>` component of a Go duration: its value and how many characters it used. */
function durationToken(s: string): { ns: bigint; length: number } | undefined {
  const m = DURATION_TOKEN.exec(s);
  if (!m) return undefined;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  const unit = UNIT_NS[m[3] ?? ''];
  if ((whole === '' && frac === '') || unit === undefined) return undefined;
  let ns = BigInt(whole === '' ? '0' : whole) * unit;
  if (frac !== '') ns += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  return { ns, length: m[0].length };
}

/** Parse a Go duration string (`time.ParseDuration`) into nanoseconds; `undefined` if malformed. */
export function parseGoDuration(input: string): bigint | undefined {
  let s = input;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s.length > 0) {
    const step = durationToken(s);
    if (!step) return undefined;
    total += step.ns;
    s = s.slice(step.length);
  }
  return neg ? -total : total;
}

function fracString(v: bigint, div: bigint): string {
  const whole = v / div;
  const frac = v % div;
  if (frac === 0n) return whole.toString();
  const width = div.toString().length - 1;
  const digits = frac.toString().padStart(width, '0').replace(/0+$/, '');
  return `${whole}.${digits}`;
}

/** Format nanoseconds the way Go's `time.Duration.String()` does ("4h0m0s", "1.5s", "250ms", "0s"). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let s: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) s = `${u}ns`;
    else if (u < 1_000_000n) s = `${fracString(u, 1_000n)}µs`;
    else s = `${fracString(u, 1_000_000n)}ms`;
  } else {
    const h = u / 3_600_000_000_000n;
    u %= 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u %= 60_000_000_000n;
    s = `${fracString(u, 1_000_000_000n)}s`;
    if (h > 0n) s = `${h}h${m}m${s}`;
    else if (m > 0n) s = `${m}m${s}`;
  }
  return neg ? `-${s}` : s;
}
