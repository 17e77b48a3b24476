// A controller's own writes that its cache has not shown yet, by object key. Reconciling an object
// from a copy older than what we just wrote recomputes a decision already made, and a patch guarded
// by that copy's resourceVersion is a certain 409. So a reconcile waits until the watch delivers the
// version we wrote (the informer calls `observe` for every event); the event that delivers it also
// requeues the key. Entries expire: a version the watch skips (a relist) stalls the key only briefly.
export const UNSEEN_WRITE_TTL_MS = 5_000;

export class UnseenWrites {
  private readonly entries = new Map<string, { rv: string; at: number }>();

  constructor(
    private readonly ttlMs = UNSEEN_WRITE_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** We wrote `key` and the server answered with `resourceVersion`. */
  record(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion) this.entries.set(key, { rv: resourceVersion, at: this.now() });
  }

  /** The cache now holds `resourceVersion` of `key`. */
  observe(key: string, resourceVersion: string | undefined): void {
    if (this.entries.get(key)?.rv === resourceVersion) this.entries.delete(key);
  }

  /** How long to wait before trusting the cached `key`: 0 when none of our writes is unseen (or the last one expired). */
  waitMs(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.at + this.ttlMs - this.now();
    if (left > 0) return Math.ceil(left);
    this.entries.delete(key);
    return 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
