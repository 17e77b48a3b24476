import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/wire.js';
import type { PodGang } from '../api/generated/types.js';
import { partialGangDecision, type PartialGangInput } from './partial-gang.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const gang: PodGang = {
  metadata: { name: 'w-0', namespace: 'ns' },
  spec: {
    podgroups: [
      { name: 'w-0-a', podReferences: [], minReplicas: 2 },
      { name: 'w-0-b', podReferences: [], minReplicas: 1 },
    ],
  },
};

function pod(name: string, clique: string, o: { node?: string; boundAt?: number; createdAt?: number; reservedOn?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: at(o.createdAt ?? 0),
      labels: { 'grove.io/podclique': clique, 'grove.io/podgang': 'w-0' },
      ...(o.reservedOn ? { annotations: { 'scheduling.copse.io/node': o.reservedOn, 'scheduling.copse.io/planned-at': at(0) } } : {}),
      ...(o.deleting ? { deletionTimestamp: at(1) } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    ...(o.node ? { status: { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(o.boundAt ?? 0) }] } } : {}),
  };
}

const input = (pods: Pod[], o: Partial<PartialGangInput> = {}): PartialGangInput => ({ gang, pods, everAvailable: () => false, nowMs: T0 + 100_000, timeoutMs: 60_000, ...o });

// a-0 and b-0 bound at 10 s; a-1 recreated at 35 s after its reservation expired, with no room left.
const partial = () => [pod('w-0-a-0', 'w-0-a', { node: 'n1', boundAt: 10 }), pod('w-0-b-0', 'w-0-b', { node: 'n2', boundAt: 10 }), pod('w-0-a-1', 'w-0-a', { createdAt: 35 })];

describe('partialGangDecision', () => {
  it('unwinds a partly bound gang once nothing has changed for the timeout, naming the short groups', () => {
    const d = partialGangDecision(input(partial()));
    expect(d.action).toBe('unwind');
    if (d.action !== 'unwind') return;
    expect(d.pods.map((p) => p.metadata?.name)).toEqual(['w-0-a-0', 'w-0-b-0']);
    expect(d.message).toBe(
      'PodGang w-0 was partly bound (bound/minReplicas: w-0-a 1/2) and the rest found no room for 60s; deleting its 2 bound pod(s) so the whole gang is placed again',
    );
  });

  it('waits out the rest of the timeout, counted from the latest binding or creation', () => {
    expect(partialGangDecision(input(partial(), { nowMs: T0 + 45_000 }))).toEqual({ action: 'wait', afterMs: 50_000 });
    const late = [...partial().slice(0, 2), pod('w-0-a-1', 'w-0-a', { createdAt: 90 })];
    expect(partialGangDecision(input(late))).toEqual({ action: 'wait', afterMs: 50_000 });
  });

  it('leaves alone a gang that has run: that is gang termination\'s (terminationDelay)', () => {
    expect(partialGangDecision(input(partial(), { everAvailable: (c) => c === 'w-0-b' }))).toEqual({ action: 'none' });
  });

  it('leaves alone a gang with its minimum bound, with nothing bound, or with a reservation still pending', () => {
    const whole = [...partial().slice(0, 2), pod('w-0-a-1', 'w-0-a', { node: 'n3', boundAt: 20 }), pod('w-0-a-2', 'w-0-a', { createdAt: 30 })];
    expect(partialGangDecision(input(whole))).toEqual({ action: 'none' });
    expect(partialGangDecision(input([pod('w-0-a-0', 'w-0-a'), pod('w-0-a-1', 'w-0-a'), pod('w-0-b-0', 'w-0-b')]))).toEqual({ action: 'none' });
    const reserved = [...partial().slice(0, 2), pod('w-0-a-1', 'w-0-a', { reservedOn: 'n3' })];
    expect(partialGangDecision(input(reserved))).toEqual({ action: 'none' });
  });

  it('does not count a terminating pod as bound, and never unwinds with a timeout of 0', () => {
    const going = [pod('w-0-a-0', 'w-0-a', { node: 'n1', deleting: true }), pod('w-0-a-1', 'w-0-a'), pod('w-0-b-0', 'w-0-b')];
    expect(partialGangDecision(input(going))).toEqual({ action: 'none' });
    expect(partialGangDecision(input(partial(), { timeoutMs: 0 }))).toEqual({ action: 'none' });
  });
});
