// Writes through one field manager. Server-side apply (force: true, as LWS does) for objects copse
// owns outright; JSON merge patch and JSON patch for targeted edits. Strategic merge patch is never
// used: the apiserver rejects it (415) for custom resources, and KubernetesObjectApi.patch defaults
// to it, so every call here names its strategy explicitly (k8s-wire §4).
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { toKubeError } from './errors.js';
import type { RawObjectApi } from './raw.js';

export { PatchStrategy };

export const FIELD_MANAGER = 'copse';

/** One RFC 6902 operation (the subset the apiserver accepts). */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** Request options that set the patch Content-Type (the generated clients default to JSON patch). */
export function patchOptions(strategy: PatchStrategy): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', strategy);
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** Reference to a custom resource, without discovery. Omit `namespace` for cluster-scoped kinds. */
export interface CustomRef {
  group: string;
  version: string;
  plural: string;
  name: string;
  namespace?: string;
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

type CustomBody = Record<string, unknown> | JsonPatchOp[];

function patchCustom(custom: CustomObjectsApi, ref: CustomRef, body: CustomBody, strategy: PatchStrategy, opts: WriteOptions, force?: boolean): Promise<unknown> {
  const common = {
    group: ref.group,
    version: ref.version,
    plural: ref.plural,
    name: ref.name,
    body,
    fieldManager: opts.fieldManager ?? FIELD_MANAGER,
    ...(opts.dryRun ? { dryRun: 'All' } : {}),
    ...(force !== undefined ? { force } : {}),
  };
  const options = patchOptions(strategy);
  return wrap(
    ref.namespace
      ? custom.patchNamespacedCustomObject({ ...common, namespace: ref.namespace }, options)
      : custom.patchClusterCustomObject(common, options),
  );
}

/** Server-side apply of a custom resource (body must carry apiVersion, kind, metadata.name). */
export function applyCustom(custom: CustomObjectsApi, ref: CustomRef, body: KubernetesObject, opts: WriteOptions = {}): Promise<unknown> {
  return patchCustom(custom, ref, applyBody(body) as unknown as Record<string, unknown>, PatchStrategy.ServerSideApply, opts, true);
}

/** JSON merge patch of a custom resource, e.g. `{metadata:{labels:{a:null}}}`. */
export function mergePatchCustom(custom: CustomObjectsApi, ref: CustomRef, patch: Record<string, unknown>, opts: WriteOptions = {}): Promise<unknown> {
  return patchCustom(custom, ref, patch, PatchStrategy.MergePatch, opts);
}

/** RFC 6902 JSON patch of a custom resource; prefix a `test` op for race-safe list edits. */
export function jsonPatchCustom(custom: CustomObjectsApi, ref: CustomRef, ops: JsonPatchOp[], opts: WriteOptions = {}): Promise<unknown> {
  return patchCustom(custom, ref, ops, PatchStrategy.JsonPatch, opts);
}

/** JSON merge patch of the status subresource of a custom resource. */
export function mergePatchCustomStatus(custom: CustomObjectsApi, ref: CustomRef, status: Record<string, unknown>, opts: WriteOptions = {}): Promise<unknown> {
  const body = { status };
  const options = patchOptions(PatchStrategy.MergePatch);
  const common = {
    group: ref.group,
    version: ref.version,
    plural: ref.plural,
    name: ref.name,
    body,
    fieldManager: opts.fieldManager ?? FIELD_MANAGER,
    ...(opts.dryRun ? { dryRun: 'All' } : {}),
  };
  return wrap(
    ref.namespace
      ? custom.patchNamespacedCustomObjectStatus({ ...common, namespace: ref.namespace }, options)
      : custom.patchClusterCustomObjectStatus(common, options),
  );
}
