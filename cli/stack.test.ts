import { describe, expect, it } from 'vitest';
import { serverIsStale } from './stack.js';

describe('reusing a running copse server', () => {
  const args = ['bin/copse.js', 'serve', '--port', '1'];
  const rec = { args, startedAt: '2026-11-30T01:00:00.000Z' };
  const at = (iso: string) => Date.parse(iso);

  it('keeps a server started after the last build with the same arguments', () => {
    expect(serverIsStale(rec, args, at('2026-11-30T00:59:00Z'))).toBe(false);
    expect(serverIsStale(rec, args, undefined)).toBe(false);
  });

  it('replaces one started before the last build', () => {
    expect(serverIsStale(rec, args, at('2026-11-30T01:05:00Z'))).toBe(true);
  });

  it('replaces one started with other arguments', () => {
    expect(serverIsStale(rec, [...args, '--extender-bind-address', '127.0.0.1:2'], at('2026-11-30T00:00:00Z'))).toBe(true);
  });
});
