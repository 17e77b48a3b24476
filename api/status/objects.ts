// Small readers of Kubernetes object metadata shared by the status computations. Malformed input
// is an error naming the object and the field, never a silent miscount.

import { jsonEqual } from '../json.js';
import { LABEL_PART_OF } from '../keys.js';

/** Anything with Kubernetes object metadata. */
export interface HasMetadata {
  metadata?: { name?: string; labels?: { [key: string]: string } };
}

/** A label value, or undefined. */
export function labelOf(obj: HasMetadata, key: string): string | undefined {
  return obj.metadata?.labels?.[key];
}

/**
 * A label holding a non-negative integer (replica indices). Missing or malformed values are an error
 * naming the object and the label: such a child cannot be attributed to a replica.
 */
export function indexLabel(obj: HasMetadata, key: string, what: string): number {
  const v = labelOf(obj, key);
  if (v === undefined || !/^(0|[1-9]\d*)$/.test(v)) {
    const name = obj.metadata?.name ?? '<unnamed>';
    throw new Error(`${what} ${name}: label ${key} must be a non-negative integer, got ${JSON.stringify(v ?? null)}`);
  }
  return Number(v);
}

/** The PodCliqueSet name from app.kubernetes.io/part-of; an error naming the label when it is missing. */
export function partOf(obj: HasMetadata, what: string): string {
  const pcs = labelOf(obj, LABEL_PART_OF);
  if (!pcs) throw new Error(`${what} ${obj.metadata?.name ?? '<unnamed>'}: label ${LABEL_PART_OF} is required`);
  return pcs;
}

/** A copy without undefined-valued keys: exactly what goes over the wire, so deep equality is exact. */
export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Whether a newly computed status differs from the stored one, by deep equality over everything (the
 * shell skips no-op writes: each write bumps resourceVersion and wakes every watcher).
 */
export function statusChanged<T extends object>(prev: T | undefined, next: T): boolean {
  return !jsonEqual(prev ?? {}, next);
}
