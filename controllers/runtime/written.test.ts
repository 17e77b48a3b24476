import { describe, expect, it } from 'vitest';
import { WrittenValues } from './written.js';

describe('WrittenValues', () => {
  it('holds until the cache shows the written value, then lets go', () => {
    const w = new WrittenValues(1000, () => 0);
    expect(w.seen('k', { a: 1 })).toBe(true);
    w.record('k', { current: 'p1' });
    expect(w.seen('k', { current: 'p0' })).toBe(false);
    expect(w.seen('k', undefined)).toBe(false);
    expect(w.seen('k', { current: 'p1' })).toBe(true);
    expect(w.seen('k', { current: 'p0' })).toBe(true);
  });

  it('expires, so a value overwritten elsewhere stalls nothing for long', () => {
    let t = 0;
    const w = new WrittenValues(1000, () => t);
    w.record('k', 1);
    t = 999;
    expect(w.seen('k', 2)).toBe(false);
    t = 1001;
    expect(w.seen('k', 2)).toBe(true);
  });

  it('keeps its own copy of what was written', () => {
    const w = new WrittenValues(1000, () => 0);
    const v = { current: 'p1' };
    w.record('k', v);
    v.current = 'p2';
    expect(w.seen('k', { current: 'p2' })).toBe(false);
    w.forget('k');
    expect(w.seen('k', { current: 'p2' })).toBe(true);
  });
});
