// At most one status write per object per interval. A gang of pods moves through created, scheduled
// and ready within a second or two, and each step used to be its own write: at a thousand pods that
// is thousands of writes competing with pod creates for the client's rate limit. The first write of
// an interval goes at once (a user sees the first change without delay); a change inside the
// interval waits for its end and then writes the state of that moment, folding every step between.
export class WritePacer {
  private readonly last = new Map<string, number>();

  constructor(
    readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Milliseconds until `key` may be written again; 0 when it may be written now. */
  waitMs(key: string): number {
    const at = this.last.get(key);
    if (at === undefined) return 0;
    const left = at + this.intervalMs - this.now();
    if (left > 0) return Math.ceil(left);
    this.last.delete(key);
    return 0;
  }

  wrote(key: string): void {
    this.last.set(key, this.now());
  }

  forget(key: string): void {
    this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
