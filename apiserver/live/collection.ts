// One live resource: the objects last computed from the informer caches, each with the
// resourceVersion at which it last changed, and a bounded history of changes for watches.
//
// Informer events only mark keys dirty (cheap, synchronous). `flush()` recomputes the dirty keys,
// keeps an object's version when its content did not change, and hands the real changes to the
// watchers. Every read flushes first, so a GET or LIST always reflects the caches at that moment.
// While someone watches, a timer flushes shortly after events too, so a watch streams changes
// without anyone reading; with no watcher nothing is recomputed until a read asks for it, so a
// deploy that changes a big view thousands of times costs one computation per read, not per event.
//
// The history is bounded by bytes as well as by count: one view of a 500-replica PodCliqueSet is
// ~400 KB of JSON, and a count bound alone let it hold gigabytes. A watch that resumes from a
// version older than the history gets 410 Expired and relists, as it does from kube-apiserver.
import { createHash } from 'node:crypto';

import type { ViewObject } from '../../api/views/meta.js';
import type { Cell, RowFragments } from '../table.js';
import type { ResourceVersionClock } from './clock.js';

/**
 * A string that sorts `parts` in natural order (digit runs as numbers: `r-2` before `r-10`), for plain
 * string comparison: sorting thousands of objects with localeCompare would cost milliseconds per list.
 */
export function naturalSortKey(...parts: readonly string[]): string {
  return parts.map((p) => p.replace(/\d+/g, (d) => d.padStart(12, '0'))).join('\u0000');
}

/**
 * A view object's JSON in three parts, `head + metadata + tail`, so the object is serialized once:
 * the version without a resourceVersion decides whether it changed, and the served one differs only
 * in the (small) metadata. Keys come in the object's order but for apiVersion, kind and metadata,
 * which lead, as in every Kubernetes object.
 */
export function viewJsonParts(obj: ViewObject): { head: string; metadata: string; tail: string } {
  const rest = JSON.stringify({ ...obj, apiVersion: undefined, kind: undefined, metadata: undefined });
  return {
    head: `{"apiVersion":${JSON.stringify(obj.apiVersion)},"kind":${JSON.stringify(obj.kind)},"metadata":`,
    metadata: JSON.stringify(obj.metadata),
    tail: rest === '{}' ? '}' : `,${rest.slice(1)}`,
  };
}

export interface Versioned {
  key: string;
  rv: number;
  object: ViewObject;
  /** The object as served (with metadata.resourceVersion). */
  json: string;
  /** Digest of the object without resourceVersion: what decides whether it changed. A digest, not
   * the text, so a big view is held once (as `json`), not twice. */
  digest: string;
  /** List position: objects are listed in ascending order of this string. */
  sortKey: string;
  /** Table cells without AGE, computed on first use. */
  cells?: Cell[];
  /** Those cells as JSON around AGE, on first use. */
  row?: RowFragments;
  /** The PartialObjectMetadata JSON, on first use. */
  partial?: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  rv: number;
  current: Versioned;
  /** The version before this change (for MODIFIED and DELETED). */
  previous?: Versioned;
}

export type ChangeListener = (changes: readonly Change[]) => void;

export interface CollectionOptions {
  clock: ResourceVersionClock;
  /** The object for a key now, or undefined when it does not exist. Must not throw for a missing source. */
  compute: (key: string) => ViewObject | undefined;
  /** Every key that may exist now (the source objects' keys). */
  keys: () => Iterable<string>;
  /** List order: ascending by this string (see naturalSortKey). */
  sortKey: (obj: ViewObject) => string;
  /** Changes kept for watches that resume from a resourceVersion. */
  historySize?: number;
  /** Bytes of served JSON those changes may hold (default 8 MiB); the oldest go first. */
  historyBytes?: number;
  /** Delay between the first dirty mark and the flush that streams it, while someone watches. The
   * delay grows to ten times the last flush's duration, so streaming a view that is expensive to
   * compute takes a bounded share of the event loop. */
  flushDelayMs?: number;
  /** A compute that throws is logged and skipped (the previous version stays). */
  onError?: (key: string, err: unknown) => void;
}

export class LiveCollection {
  private readonly items = new Map<string, Versioned>();
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private sorted: Versioned[] | undefined;
  private position = new Map<string, number>();
  private history: Change[] = [];
  private historyUsed = 0;
  private lastFlushMs = 0;
  /** The newest resourceVersion no longer in `history` (watches from before it get 410). */
  private forgottenUpTo = 0;
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private readonly historySize: number;
  private readonly historyBytes: number;

