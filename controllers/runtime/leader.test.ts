import { describe, expect, it } from 'vitest';
import type { Lease } from '../../api/core/wire.js';
import { decideLease } from './leader.js';

const lease = (holder: string | undefined, renewIso: string | undefined, durationS = 15): Lease => ({
  metadata: { name: 'l', namespace: 'ns' },
  spec: { holderIdentity: holder, renewTime: renewIso, leaseDurationSeconds: durationS },
});

describe('decideLease', () => {
  const now = Date.parse('2026-01-01T00:00:30Z');
  it('creates a missing lease', () => expect(decideLease(undefined, 'me', now, 15000)).toEqual({ action: 'create' }));
  it('renews its own lease', () => expect(decideLease(lease('me', '2026-01-01T00:00:29Z'), 'me', now, 15000)).toEqual({ action: 'renew' }));
  it('waits while another holder is fresh', () =>
    expect(decideLease(lease('other', '2026-01-01T00:00:20Z'), 'me', now, 15000)).toEqual({ action: 'wait', holder: 'other' }));
  it("takes over an expired holder (the lease's own duration counts)", () => {
    expect(decideLease(lease('other', '2026-01-01T00:00:10Z'), 'me', now, 15000)).toEqual({ action: 'acquire' });
    expect(decideLease(lease('other', '2026-01-01T00:00:10Z', 60), 'me', now, 15000)).toEqual({ action: 'wait', holder: 'other' });
  });
  it('takes a released lease at once', () => expect(decideLease(lease('', '2026-01-01T00:00:29Z'), 'me', now, 15000)).toEqual({ action: 'acquire' }));
});
