// One client for every kind: get, list (paged), watch, create, server-side apply (also of the status
// subresource), merge/JSON patch and delete with preconditions. Bodies go on the wire exactly as
// given (raw JSON), so CRD schemas and unknown fields survive.
//
// Each component writes under its own field manager (FIELD_MANAGERS): under server-side apply a
// manager that applies without a field it applied before removes that field, so two components
// sharing one manager with force would delete each other's fields.
import type { JsonPatchOp } from '../api/jsonpatch.js';
import type { V1ListMeta, V1ObjectMeta } from '../api/core/wire.js';
import { KubeError } from './errors.js';
import type { KubeHttp } from './http.js';
import { apiVersionOf, resourceFor, resourcePath, type Resource } from './resources.js';
import type { Priority } from './ratelimit.js';

/** Field managers, one per component (kubectl shows them in managedFields). */
export const FIELD_MANAGERS = {
  install: 'copse-install',
  certs: 'copse-certs',
  controller: 'copse-controller',
  dynamo: 'copse-dynamo',
  webhooks: 'copse-webhooks',
  scheduler: 'copse-scheduler',
  apiserver: 'copse-apiserver',
  cluster: 'copse-cluster',
  test: 'copse-test',
  initc: 'copse-initc',
  native: 'copse-native',
  topology: 'copse-topology',
} as const;
export type FieldManager = (typeof FIELD_MANAGERS)[keyof typeof FIELD_MANAGERS];

export interface ObjectLike {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?: V1ObjectMeta | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  dryRun?: boolean | undefined;
  /** The request's lane at the client rate limiter, when its path alone does not say (kube/ratelimit.ts). */
  priority?: Priority | undefined;
}

export interface ListOptions extends CallOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size; pages are followed until the list is complete. */
  limit?: number | undefined;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion?: string | undefined;
  /** Server-side timeout of this watch request. */
  timeoutSeconds?: number | undefined;
  signal: AbortSignal;
}

export interface DeleteOptions extends CallOptions {
  /** Precondition: delete only this incarnation of the object. */
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' | undefined;
  gracePeriodSeconds?: number | undefined;
}

export type PatchType = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

function nsOf(r: Resource, namespace: string | undefined, what: string): string | undefined {
  if (r.namespaced && !namespace) throw new KubeError('Invalid', 0, `${what}: ${r.kind} is namespaced; a namespace is required`, undefined, undefined);
  return r.namespaced ? namespace : undefined;
}

/** The body of an apply: managedFields must be absent, and a stale resourceVersion would turn it into a precondition. */
export function applyBody<T extends ObjectLike>(obj: T, r?: Resource): T {
  const metadata: V1ObjectMeta = { ...(obj.metadata ?? {}) };
  delete metadata.managedFields;
  delete metadata.resourceVersion;
  delete metadata.creationTimestamp;
  delete metadata.uid;
  delete metadata.generation;
  return {
    ...obj,
    ...(r ? { apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind } : {}),
    metadata,
  };
}

export class DynamicClient {
  constructor(
    readonly http: KubeHttp,
    readonly fieldManager: FieldManager,
  ) {}

  /** The same connection under another field manager. */
  as(fieldManager: FieldManager): DynamicClient {
    return new DynamicClient(this.http, fieldManager);
  }

  async get<T>(r: Resource<T>, name: string, namespace?: string, opts: CallOptions = {}): Promise<T> {
    const path = resourcePath(r, { namespace: nsOf(r, namespace, 'get'), name });
    return (await this.http.request({ method: 'GET', path, signal: opts.signal })).body as T;
  }

