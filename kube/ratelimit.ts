// Client-side rate limiting, as client-go's QPS/Burst: a token bucket refilled at `qps` tokens per
// second holding at most `burst`. Unlike client-go, waiters queue in three lanes. When the bucket is
// the bottleneck (a thousand pods arriving at once), what waits decides what users see: a lease
// renewal must never queue behind a thousand status writes, and neither should a pod's create or the
// patch that releases it to the scheduler. Status and Events are reports; a later one supersedes or
// folds into the earlier, so they can wait. Within a lane waiters are served in arrival order, and a
// waiter older than `agingMs` is served before any younger one of a higher lane, so a busy high lane
// delays the low lane by at most that much but never starves it.
export type Priority = 'high' | 'normal' | 'low';

const LANES: readonly Priority[] = ['high', 'normal', 'low'];

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  since: number;
}

export interface TokenBucketOptions {
  /** A waiter queued this long is served before younger waiters of higher lanes. */
  agingMs?: number;
  now?: () => number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly lanes: Record<Priority, Waiter[]> = { high: [], normal: [], low: [] };
  private timer: NodeJS.Timeout | undefined;
  private readonly agingMs: number;
  private readonly now: () => number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    opts: TokenBucketOptions = {},
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`rate limit needs qps > 0 and burst >= 1, got qps=${qps} burst=${burst}`);
    this.agingMs = opts.agingMs ?? 2_000;
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
    return this.lanes.high.length + this.lanes.normal.length + this.lanes.low.length;
  }

  /** Tokens available right now (tests). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waiters per lane (metrics and tests). */
  queued(): Record<Priority, number> {
    return { high: this.lanes.high.length, normal: this.lanes.normal.length, low: this.lanes.low.length };
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
      const w: Waiter = { resolve, reject, signal, since: this.now() };
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

  /** The next waiter to serve: the oldest of those past `agingMs`, else the head of the highest lane. */
  private next(): Waiter | undefined {
    const t = this.now();
    let aged: Priority | undefined;
    for (const p of LANES) {
      const head = this.lanes[p][0];
      if (head && t - head.since >= this.agingMs && (aged === undefined || head.since < (this.lanes[aged][0]?.since ?? Infinity))) aged = p;
    }
    if (aged) return this.lanes[aged].shift();
    for (const p of LANES) if (this.lanes[p].length > 0) return this.lanes[p].shift();
    return undefined;
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