  constructor(private readonly opts: CollectionOptions) {
    this.historySize = opts.historySize ?? 10_000;
    this.historyBytes = opts.historyBytes ?? 8 * 1024 * 1024;
  }

  markDirty(key: string): void {
    this.dirty.add(key);
    this.schedule();
  }

  markAllDirty(): void {
    this.allDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.listeners.size === 0) return;
    const delay = Math.max(this.opts.flushDelayMs ?? 20, Math.ceil(this.lastFlushMs * 10));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
    this.timer.unref();
  }

  /** Recompute what is dirty; returns the changes (also handed to the listeners). */
  flush(): Change[] {
    if (!this.allDirty && this.dirty.size === 0) return [];
    let keys: Iterable<string>;
    if (this.allDirty) {
      const all = new Set(this.items.keys());
      for (const k of this.opts.keys()) all.add(k);
      keys = all;
    } else keys = [...this.dirty];
    this.allDirty = false;
    this.dirty.clear();
    const started = performance.now();
    const changes: Change[] = [];
    for (const key of keys) {
      const change = this.recompute(key);
      if (change) changes.push(change);
    }
    this.lastFlushMs = performance.now() - started;
    if (changes.length === 0) return changes;
    this.record(changes);
    for (const l of [...this.listeners]) l(changes);
    return changes;
  }

  private recompute(key: string): Change | undefined {
    const previous = this.items.get(key);
    let obj: ViewObject | undefined;
    try {
      obj = this.opts.compute(key);
    } catch (err) {
      this.opts.onError?.(key, err);
      return undefined;
    }
    if (!obj) {
      if (!previous) return undefined;
      this.items.delete(key);
      this.sorted = undefined;
      const rv = this.opts.clock.next();
      const object = { ...previous.object, metadata: { ...previous.object.metadata, resourceVersion: this.opts.clock.format(rv) } };
      const current: Versioned = { key, rv, object, json: JSON.stringify(object), digest: previous.digest, sortKey: previous.sortKey };
      return { type: 'DELETED', rv, current, previous };
    }
    const parts = viewJsonParts(obj);
    const digest = createHash('sha1').update(parts.head).update(parts.metadata).update(parts.tail).digest('base64');
    if (previous && previous.digest === digest) return undefined;
    const rv = this.opts.clock.next();
    obj.metadata.resourceVersion = this.opts.clock.format(rv);
    const json = `${parts.head}${JSON.stringify(obj.metadata)}${parts.tail}`;
    const current: Versioned = { key, rv, object: obj, json, digest, sortKey: previous?.sortKey ?? this.opts.sortKey(obj) };
    this.items.set(key, current);
    const at = this.position.get(key);
    if (this.sorted && at !== undefined) this.sorted[at] = current;
    else this.sorted = undefined;
    return previous ? { type: 'MODIFIED', rv, current, previous } : { type: 'ADDED', rv, current };
  }

  private record(changes: readonly Change[]): void {
    for (const c of changes) {
      this.history.push(c);
      this.historyUsed += c.current.json.length;
    }
    // Trim below the bounds, not to them, so a full history is not sliced on every flush.
    if (this.history.length <= this.historySize * 2 && this.historyUsed <= this.historyBytes) return;
    let drop = Math.max(0, this.history.length - this.historySize);
    let used = this.historyUsed;
    for (let i = 0; i < drop; i++) used -= this.history[i]?.current.json.length ?? 0;
    while (drop < this.history.length && used > this.historyBytes * 0.75) used -= this.history[drop++]?.current.json.length ?? 0;
    this.forgottenUpTo = this.history[drop - 1]?.rv ?? this.forgottenUpTo;
    this.history = this.history.slice(drop);
    this.historyUsed = used;
  }

  /** How many changes, and bytes of JSON, the history holds (for tests and metrics). */
  historyStats(): { changes: number; bytes: number } {
    return { changes: this.history.length, bytes: this.historyUsed };
  }

  get(key: string): Versioned | undefined {
    this.flush();
    return this.items.get(key);
  }

  /** Every object in list order. */
  list(): readonly Versioned[] {
    this.flush();
    if (!this.sorted) {
      const sorted = [...this.items.values()].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
      this.position = new Map(sorted.map((v, i) => [v.key, i]));
      this.sorted = sorted;
    }
    return this.sorted;
  }

  /**
   * Changes after counter value `since`, oldest first; undefined when some of them were already
   * forgotten (the caller answers 410 Expired and the client relists).
   */
  changesSince(since: number): Change[] | undefined {
    this.flush();
    if (since < this.forgottenUpTo) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.history[mid]?.rv ?? 0) <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (this.allDirty || this.dirty.size > 0) this.schedule();
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.items.size;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}
