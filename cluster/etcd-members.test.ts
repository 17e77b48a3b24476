import { describe, expect, it } from 'vitest';
import { peerUrlUpdate } from './etcd-members.js';

describe('etcd peer URL reconciliation', () => {
  const list = (peerURLs: string[]) => ({ members: [{ ID: '1430893492784970863', name: 'copse', peerURLs }] });

  it('moves a member bootstrapped on plain HTTP to its https peer URL', () => {
    expect(peerUrlUpdate(list(['http://127.0.0.1:30661']), 'copse', ['https://127.0.0.1:30661'])).toEqual({
      ID: '1430893492784970863',
      peerURLs: ['https://127.0.0.1:30661'],
    });
  });

  it('leaves a member that already advertises the wanted URLs alone', () => {
    expect(peerUrlUpdate(list(['https://127.0.0.1:30661']), 'copse', ['https://127.0.0.1:30661'])).toBeUndefined();
  });

  it('says so when the member is missing', () => {
    expect(() => peerUrlUpdate({ members: [] }, 'copse', ['https://127.0.0.1:1'])).toThrow('copse: etcd has no member named copse; members: []');
  });
});
