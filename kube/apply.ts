// Writes through one field manager: server-side apply (force: true, as LWS does) for objects copse
// owns outright. Strategic merge patch is never used: the apiserver rejects it (415) for custom
// resources, so a targeted edit names its patch type explicitly with patchOptions (k8s-wire §4).
import { PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { toKubeError } from './errors.js';
import type { RawObjectApi } from './raw.js';

export { PatchStrategy };

export const FIELD_MANAGER = 'copse';

export type { JsonPatchOp } from '../api/jsonpatch.js';

/** Request options that set the patch Content-Type (the generated clients default to JSON patch). */
export function patchOptions(strategy: PatchStrategy): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', strategy);
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** The body of an apply: managedFields must be absent, and a stale resourceVersion would turn it into a precondition. */
export function applyBody<T extends KubernetesObject>(obj: T): T {
  const metadata = { ...(obj.metadata ?? {}) };
  delete metadata.managedFields;
  delete metadata.resourceVersion;
  delete metadata.creationTimestamp;
  delete metadata.uid;
  delete metadata.generation;
  return { ...obj, metadata };
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw toKubeError(err);
  }
}

/**
 * Server-side apply of any object (field manager `copse`, force: true). The body is sent as raw
 * JSON (kube/raw.ts): KubernetesObjectApi's typed models would drop schema keywords from CRDs.
 */
export function applyObject<T extends KubernetesObject>(raw: RawObjectApi, obj: T, opts: WriteOptions = {}): Promise<T> {
  return wrap(raw.apply(applyBody(obj), { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: true, ...(opts.dryRun ? { dryRun: true } : {}) }));
}