  /** GET; undefined when the object does not exist. */
  async tryGet<T>(r: Resource<T>, name: string, namespace?: string, opts: CallOptions = {}): Promise<T | undefined> {
    try {
      return await this.get(r, name, namespace, opts);
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  /** LIST, following `continue` tokens; the resourceVersion is the collection's, for a following watch. */
  async list<T>(r: Resource<T>, opts: ListOptions = {}): Promise<ListResult<T>> {
    const path = resourcePath(r, { namespace: r.namespaced ? opts.namespace : undefined });
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const res = await this.http.request({
        method: 'GET',
        path,
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ?? 500, continue: cont },
        signal: opts.signal,
      priority: opts.priority,
      });
      const body = res.body as { items?: T[]; metadata?: V1ListMeta } | undefined;
      for (const item of body?.items ?? []) items.push(item);
      cont = body?.metadata?.continue || undefined;
      resourceVersion = body?.metadata?.resourceVersion ?? resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  /**
   * One watch request with bookmarks. Resolves when the server ends it or the signal fires; throws
   * KubeError on failure, including kind 'Gone' for an expired resourceVersion (the caller relists).
   */
  async watch<T>(r: Resource<T>, opts: WatchOptions, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
    const path = resourcePath(r, { namespace: r.namespaced ? opts.namespace : undefined });
    await this.http.stream(
      {
        path,
        query: {
          watch: 1,
          allowWatchBookmarks: true,
          resourceVersion: opts.resourceVersion,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          timeoutSeconds: opts.timeoutSeconds,
        },
        signal: opts.signal,
      },
      (line) => {
        let ev: WatchEvent<unknown>;
        try {
          ev = JSON.parse(line) as WatchEvent<unknown>;
        } catch {
          throw new KubeError('Transient', 0, `watch ${path}: undecodable event ${JSON.stringify(line.slice(0, 120))}`, undefined, undefined);
        }
        if (ev.type === 'ERROR') {
          // An in-stream Status, e.g. 410 Expired after the resourceVersion was compacted away.
          const st = ev.object as { code?: number; reason?: string; message?: string };
          const code = st.code ?? 500;
          throw new KubeError(code === 410 ? 'Gone' : 'Transient', code, `watch ${path}: ${st.reason ?? 'Error'}: ${st.message ?? ''}`, st, undefined);
        }
        onEvent(ev as WatchEvent<T>);
      },
    );
  }

  async create<T extends ObjectLike>(r: Resource<T>, obj: T, opts: CallOptions = {}): Promise<T> {
    const path = resourcePath(r, { namespace: nsOf(r, obj.metadata?.namespace, 'create') });
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
    const res = await this.http.request({
      method: 'POST',
      path,
      query: { fieldManager: this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body,
      signal: opts.signal,
      priority: opts.priority,
    });
    return res.body as T;
  }

  /**
   * Server-side apply under this client's field manager. `force` takes over fields another manager
   * owns; copse forces only on objects it owns outright and whose apply body holds only its fields.
   */
  async apply<T extends ObjectLike>(r: Resource<T>, obj: T, opts: CallOptions & { force?: boolean; subresource?: 'status' } = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new KubeError('Invalid', 0, `apply ${r.kind}: metadata.name is required`, undefined, undefined);
    const path = resourcePath(r, { namespace: nsOf(r, obj.metadata?.namespace, 'apply'), name, subresource: opts.subresource });
    const res = await this.http.request({
      method: 'PATCH',
      path,
      query: { fieldManager: this.fieldManager, force: opts.force ?? true, dryRun: opts.dryRun ? 'All' : undefined },
      body: applyBody(obj, r),
      contentType: 'application/apply-patch+yaml',
      signal: opts.signal,
      priority: opts.priority,
    });
    return res.body as T;
  }

  /** Server-side apply of an object read from a manifest, to the resource its apiVersion and kind name. */
  async applyManifest<T extends ObjectLike>(obj: T, opts: CallOptions = {}): Promise<T> {
    return this.apply(resourceFor(obj.apiVersion, obj.kind) as Resource<T>, obj, opts);
  }

  /** PUT: replace the whole object; its metadata.resourceVersion makes it a compare-and-swap (409 if stale). */
  async update<T extends ObjectLike>(r: Resource<T>, obj: T, opts: CallOptions & { subresource?: string } = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new KubeError('Invalid', 0, `update ${r.kind}: metadata.name is required`, undefined, undefined);
    const path = resourcePath(r, { namespace: nsOf(r, obj.metadata?.namespace, 'update'), name, subresource: opts.subresource });
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
    const res = await this.http.request({
      method: 'PUT',
      path,
      query: { fieldManager: this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body,
      signal: opts.signal,
      priority: opts.priority,
    });
    return res.body as T;
  }

  /** Server-side apply of the status subresource (the body holds metadata.name/namespace and status). */
  applyStatus<T extends ObjectLike>(r: Resource<T>, obj: T, opts: CallOptions = {}): Promise<T> {
    return this.apply(r, obj, { ...opts, subresource: 'status', force: true });
  }

  async patch<T>(
    r: Resource<T>,
    name: string,
    namespace: string | undefined,
    patch: JsonPatchOp[] | Record<string, unknown>,
    opts: CallOptions & { type?: PatchType; subresource?: string } = {},
  ): Promise<T> {
    const type = opts.type ?? (Array.isArray(patch) ? 'json' : 'merge');
    const path = resourcePath(r, { namespace: nsOf(r, namespace, 'patch'), name, subresource: opts.subresource });
    const res = await this.http.request({
      method: 'PATCH',
      path,
      query: { fieldManager: this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body: patch,
      contentType: PATCH_CONTENT_TYPE[type],
      signal: opts.signal,
      priority: opts.priority,
    });
    return res.body as T;
  }

  /** DELETE with optional uid/resourceVersion preconditions. False when it was already gone. */
  async delete(r: Resource, name: string, namespace: string | undefined, opts: DeleteOptions = {}): Promise<boolean> {
    const path = resourcePath(r, { namespace: nsOf(r, namespace, 'delete'), name });
    const preconditions = opts.uid || opts.resourceVersion ? { ...(opts.uid ? { uid: opts.uid } : {}), ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}) } : undefined;
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(preconditions ? { preconditions } : {}),
      ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
    try {
      await this.http.request({ method: 'DELETE', path, body, signal: opts.signal, priority: opts.priority });
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'NotFound') return false;
      throw err;
    }
  }

  /** DELETE on a collection: one request removes every object matching the selector in a namespace. */
  async deleteCollection(r: Resource, namespace: string | undefined, opts: CallOptions & { labelSelector: string; propagationPolicy?: DeleteOptions['propagationPolicy'] }): Promise<void> {
    if (!opts.labelSelector) throw new KubeError('Invalid', 0, `deleteCollection ${r.kind}: a label selector is required`, undefined, undefined);
    const path = resourcePath(r, { namespace: nsOf(r, namespace, 'deleteCollection') });
    await this.http.request({
      method: 'DELETE',
      path,
      query: { labelSelector: opts.labelSelector, dryRun: opts.dryRun ? 'All' : undefined },
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: opts.propagationPolicy ?? 'Background' },
      signal: opts.signal,
      priority: opts.priority,
    });
  }
}
