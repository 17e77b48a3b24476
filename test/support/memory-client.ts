// A DynamicClient over an in-memory list of objects for unit tests of the reconcilers: lists answer
// from the map, watches stay open until aborted, and every write is recorded (verb, resource, name)
// and answered with what was sent (stamped with a fresh resourceVersion `mem-<n>`, as a server
// would), so a test sees which writes a pass makes, not how they travel. A test that needs the
// informers to see changes sends them through MemoryEvents.
import type { DynamicClient, ListResult, ObjectLike } from '../../kube/dynamic.js';
import type { Resource } from '../../kube/resources.js';

export interface Write {
  /** apply, status (server-side apply of the status), patch, create, delete or deletecollection. */
  verb: string;
  resource: Resource;
  kind: string;
  name: string;
  /** A patch's subresource (`scale`, ...), when it names one. */
  subresource?: string;
  /** A patch's rate-limiter lane, when the caller chose one. */
  priority?: string;
}

/**
 * Watch events a test sends to the informers of a memory client (pass one as `events`): `emit` reaches
 * every open watch on the resource, as a server's watch would.
 */
export class MemoryEvents {
  private readonly watchers = new Map<string, Set<(ev: { type: string; object: ObjectLike }) => void>>();

  watch(resource: string, fn: (ev: { type: string; object: ObjectLike }) => void, signal: AbortSignal | undefined): Promise<void> {
    const set = this.watchers.get(resource) ?? new Set();
    this.watchers.set(resource, set);
    set.add(fn);
    return new Promise((done) =>
      signal?.addEventListener(
        'abort',
        () => {
          set.delete(fn);
          done();
        },
        { once: true },
      ),
    );
  }

  /** Deliver `object` as a watch event of `type` (ADDED, MODIFIED, DELETED); the number of watches reached. */
  emit(resource: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: ObjectLike): number {
    const set = this.watchers.get(resource) ?? new Set();
    for (const fn of set) fn({ type, object });
    return set.size;
  }
}

/**
 * Objects by plural resource name; `writes`, `patches` (merge/JSON patch bodies), `statuses` (the
 * objects applied to a status subresource) and `applied` (the objects applied) collect what the
 * client is asked to do.
 */
export function memoryClient(
  objects: ReadonlyMap<string, readonly ObjectLike[]>,
  writes: Write[],
  patches: unknown[] = [],
  statuses: ObjectLike[] = [],
  applied: ObjectLike[] = [],
  events?: MemoryEvents,
): DynamicClient {
  const record = (verb: string) => async (r: Resource, objOrName: ObjectLike | string) => {
    if (verb === 'status' && typeof objOrName !== 'string') statuses.push(objOrName);
    if (verb === 'apply' && typeof objOrName !== 'string') applied.push(objOrName);
    writes.push({ verb, resource: r, kind: r.kind, name: typeof objOrName === 'string' ? objOrName : (objOrName.metadata?.name ?? '') });
    return typeof objOrName === 'string' ? true : { ...objOrName, metadata: { ...objOrName.metadata, resourceVersion: `mem-${writes.length}` } };
  };
  const fake = {
    list: async <T>(r: Resource<T>): Promise<ListResult<T>> => ({ items: [...(objects.get(r.resource) ?? [])] as T[], resourceVersion: '1' }),
    tryGet: async <T>(r: Resource<T>, name: string): Promise<T | undefined> => (objects.get(r.resource) ?? []).find((o) => o.metadata?.name === name) as T | undefined,
    watch: (r: Resource, opts: { signal?: AbortSignal }, onEvent?: (ev: { type: string; object: ObjectLike }) => void): Promise<void> =>
      events && onEvent ? events.watch(r.resource, onEvent, opts.signal) : new Promise((done) => opts.signal?.addEventListener('abort', () => done(), { once: true })),
    apply: record('apply'),
    applyStatus: record('status'),
    create: record('create'),
    patch: async (r: Resource, name: string, _ns: string | undefined, body: unknown, opts: { subresource?: string; priority?: string } = {}) => {
      patches.push(body);
      writes.push({ verb: 'patch', resource: r, kind: r.kind, name, ...(opts.subresource ? { subresource: opts.subresource } : {}), ...(opts.priority ? { priority: opts.priority } : {}) });
      return { metadata: { name, resourceVersion: `mem-${writes.length}` } };
    },
    delete: record('delete'),
    deleteCollection: async (r: Resource) => void writes.push({ verb: 'deletecollection', resource: r, kind: r.kind, name: '' }),
    as: () => fake,
  };
  return fake as unknown as DynamicClient;
}
