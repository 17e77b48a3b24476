import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('leaves no abort listener behind on a long-lived signal after sleeps that end by their timer', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 30; i++) await sleep(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the signal aborts, and when it was aborted before', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    await pending;
    await sleep(60_000, stop.signal);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
