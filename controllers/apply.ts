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

/**
 * True when everything `want` says is already in `have`. Objects are compared key by key (extra
 * keys in `have` are fine: defaults, status, other managers); arrays element by element and with
 * equal length (a list copse sets is a list copse owns, so an extra element is a difference);
 * scalars by value. An undefined value in `want` asks for nothing.
 */
export function containsSubset(have: Json, want: Json): boolean {
  if (want === undefined) return true;
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

/** The parts of a desired object an apply sets; metadata beyond identity, labels, annotations, owners and finalizers is the server's. */
function comparable(obj: ObjectLike): Record<string, Json> {
  const { metadata, ...rest } = obj as ObjectLike & Record<string, Json>;
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
