// Client-side rate limiting, as client-go's QPS/Burst: a token bucket refilled at `qps` tokens per
// second holding at most `burst`. Waiters are served in arrival order, so a burst of reconciles
// cannot starve a lease renewal that queued before them.
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal | undefined }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`rate limit needs qps > 0 and burst >= 1, got qps=${qps} burst=${burst}`);
    this.tokens = burst;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** Tokens available right now (tests). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it is aborted first. */
  take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as unknown);
      const w = { resolve, reject, signal };
      this.waiters.push(w);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) {
            this.waiters.splice(i, 1);
            reject(signal.reason as unknown);
          }
        },
        { once: true },
      );
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    this.refill();
    const wait = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.qps) * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.resolve();
      }
      this.schedule();
    }, Math.ceil(wait));
  }
}
