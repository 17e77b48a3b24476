import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodClique, PodGang } from '../generated/types.js';
import { baseGangScheduled, gatesWithoutGroveGate, hasGroveGate, podsToUngate } from './gates.js';

const GATE = 'grove.io/podgang-pending-creation';

function pod(name: string, gates: string[], terminating = false): Pod {
  return {
    metadata: { name, ...(terminating ? { deletionTimestamp: 'now' } : {}) },
    spec: { containers: [], schedulingGates: gates.map((g) => ({ name: g })) },
  };
}

function gang(name: string, groups: [string, number, string[]][]): PodGang {
  return {
    metadata: { name },
    spec: {
      podgroups: groups.map(([g, min, refs]) => ({ name: g, minReplicas: min, podReferences: refs.map((r) => ({ namespace: 'ns', name: r })) })),
    },
  };
}

function pclq(name: string, labels: Record<string, string> = {}, scheduled = 0): PodClique {
  return {
    metadata: { name, labels },
    spec: { roleName: name, replicas: 2, podSpec: { containers: [] } },
    status: { readyReplicas: 0, updatedReplicas: 0, scheduleGatedReplicas: 0, scheduledReplicas: scheduled },
  };
}

describe('gates (grove-compat §4.10)', () => {
  it('removes only the copse gate, keeping the order of the others', () => {
    const p = pod('a', ['x/first', GATE, 'x/last']);
    expect(hasGroveGate(p)).toBe(true);
    expect(gatesWithoutGroveGate(p)).toEqual([{ name: 'x/first' }, { name: 'x/last' }]);
    expect(hasGroveGate(pod('b', ['x/first']))).toBe(false);
  });

  it('releases gated pods the gang references, not others, not terminating ones', () => {
    const base = gang('p-0', [['p-0-a', 1, ['p-0-a-1', 'p-0-a-2', 'p-0-a-4']]]);
    const pods = [pod('p-0-a-2', [GATE]), pod('p-0-a-1', [GATE, 'x/other']), pod('p-0-a-3', [GATE]), pod('p-0-a-4', [GATE], true), pod('p-0-a-5', [])];
    expect(podsToUngate({ podClique: pclq('p-0-a'), pods, podGang: base }).map((p) => p.metadata?.name)).toEqual(['p-0-a-1', 'p-0-a-2']);
    expect(podsToUngate({ podClique: pclq('p-0-a'), pods })).toEqual([]);
  });

  it('holds a scaled gang until every base pod group has minReplicas scheduled', () => {
    const base = gang('p-0', [
      ['p-0-a', 2, []],
      ['p-0-g-0-b', 1, []],
    ]);
    const scaled = gang('p-0-g-0', [['p-0-g-1-b', 1, ['p-0-g-1-b-1']]]);
    const member = pclq('p-0-g-1-b', { 'grove.io/base-podgang': 'p-0' });
    const pods = [pod('p-0-g-1-b-1', [GATE])];
    const input = { podClique: member, pods, podGang: scaled, baseGang: base };

    expect(podsToUngate({ ...input, basePodCliques: [pclq('p-0-a', {}, 2), pclq('p-0-g-0-b', {}, 0)] })).toEqual([]);
    expect(podsToUngate({ ...input, basePodCliques: [pclq('p-0-a', {}, 2)] })).toEqual([]);
    expect(podsToUngate({ podClique: member, pods, podGang: scaled })).toEqual([]);
    const ready = [pclq('p-0-a', {}, 2), pclq('p-0-g-0-b', {}, 1)];
    expect(baseGangScheduled(base, ready)).toBe(true);
    expect(podsToUngate({ ...input, basePodCliques: ready }).map((p) => p.metadata?.name)).toEqual(['p-0-g-1-b-1']);
  });
});
