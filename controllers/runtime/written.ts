// Status expectations: the last value a controller wrote into some status field, per key, until the
// cache shows it. A decision that reads its own earlier decision from status (the pod or group replica
// a rolling update selected) must not run on a cache that has not seen that write yet, or it would
// choose a second time. Entries expire, so a write that never shows (overwritten by someone else)
// stalls nothing for long.
import { jsonEqual } from '../../api/json.js';

export const WRITTEN_TTL_MS = 30_000;

export class WrittenValues {
  private readonly entries = new Map<string, { value: unknown; at: number }>();

  constructor(
    private readonly ttlMs = WRITTEN_TTL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  record(key: string, value: unknown): void {
    this.entries.set(key, { value: structuredClone(value), at: this.now() });
  }

  /** True when the cache shows what was last written for `key` (or nothing is pending, or it expired). */
  seen(key: string, cached: unknown): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (jsonEqual(e.value ?? null, cached ?? null) || this.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
