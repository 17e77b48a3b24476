import { describe, expect, it } from 'vitest';
import { WritePacer } from './pacer.js';
import { UnseenWrites } from './unseen-writes.js';

describe('WritePacer', () => {
  it('lets the first write through, holds the next for the rest of the interval, then frees the key', () => {
    let t = 0;
    const p = new WritePacer(1000, () => t);
    expect(p.waitMs('a')).toBe(0);
    p.wrote('a');
    t = 300;
    expect(p.waitMs('a')).toBe(700);
    // Other keys are independent.
    expect(p.waitMs('b')).toBe(0);
    t = 1000;
    expect(p.waitMs('a')).toBe(0);
    // An expired entry is dropped, so keys of deleted objects do not pile up.
    expect(p.size).toBe(0);
  });

  it('forget frees a key at once', () => {
    const t = 0;
    const p = new WritePacer(1000, () => t);
    p.wrote('a');
    p.forget('a');
    expect(p.waitMs('a')).toBe(0);
  });
});

describe('UnseenWrites', () => {
  it('holds a key until the cache shows the version we wrote', () => {
    let t = 0;
    const u = new UnseenWrites(5000, () => t);
    u.record('ns/g', '17');
    t = 100;
    expect(u.waitMs('ns/g')).toBe(4900);
    // An older version arriving (the watch catching up) changes nothing.
    u.observe('ns/g', '16');
    expect(u.waitMs('ns/g')).toBe(4900);
    u.observe('ns/g', '17');
    expect(u.waitMs('ns/g')).toBe(0);
    expect(u.size).toBe(0);
  });

  it('gives up after the TTL, so a version the watch skipped stalls the key only briefly', () => {
    let t = 0;
    const u = new UnseenWrites(5000, () => t);
    u.record('ns/g', '17');
    t = 5000;
    expect(u.waitMs('ns/g')).toBe(0);
    expect(u.size).toBe(0);
  });

  it('a write without a resourceVersion in the answer records nothing', () => {
    const u = new UnseenWrites();
    u.record('ns/g', undefined);
    expect(u.waitMs('ns/g')).toBe(0);
  });
});
