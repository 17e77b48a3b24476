import { describe, expect, it } from 'vitest';
import { Expectations } from './expectations.js';

describe('Expectations', () => {
  it('is unsatisfied until every expected creation and deletion has been observed', () => {
    const e = new Expectations();
    expect(e.satisfied('k')).toBe(true);
    e.expectCreations('k', 2);
    e.expectDeletions('k', ['u1']);
    expect(e.satisfied('k')).toBe(false);
    e.creationObserved('k');
    e.creationObserved('k');
    expect(e.satisfied('k')).toBe(false);
    e.deletionObserved('k', 'other');
    expect(e.pending('k')).toEqual({ creates: 0, deletes: 1 });
    e.deletionObserved('k', 'u1');
    expect(e.satisfied('k')).toBe(true);
  });

  it('an observation before the expectation (the ADD raced the create call) does not go negative', () => {
    const e = new Expectations();
    e.creationObserved('k');
    e.expectCreations('k', 1);
    expect(e.satisfied('k')).toBe(false);
  });

  it('expires after the TTL so a lost event cannot wedge a controller', () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    e.expectCreations('k', 3);
    now = 999;
    expect(e.satisfied('k')).toBe(false);
    now = 1001;
    expect(e.satisfied('k')).toBe(true);
    expect(e.pending('k')).toEqual({ creates: 0, deletes: 0 });
  });
});
