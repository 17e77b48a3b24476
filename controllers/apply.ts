// Minimal writes: a desired object is applied (server-side apply, the controller's field manager)
// only when some field it sets differs from the cached object. The cache holds what the server
// stored, defaults and other managers' fields included, so "differs" is a subset test: every value
// the desired object names must be present and equal in the observed one.
import type { DynamicClient, ObjectLike } from '../kube/dynamic.js';
import type { Resource } from '../kube/resources.js';

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{}` and `[]`: the apiserver stores them as absent (omitempty), so they ask for nothing. */
function isEmpty(v: Json): boolean {
  return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

/**
 * True when everything `want` says is already in `have`. Objects are compared key by key (extra
 * keys in `have` are fine: defaults, status, other managers); arrays element by element and with
 * equal length (a list copse sets is a list copse owns, so an extra element is a difference);
 * scalars by value. An undefined value in `want` asks for nothing, and neither does an empty map or
 * list where `have` has none (the apiserver drops them).
 */
export function containsSubset(have: Json, want: Json): boolean {
  if (want === undefined || (have === undefined && isEmpty(want))) return true;
  if (isPlainObject(want)) {
    if (!isPlainObject(have)) return false;
    for (const [k, v] of Object.entries(want)) if (!containsSubset(have[k], v)) return false;
    return true;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((v, i) => containsSubset(have[i], v));
  }
  return have === want;
}

/**
 * The first path where `have` lacks what `want` says, for logs; the same test as containsSubset,
 * which stays separate because it runs on every object of every pass and builds no strings.
 */
export function firstDifference(have: Json, want: Json, path = ''): string | undefined {
  if (want === undefined || (have === undefined && isEmpty(want))) return undefined;
  if (isPlainObject(want)) return objectDifference(have, want, path);
  if (Array.isArray(want)) return arrayDifference(have, want, path);
  return have === want ? undefined : `${path} (${JSON.stringify(have)} vs ${JSON.stringify(want)})`;
}

function objectDifference(have: Json, want: Record<string, Json>, path: string): string | undefined {
  if (!isPlainObject(have)) return path || '/';
  for (const [k, v] of Object.entries(want)) {
    const d = firstDifference(have[k], v, `${path}/${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

function arrayDifference(have: Json, want: readonly Json[], path: string): string | undefined {
  if (!Array.isArray(have) || have.length !== want.length) return `${path} (length ${Array.isArray(have) ? have.length : 'none'} vs ${want.length})`;
  for (let i = 0; i < want.length; i++) {
    const d = firstDifference(have[i], want[i], `${path}/${i}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Where the cached object differs from the desired one, for a debug line; undefined when it does not. */
export function applyReason(desired: ObjectLike, observed: ObjectLike | undefined): string | undefined {
  if (!observed) return 'absent';
  return firstDifference(observed, comparable(desired));
}

/** The parts of a desired object an apply sets; metadata beyond labels, annotations, owners and finalizers is the server's. */
function comparable(obj: ObjectLike): Record<string, Json> {
  // apiVersion and kind say what the object is, not what it holds; list items of built-in kinds omit them.
  const { metadata, apiVersion: _v, kind: _k, ...rest } = obj as ObjectLike & Record<string, Json>;
  const m = metadata ?? {};
  return {
    ...rest,
    metadata: {
      labels: m.labels,
      annotations: m.annotations,
      ownerReferences: m.ownerReferences,
      finalizers: m.finalizers,
    },
  };
}

export function needsApply(desired: ObjectLike, observed: ObjectLike | undefined): boolean {
  if (!observed) return true;
  return !containsSubset(observed, comparable(desired));
}

export interface ApplyOutcome<T> {
  object: T;
  changed: boolean;
}

/** Apply `desired` unless the cached `observed` already holds it. */
export async function applyIfChanged<T extends ObjectLike>(
  client: DynamicClient,
  r: Resource<T>,
  desired: T,
  observed: T | undefined,
  signal?: AbortSignal,
): Promise<ApplyOutcome<T>> {
  if (!needsApply(desired, observed)) return { object: observed as T, changed: false };
  return { object: await client.apply(r, desired, { signal }), changed: true };
}

/** Delete this incarnation (uid precondition), so a recreated object of the same name is never hit. */
export function deleteExact(client: DynamicClient, r: Resource, obj: ObjectLike, signal?: AbortSignal): Promise<boolean> {
  const name = obj.metadata?.name ?? '';
  return client.delete(r, name, obj.metadata?.namespace, { uid: obj.metadata?.uid, propagationPolicy: 'Background', signal });
}
