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

describe('TokenBucket lanes', () => {
  it('while normal waiters queue, low still gets one token in lowShare', async () => {
    let t = 0;
    const b = new TokenBucket(1000, 1, { lowShare: 3, now: () => t });
    await b.take();
    const order: string[] = [];
    const all = [b.take(undefined, 'low').then(() => order.push('low'))];
    for (let i = 0; i < 5; i++) all.push(b.take(undefined, 'normal').then(() => order.push(`n${i}`)));
    const tick = setInterval(() => (t += 1), 1);
    await Promise.all(all);
    clearInterval(tick);
    expect(order).toEqual(['n0', 'n1', 'low', 'n2', 'n3', 'n4']);
  });

  it('high goes first, then release, then normal, then low', async () => {
    let t = 0;
    const b = new TokenBucket(1000, 1, { now: () => t });
    await b.take();
    const order: string[] = [];
    const low = b.take(undefined, 'low').then(() => order.push('low'));
    const normal = b.take(undefined, 'normal').then(() => order.push('normal'));
    const release = b.take(undefined, 'release').then(() => order.push('release'));
    const high = b.take(undefined, 'high').then(() => order.push('high'));
    const tick = setInterval(() => (t += 1), 1);
    await Promise.all([low, normal, release, high]);
    clearInterval(tick);
    expect(order).toEqual(['high', 'release', 'normal', 'low']);
    expect(b.queued()).toEqual({ high: 0, release: 0, normal: 0, low: 0 });
  });

  it('gate lifts queued behind creates overtake them, and low keeps its share of both', async () => {
    let t = 0;
    const b = new TokenBucket(1000, 1, { lowShare: 4, now: () => t });
    await b.take();
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) all.push(b.take(undefined, 'normal').then(() => order.push(`create${i}`)));
    all.push(b.take(undefined, 'low').then(() => order.push('status')));
    for (let i = 0; i < 3; i++) all.push(b.take(undefined, 'release').then(() => order.push(`lift${i}`)));
    const tick = setInterval(() => (t += 1), 1);
    await Promise.all(all);
    clearInterval(tick);
    expect(order).toEqual(['lift0', 'lift1', 'lift2', 'status', 'create0', 'create1', 'create2']);
  });
});

describe('requestPriority', () => {
  it('puts Leases first and status writes and Events last', async () => {
    const { requestPriority } = await import('./http.js');
    expect(requestPriority({ method: 'PUT', path: '/apis/coordination.k8s.io/v1/namespaces/copse-system/leases/copse-controller-leader' })).toBe('high');
    expect(requestPriority({ method: 'PATCH', path: '/apis/grove.io/v1alpha1/namespaces/a/podcliques/x/status' })).toBe('low');
    expect(requestPriority({ method: 'POST', path: '/api/v1/namespaces/a/events' })).toBe('low');
    expect(requestPriority({ method: 'PATCH', path: '/api/v1/namespaces/a/pods/p' })).toBe('normal');
    expect(requestPriority({ method: 'POST', path: '/api/v1/namespaces/a/pods' })).toBe('normal');
    // Reading a status is a read like any other.
    expect(requestPriority({ method: 'GET', path: '/apis/grove.io/v1alpha1/namespaces/a/podcliques/x/status' })).toBe('normal');
  });
});
