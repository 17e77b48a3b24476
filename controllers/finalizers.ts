// Finalizers copse puts on its objects (Grove's names), added and removed with a JSON patch that
// first tests the list it read, so a concurrent change by another writer is never overwritten.
import type { JsonPatchOp } from '../api/jsonpatch.js';
import type { DynamicClient, ObjectLike } from '../kube/dynamic.js';
import { KubeError } from '../kube/errors.js';
import type { Resource } from '../kube/resources.js';

function finalizerPatch(obj: ObjectLike, next: string[]): JsonPatchOp[] {
  const current = obj.metadata?.finalizers;
  return current === undefined
    ? [{ op: 'add', path: '/metadata/finalizers', value: next }]
    : [
        { op: 'test', path: '/metadata/finalizers', value: current },
        { op: 'replace', path: '/metadata/finalizers', value: next },
      ];
}

async function patchFinalizers(client: DynamicClient, r: Resource, obj: ObjectLike, next: string[], signal?: AbortSignal): Promise<void> {
  try {
    await client.patch(r, obj.metadata?.name ?? '', obj.metadata?.namespace, finalizerPatch(obj, next), { signal });
  } catch (err) {
    // Gone already: nothing to hold or release.
    if (err instanceof KubeError && err.kind === 'NotFound') return;
    // A failed `test` (422) means the cache was stale: retry from a fresh read.
    if (err instanceof KubeError && err.kind === 'Invalid') throw new KubeError('Conflict', 409, `finalizers of ${obj.metadata?.name ?? ''} changed meanwhile`, undefined, undefined, { cause: err });
    throw err;
  }
}

/** Adds `finalizer` unless present; true when a write was made. */
export async function ensureFinalizer(client: DynamicClient, r: Resource, obj: ObjectLike, finalizer: string, signal?: AbortSignal): Promise<boolean> {
  const current = obj.metadata?.finalizers ?? [];
  if (current.includes(finalizer)) return false;
  await patchFinalizers(client, r, obj, [...current, finalizer], signal);
  return true;
}

/** Removes `finalizer` if present; true when a write was made. */
export async function removeFinalizer(client: DynamicClient, r: Resource, obj: ObjectLike, finalizer: string, signal?: AbortSignal): Promise<boolean> {
  const current = obj.metadata?.finalizers ?? [];
  if (!current.includes(finalizer)) return false;
  await patchFinalizers(client, r, obj, current.filter((f) => f !== finalizer), signal);
  return true;
}
