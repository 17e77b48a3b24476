import { describe, expect, it } from 'vitest';
import { teardownFor } from './global-setup.js';

describe('e2e global teardown', () => {
  it('stops a control plane the run started, unless asked to keep it', () => {
    expect(teardownFor({ healthy: false }, 'off', false)).toEqual({ action: 'down' });
    expect(teardownFor({ healthy: false, mode: 'native' }, 'off', false)).toEqual({ action: 'down' });
    expect(teardownFor({ healthy: false }, 'native', true)).toEqual({ action: 'leave' });
  });

  it('leaves a reused control plane as it found it', () => {
    expect(teardownFor({ healthy: true, mode: 'off' }, 'off', false)).toEqual({ action: 'leave' });
    expect(teardownFor({ healthy: true, mode: 'off' }, 'native', false)).toEqual({ action: 'restore', mode: 'off' });
    expect(teardownFor({ healthy: true, mode: 'native' }, 'off', true)).toEqual({ action: 'restore', mode: 'native' });
  });
});
