// An informer's cache: objects by `namespace/name`, plus secondary indexes (by namespace, by
// controller owner, by a label) maintained on every change so a reconciler finds a PCS's children
// without scanning every pod in the cluster.
import type { ObjectLike } from '../../kube/dynamic.js';
import { objectKey } from '../../kube/resources.js';

export type IndexFunc<T> = (obj: T) => readonly string[];

export function keyOf(obj: ObjectLike): string {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** Index: namespace. */
export const byNamespace: IndexFunc<ObjectLike> = (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []);

/** Index: uid of the controller owner (ownerReferences[controller=true]). */
export const byControllerUid: IndexFunc<ObjectLike> = (o) => {
  const ref = o.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref ? [ref.uid] : [];
};

/** Index factory: `namespace/<label value>` for one label key, so equal values in two namespaces never mix. */
export function byLabel(key: string): IndexFunc<ObjectLike> {
  return (o) => {
    const v = o.metadata?.labels?.[key];
    return v === undefined ? [] : [objectKey(o.metadata?.namespace, v)];
  };
}

export interface ReplaceResult<T> {
  added: T[];
  updated: [T, T][];
  deleted: T[];
}

export class Store<T extends ObjectLike> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, { fn: IndexFunc<T>; index: Map<string, Set<string>>; revisions: Map<string, number> }>();
  /** Store-wide change counter, so a bucket's revision is never reused after it empties and refills. */
  private sequence = 0;

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    const index = new Map<string, Set<string>>();
    const revisions = new Map<string, number>();
    this.indexers.set(name, { fn, index, revisions });
    for (const [k, obj] of this.items) {
      for (const v of fn(obj)) {
        add(index, v, k);
        revisions.set(v, ++this.sequence);
      }
    }
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(objectKey(namespace, name));
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects whose index `name` contains `value`. Throws for an index nobody added (a programming error). */
  byIndex(name: string, value: string): T[] {
    const ix = this.indexers.get(name);
    if (!ix) throw new Error(`store has no index ${JSON.stringify(name)}`);
    const keys = ix.index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /**
   * A number that changes whenever an object enters, leaves or changes within the bucket `value` of
   * index `name` (0 for an empty bucket). Equal revisions mean the bucket holds the very same objects,
   * so a reconciler can tell "nothing I read has changed" without walking the bucket.
   */
  revision(name: string, value: string): number {
    const ix = this.indexers.get(name);
    if (!ix) throw new Error(`store has no index ${JSON.stringify(name)}`);
    return ix.revisions.get(value) ?? 0;
  }

  /** Insert or replace; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replace everything with a fresh list (a relist) and report what changed. */
  replace(objs: readonly T[]): ReplaceResult<T> {
    const result: ReplaceResult<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objs) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.upsert(obj);
      if (!old) result.added.push(obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) result.updated.push([old, obj]);
    }
    for (const key of [...this.items.keys()]) {
      if (seen.has(key)) continue;
      const old = this.remove(key);
      if (old) result.deleted.push(old);
    }
    return result;
  }

  private index(key: string, obj: T): void {
    for (const { fn, index, revisions } of this.indexers.values()) {
      for (const v of fn(obj)) {
        add(index, v, key);
        revisions.set(v, ++this.sequence);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const { fn, index, revisions } of this.indexers.values()) {
      for (const v of fn(obj)) {
        const set = index.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size > 0) revisions.set(v, ++this.sequence);
        else {
          index.delete(v);
          revisions.delete(v);
        }
      }
    }
  }
}

function add(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}
