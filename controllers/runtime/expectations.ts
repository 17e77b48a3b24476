// Create/delete expectations (kube-controller-manager's ControllerExpectations), so a slow cache
// never causes duplicate pods: before creating N pods a reconciler records that it expects N
// creations, and the informer's add handler counts them off. Until every expected event has been
// seen (or the expectation expired, in case an event was lost), the reconciler must not decide
// again from the cache, which does not show its writes yet. Deletions are tracked by uid.
//
// Counting, not names: pods have generateName, and the informer may deliver the ADD before the
// create call returns, so expectations are raised before the call and lowered on failure.

export const EXPECTATION_TTL_MS = 5 * 60_000;

interface Entry {
  creates: number;
  deletes: Set<string>;
  setAt: number;
}

export class Expectations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = EXPECTATION_TTL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { creates: 0, deletes: new Set(), setAt: this.now() }));
    return e;
  }

  expectCreations(key: string, n: number): void {
    if (n <= 0) return;
    const e = this.entry(key);
    e.creates += n;
    e.setAt = this.now();
  }

  expectDeletions(key: string, uids: readonly string[]): void {
    if (uids.length === 0) return;
    const e = this.entry(key);
    for (const u of uids) e.deletes.add(u);
    e.setAt = this.now();
  }

  /** An add event for an object of `key` arrived (or a create failed and will not). */
  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (!e || e.creates === 0) return;
    e.creates--;
    this.gc(key, e);
  }

  /** A delete event (or a deletionTimestamp) for `uid` arrived, or the delete failed with NotFound. */
  deletionObserved(key: string, uid: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.deletes.delete(uid);
    this.gc(key, e);
  }

  /** True when the cache can be trusted for `key`: nothing pending, or the wait expired. */
  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (e.creates <= 0 && e.deletes.size === 0) return true;
    if (this.now() - e.setAt > this.ttlMs) {
      this.entries.delete(key);
      return true;
    }
    return false;
  }

  pending(key: string): { creates: number; deletes: number } {
    const e = this.entries.get(key);
    return { creates: e?.creates ?? 0, deletes: e?.deletes.size ?? 0 };
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private gc(key: string, e: Entry): void {
    if (e.creates <= 0 && e.deletes.size === 0) this.entries.delete(key);
  }
}
