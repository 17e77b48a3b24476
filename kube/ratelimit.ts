// Client-side rate limiting, as client-go's QPS/Burst: a token bucket refilled at `qps` tokens per
// second holding at most `burst`. Unlike client-go, waiters queue in three lanes. When the bucket is
// the bottleneck (a thousand pods arriving at once), what waits decides what users see: a lease
// renewal must never queue behind a thousand status writes, and neither should a pod's create or the
// patch that releases it to the scheduler. Status and Events are reports; a later one supersedes or
// folds into the earlier, so they can wait. Between the lease and the rest sits `release`: a patch
// that hands pods already created to the scheduler (a gate lift). During a deploy it goes before the
// next creates, so scheduling overlaps creation instead of starting once every pod exists. Within a
// lane waiters are served in arrival order; lanes are served in that order; and while low and any
// other lane wait, one token in `lowShare` goes to low, so a busy apiserver slows reports down but
// never starves them.
export type Priority = 'high' | 'release' | 'normal' | 'low';

/** The lanes, first served first. */
export const PRIORITIES: readonly Priority[] = ['high', 'release', 'normal', 'low'];

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
}

export interface TokenBucketOptions {
  /** While higher lanes wait, the low lane still gets one token in this many (default 5). */
  lowShare?: number;
  now?: () => number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly lanes: Record<Priority, Waiter[]> = { high: [], release: [], normal: [], low: [] };
  private timer: NodeJS.Timeout | undefined;
  private readonly lowShare: number;
  private servedSinceLow = 0;
  private readonly now: () => number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    opts: TokenBucketOptions = {},
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`rate limit needs qps > 0 and burst >= 1, got qps=${qps} burst=${burst}`);
    this.lowShare = Math.max(1, Math.floor(opts.lowShare ?? 5));
    this.now = opts.now ?? (() => performance.now());
    this.tokens = burst;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  private waiting(): number {
    return PRIORITIES.reduce((n, p) => n + this.lanes[p].length, 0);
  }

  /** Tokens available right now (tests). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waiters per lane (metrics and tests). */
  queued(): Record<Priority, number> {
    return { high: this.lanes.high.length, release: this.lanes.release.length, normal: this.lanes.normal.length, low: this.lanes.low.length };
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it is aborted first. */
  take(signal?: AbortSignal, priority: Priority = 'normal'): Promise<void> {
    this.refill();
    if (this.waiting() === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as unknown);
      const w: Waiter = { resolve, reject, signal };
      const lane = this.lanes[priority];
      lane.push(w);
      signal?.addEventListener(
        'abort',
        () => {
          const i = lane.indexOf(w);
          if (i >= 0) {
            lane.splice(i, 1);
            reject(signal.reason as unknown);
          }
        },
        { once: true },
      );
      this.schedule();
    });
  }

  /** The next waiter to serve: high, release, normal in turn, with low's share of tokens kept. */
  private next(): Waiter | undefined {
    const { high, release, normal, low } = this.lanes;
    const lowsTurn = low.length > 0 && (high.length + release.length + normal.length === 0 || this.servedSinceLow >= this.lowShare - 1);
    if (lowsTurn) {
      this.servedSinceLow = 0;
      return low.shift();
    }
    this.servedSinceLow++;
    return high.shift() ?? release.shift() ?? normal.shift();
  }

  private schedule(): void {
    if (this.timer || this.waiting() === 0) return;
    this.refill();
    const wait = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.qps) * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiting() > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.next()?.resolve();
      }
      this.schedule();
    }, Math.ceil(wait));
  }
}
