import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('dedupes keys that are waiting', async () => {
    const q = new WorkQueue({ name: 't1' });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands one key to two workers; an add during processing comes back after done()', async () => {
    const q = new WorkQueue({ name: 't2' });
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await tick();
    expect(second).toBeUndefined();
    q.done(first as string);
    await tick();
    expect(second).toBe('a');
  });

  it('backs off exponentially per key and forget() resets it', () => {
    const q = new WorkQueue({ name: 't3', baseDelayMs: 10, maxDelayMs: 100 });
    expect([0, 1, 2, 3, 4, 5].map((n) => q.backoff(n))).toEqual([10, 20, 40, 80, 100, 100]);
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.numRequeues('a')).toBe(2);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    q.shutdown();
  });

  it('addAfter delivers later and keeps the earliest schedule', async () => {
    const q = new WorkQueue({ name: 't4' });
    q.addAfter('a', 200);
    q.addAfter('a', 20);
    q.addAfter('a', 500);
    expect(q.len()).toBe(0);
    await tick(60);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.shutdown();
  });

  it('shutdown releases waiting workers with undefined', async () => {
    const q = new WorkQueue({ name: 't5' });
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
    q.add('x');
    expect(q.len()).toBe(0);
  });
});
