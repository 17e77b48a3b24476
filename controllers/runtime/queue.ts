// A work queue of object keys with client-go's guarantees, so reconciles are level-triggered:
// - a key is queued at most once however many events arrive (dedupe);
// - a key is processed by at most one worker at a time; an add during processing is remembered
//   and the key comes back once the worker is done, so no change is missed;
// - failures come back with per-key exponential backoff (addRateLimited), reset by forget();
// - addAfter() schedules a key for later (requeueAfter), keeping the earliest time.
import { runtimeMetrics } from './metrics.js';

export interface QueueOptions {
  name: string;
  /** First retry delay; doubles per failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly metrics = runtimeMetrics();

  constructor(private readonly opts: QueueOptions) {}

  get name(): string {
    return this.opts.name;
  }

  /** Keys waiting (not counting those being processed or scheduled for later). */
  len(): number {
    return this.queue.length;
  }

  /** Nothing waiting and nothing being processed (keys scheduled for later aside). */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.queueAdds.inc({ queue: this.opts.name });
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, performance.now());
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) this.hand(key, waiter);
    else {
      this.queue.push(key);
      this.metrics.queueDepth.set({ queue: this.opts.name }, this.queue.length);
    }
  }

  /** Add after a delay; an earlier pending schedule for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-add after a failure, backing off exponentially per key. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.metrics.queueRetries.inc({ queue: this.opts.name });
    this.addAfter(key, this.backoff(n));
  }

  /** The delay of the next rate-limited add of this key. */
  backoff(failures: number): number {
    const base = this.opts.baseDelayMs ?? 10;
    const max = this.opts.maxDelayMs ?? 60_000;
    return Math.min(max, base * 2 ** Math.min(failures, 30));
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Stop backing off this key (it succeeded). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  private hand(key: string, waiter: (key: string | undefined) => void): void {
    this.dirty.delete(key);
    this.processing.add(key);
    const t = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (t !== undefined) this.metrics.queueWait.observe({ queue: this.opts.name }, (performance.now() - t) / 1000);
    waiter(key);
  }

  /** The next key; undefined once the queue is shut down. Call done(key) when finished with it. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const key = this.queue.shift();
      this.metrics.queueDepth.set({ queue: this.opts.name }, this.queue.length);
      if (key !== undefined) this.hand(key, resolve);
      else this.waiters.push(resolve);
    });
  }

  done(key: string): void {
    this.processing.delete(key);
    if (!this.dirty.has(key)) return;
    // Added again while it was being processed: hand it out again.
    this.dirty.delete(key);
    this.add(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
