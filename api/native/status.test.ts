import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import { NATIVE_GATE, finalizerReleasable, nativePendingReason, nativeRelease } from './status.js';
import type { NativePodGroup } from './wire.js';

const GANG: PodGang = {
  metadata: { name: 'g-0', namespace: 'ns' },
  spec: { podgroups: [{ name: 'g-0-a', podReferences: [], minReplicas: 2 }, { name: 'g-0-b', podReferences: [], minReplicas: 1 }] },
};

function pgOf(name: string, cond?: { status: string; reason?: string; message?: string }, extra: Partial<NativePodGroup['metadata']> = {}): NativePodGroup {
  return {
    metadata: { name, namespace: 'ns', ...extra },
    spec: { schedulingPolicy: { gang: { minCount: 1 } }, disruptionMode: { all: {} } },
    ...(cond ? { status: { conditions: [{ type: 'PodGroupInitiallyScheduled', ...cond }] } } : {}),
  };
}
const byName = (...pgs: NativePodGroup[]) => new Map(pgs.map((p) => [p.metadata.name ?? '', p]));

function pod(name: string, group: string | undefined, gates: string[], extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name, namespace: 'ns' },
    spec: { containers: [], ...(group ? { schedulingGroup: { podGroupName: group } } : {}), ...(gates.length ? { schedulingGates: gates.map((n) => ({ name: n })) } : {}) } as Pod['spec'],
    ...extra,
  } as Pod;
}

describe('nativePendingReason (from leaf PodGroups; kube-scheduler writes nothing on CompositePodGroups)', () => {
  it('names PodGroups not created yet', () => {
    expect(nativePendingReason(GANG, byName(pgOf('g-0-a')))).toEqual({ reason: 'NativeGroupsPending', message: 'native PodGroups not created yet: g-0-b.' });
  });
  it("quotes the scheduler's Unschedulable message of the first failing leaf", () => {
    const msg = 'pod group is unschedulable, 0/4 placements are available';
    expect(nativePendingReason(GANG, byName(pgOf('g-0-a', { status: 'True', reason: 'Scheduled' }), pgOf('g-0-b', { status: 'False', reason: 'Unschedulable', message: msg })))).toEqual({
      reason: 'Unschedulable',
      message: `kube-scheduler (native gang scheduling), PodGroup g-0-b: ${msg}`,
    });
  });
  it('says nothing while no leaf has failed (the pods tell the rest)', () => {
    expect(nativePendingReason(GANG, byName(pgOf('g-0-a'), pgOf('g-0-b', { status: 'True' })))).toBeUndefined();
  });
});

describe('nativeRelease: the whole gang at once', () => {
  const G = 'grove.io/podgang-pending-creation';
  it('releases nothing before the objects exist', () => {
    const pods = [pod('a1', 'g-0-a', [NATIVE_GATE]), pod('a2', 'g-0-a', [NATIVE_GATE]), pod('b1', 'g-0-b', [NATIVE_GATE])];
    expect(nativeRelease(GANG, pods, false)).toEqual([]);
  });
  it('releases nothing while a pod group lacks its minimum (one pod still behind Grove\'s gate)', () => {
    const pods = [pod('a1', 'g-0-a', [NATIVE_GATE]), pod('a2', 'g-0-a', [G, NATIVE_GATE]), pod('b1', 'g-0-b', [NATIVE_GATE])];
    expect(nativeRelease(GANG, pods, true)).toEqual([]);
  });
  it('releases every pod that waits only for the native gate once each group has its minimum', () => {
    const pods = [pod('a1', 'g-0-a', [NATIVE_GATE]), pod('a2', 'g-0-a', [NATIVE_GATE]), pod('a3', 'g-0-a', [G, NATIVE_GATE]), pod('b1', 'g-0-b', [NATIVE_GATE])];
    expect(nativeRelease(GANG, pods, true).map((p) => p.metadata?.name)).toEqual(['a1', 'a2', 'b1']);
  });
  it('counts pods already released (a replacement pod joins a running gang alone)', () => {
    const pods = [pod('a1', 'g-0-a', []), pod('a2', 'g-0-a', [NATIVE_GATE]), pod('b1', 'g-0-b', [])];
    expect(nativeRelease(GANG, pods, true).map((p) => p.metadata?.name)).toEqual(['a2']);
  });
  it('ignores terminating pods and pods outside native groups', () => {
    const pods = [pod('a1', 'g-0-a', [NATIVE_GATE], { metadata: { name: 'a1', deletionTimestamp: '2026-01-01T00:00:00Z' } }), pod('a2', 'g-0-a', [NATIVE_GATE]), pod('x', undefined, [NATIVE_GATE]), pod('b1', 'g-0-b', [NATIVE_GATE])];
    expect(nativeRelease(GANG, pods, true)).toEqual([]);
  });
});

describe('finalizerReleasable: deletion never hangs on PodGroupProtection', () => {
  const F = 'scheduling.k8s.io/podgroup-protection';
  const deleting = pgOf('g-0-a', undefined, { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [F] });
  it('lifts it once no pod of the group is left, or only finished ones', () => {
    expect(finalizerReleasable(deleting, [pod('other', 'g-0-b', [])])).toBe(true);
    expect(finalizerReleasable(deleting, [pod('done', 'g-0-a', [], { status: { phase: 'Succeeded' } })])).toBe(true);
  });
  it('keeps it while a pod of the group remains', () => {
    expect(finalizerReleasable(deleting, [pod('a1', 'g-0-a', [])])).toBe(false);
  });
  it('leaves a PodGroup that is not being deleted, or has no such finalizer', () => {
    expect(finalizerReleasable(pgOf('g-0-a', undefined, { finalizers: [F] }), [])).toBe(false);
    expect(finalizerReleasable(pgOf('g-0-a', undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }), [])).toBe(false);
  });
});
