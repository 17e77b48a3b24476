import { describe, expect, it } from 'vitest';
import { TokenBucket } from './ratelimit.js';

describe('TokenBucket', () => {
  it('allows a burst, then paces at qps', async () => {
    const b = new TokenBucket(50, 3);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) await b.take();
    expect(performance.now() - t0).toBeLessThan(15);
    await b.take();
    await b.take();
    // two more tokens at 50/s need about 40 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30);
  });

  it('an aborted waiter leaves the queue', async () => {
    const b = new TokenBucket(1, 1);
    await b.take();
    const ctl = new AbortController();
    const p = b.take(ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/qps > 0/);
  });
});
