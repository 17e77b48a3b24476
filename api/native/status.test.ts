import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import { NATIVE_GATE, assumeLifted, baseGangsPending, boundStateChanged, finalizerReleasable, minimumBound, nativeExtrasRelease, nativePendingReason, nativeRelease, podCliqueSetMinimumBound, stillLifting } from './status.js';
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

// Grove's workload2 base gang: pc-a 2 pods (min 1), sg-x-0 pc-b 1 (min 1), sg-x-0 pc-c 3 (min 1). Only
// index 0 of each joins its PodGroup (backend.ts, joinsPodGroup); the others are extras.
describe('nativeRelease and nativeExtrasRelease: the minimum in its groups, extras once the unit has its minimum', () => {
  const W2: PodGang = {
    metadata: { name: 'w-0', namespace: 'ns' },
    spec: {
      podgroups: [
        { name: 'w-0-pc-a', podReferences: [], minReplicas: 1 },
        { name: 'w-0-sg-x-0-pc-b', podReferences: [], minReplicas: 1 },
        { name: 'w-0-sg-x-0-pc-c', podReferences: [], minReplicas: 1 },
      ],
    },
  };
  const of = (name: string, clique: string, member: boolean, gates: string[], node?: string): Pod => {
    const p = pod(name, member ? clique : undefined, gates);
    return { ...p, metadata: { ...p.metadata, labels: { 'grove.io/podclique': clique } }, spec: { ...p.spec, ...(node ? { nodeName: node } : {}) } as Pod['spec'] };
  };
  const base = (bound: boolean) => [
    of('a-0', 'w-0-pc-a', true, bound ? [] : [NATIVE_GATE], bound ? 'n1' : undefined),
    of('a-1', 'w-0-pc-a', false, [NATIVE_GATE]),
    of('b-0', 'w-0-sg-x-0-pc-b', true, bound ? [] : [NATIVE_GATE], bound ? 'n2' : undefined),
    of('c-0', 'w-0-sg-x-0-pc-c', true, bound ? [] : [NATIVE_GATE], bound ? 'n3' : undefined),
    of('c-1', 'w-0-sg-x-0-pc-c', false, [NATIVE_GATE]),
    of('c-2', 'w-0-sg-x-0-pc-c', false, [NATIVE_GATE]),
  ];
  const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name);
  const labels: Record<string, Record<string, string>> = {
    n1: { rack: 'r1', block: 'b1' },
    n2: { rack: 'r2', block: 'b1' },
    n3: { rack: 'r3', block: 'b1' },
  };
  const nodeLabels = (n: string) => labels[n];

  it('lifts the members of the PodGroups together, never an extra', () => {
    expect(names(nativeRelease(W2, base(false), true))).toEqual(['a-0', 'b-0', 'c-0']);
  });
  it('keeps the extras while the minimum is not bound', () => {
    expect(minimumBound(W2, base(false))).toBe(false);
    expect(nativeExtrasRelease(W2, base(false), false, nodeLabels)).toEqual([]);
  });
  it('keeps the extras while another gang of the unit lacks its minimum, then lifts every one', () => {
    expect(minimumBound(W2, base(true))).toBe(true);
    expect(nativeExtrasRelease(W2, base(true), false, nodeLabels)).toEqual([]);
    expect(nativeExtrasRelease(W2, base(true), true, nodeLabels).map((e) => [e.pod.metadata?.name, 'selector' in e ? e.selector : e.wait])).toEqual([
      ['a-1', {}],
      ['c-1', {}],
      ['c-2', {}],
    ]);
  });
  it('pins an extra to every required domain above it, from a bound pod of its PodClique', () => {
    const packed: PodGang = {
      ...W2,
      spec: {
        ...W2.spec,
        topologyConstraint: { packConstraint: { required: 'block' } },
        podgroups: W2.spec.podgroups.map((g) => (g.name === 'w-0-sg-x-0-pc-c' ? { ...g, topologyConstraint: { packConstraint: { required: 'rack' } } } : g)),
      },
    };
    const lifts = nativeExtrasRelease(packed, base(true), true, nodeLabels);
    expect(lifts.map((e) => [e.pod.metadata?.name, 'selector' in e ? e.selector : e.wait])).toEqual([
      ['a-1', { block: 'b1' }],
      ['c-1', { rack: 'r3', block: 'b1' }],
      ['c-2', { rack: 'r3', block: 'b1' }],
    ]);
  });
  it('an extra waits while no pod of its PodClique is bound where its domains can be read', () => {
    const packed: PodGang = { ...W2, spec: { ...W2.spec, topologyConstraint: { packConstraint: { required: 'zone' } } } };
    const lifts = nativeExtrasRelease(packed, base(true), true, nodeLabels);
    expect(lifts.map((e) => ('wait' in e ? e.wait : 'lifted'))).toEqual([
      'no pod of w-0-pc-a is bound to a node with zone',
      'no pod of w-0-sg-x-0-pc-c is bound to a node with zone',
      'no pod of w-0-sg-x-0-pc-c is bound to a node with zone',
    ]);
  });
  it('a replacement pod of a bound minimum is lifted alone, with no extra', () => {
    const ps = base(true).map((p) => (p.metadata?.name === 'a-0' ? of('a-0', 'w-0-pc-a', true, [NATIVE_GATE]) : p));
    expect(names(nativeRelease(W2, ps, true))).toEqual(['a-0']);
    expect(minimumBound(W2, ps)).toBe(false);
  });
});

describe('assumeLifted / stillLifting: a pass before the cache shows earlier lifts', () => {
  const uid = (p: Pod, u: string): Pod => ({ ...p, metadata: { ...p.metadata, uid: u } });
  it('counts pods whose lift was sent as past the gate: a pass before the cache shows it does not lift them again', () => {
    // Lifting again is not harmless: a pinned pod's nodeSelector cannot be patched once it is past its gates.
    const W: PodGang = { metadata: { name: 'w-0', namespace: 'ns' }, spec: { podgroups: [{ name: 'w-0-c', podReferences: [], minReplicas: 2 }] } };
    const ps = [uid(pod('c-0', 'w-0-c', [NATIVE_GATE]), 'u0'), uid(pod('c-1', 'w-0-c', [NATIVE_GATE]), 'u1')];
    expect(nativeRelease(W, ps, true).map((p) => p.metadata?.name)).toEqual(['c-0', 'c-1']);
    expect(nativeRelease(W, assumeLifted(ps, new Set(['u0', 'u1'])), true)).toEqual([]);
    expect(assumeLifted(ps, new Set(['u1'])).map((p) => p.spec?.schedulingGates?.map((g) => g.name) ?? [])).toEqual([[NATIVE_GATE], []]);
  });
  it('keeps other gates, and forgets a lift once the cache shows it or the pod is gone', () => {
    const held = uid(pod('c-1', 'w-0-c', ['grove.io/podgang-pending-creation', NATIVE_GATE]), 'u1');
    expect(assumeLifted([held], new Set(['u1']))[0]?.spec?.schedulingGates).toEqual([{ name: 'grove.io/podgang-pending-creation' }]);
    const seen = uid(pod('c-2', 'w-0-c', []), 'u2');
    expect([...stillLifting([held, seen], new Set(['u1', 'u2', 'gone']))]).toEqual(['u1']);
  });
});

describe('minimumBound', () => {
  it('needs minReplicas live pods of each PodClique on nodes, members and extras alike', () => {
    const on = (name: string, clique: string, node?: string, extra: Partial<Pod['metadata']> = {}): Pod => ({
      metadata: { name, namespace: 'ns', labels: { 'grove.io/podclique': clique }, ...extra },
      spec: { containers: [], ...(node ? { nodeName: node } : {}) },
    });
    expect(minimumBound(GANG, [on('a1', 'g-0-a', 'n1'), on('a2', 'g-0-a', 'n2'), on('b1', 'g-0-b', 'n3')])).toBe(true);
    expect(minimumBound(GANG, [on('a1', 'g-0-a', 'n1'), on('a2', 'g-0-a'), on('b1', 'g-0-b', 'n3')])).toBe(false);
    expect(minimumBound(GANG, [on('a1', 'g-0-a', 'n1'), on('a2', 'g-0-a', 'n2', { deletionTimestamp: '2026-01-01T00:00:00Z' }), on('b1', 'g-0-b', 'n3')])).toBe(false);
    expect(minimumBound(GANG, [])).toBe(false);
  });
});

describe('boundStateChanged: which pod events can change the bound minimum of a gang', () => {
  const p = (node?: string, deleting = false): Pod => ({
    metadata: { name: 'a1', namespace: 'ns', labels: { 'grove.io/podclique': 'g-0-a' }, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [], ...(node ? { nodeName: node } : {}) },
  });
  it('a binding, a deletion starting, a bound pod going', () => {
    expect(boundStateChanged(p(), p('n1'))).toBe(true);
    expect(boundStateChanged(p('n1'), p('n1', true))).toBe(true);
    expect(boundStateChanged(p('n1'), undefined)).toBe(true);
    expect(boundStateChanged(undefined, p('n1'))).toBe(true);
  });
  it('not a status update of a bound pod, a gated pod arriving or an unbound pod going', () => {
    const running = { ...p('n1'), status: { phase: 'Running' } };
    expect(boundStateChanged(p('n1'), running)).toBe(false);
    expect(boundStateChanged(undefined, p())).toBe(false);
    expect(boundStateChanged(p(), undefined)).toBe(false);
    expect(boundStateChanged(p('n1', true), undefined)).toBe(false);
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
  it('when copse replaces the group, lifts it while its pods are unbound (they rejoin the new one), not once one is bound', () => {
    expect(finalizerReleasable(deleting, [pod('a1', 'g-0-a', [NATIVE_GATE]), pod('a2', 'g-0-a', [])], true)).toBe(true);
    const bound = { ...pod('a2', 'g-0-a', []), spec: { containers: [], schedulingGroup: { podGroupName: 'g-0-a' }, nodeName: 'n1' } } as Pod;
    expect(finalizerReleasable(deleting, [pod('a1', 'g-0-a', []), bound], true)).toBe(false);
  });
  it('leaves a PodGroup that is not being deleted, or has no such finalizer', () => {
    expect(finalizerReleasable(pgOf('g-0-a', undefined, { finalizers: [F] }), [])).toBe(false);
    expect(finalizerReleasable(pgOf('g-0-a', undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }), [])).toBe(false);
  });
});

describe('podCliqueSetMinimumBound: extras wait for every replica of the PodCliqueSet (Grove GS10, GS12)', () => {
  const gangOf = (name: string, deleting = false): PodGang => ({
    metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { podgroups: [{ name: `${name}-pc-a`, podReferences: [], minReplicas: 1 }] },
  });
  const boundIn = (gang: string): Pod[] => [{ metadata: { name: `${gang}-pc-a-0`, namespace: 'ns', labels: { 'grove.io/podclique': `${gang}-pc-a` } }, spec: { containers: [], nodeName: 'n1' } } as Pod];
  const [r0, r1] = [gangOf('w-0'), gangOf('w-1')];

  it('holds replica 0 extras while replica 1 base gang has no pod bound', () => {
    const pods = new Map([['w-0', boundIn('w-0')]]);
    expect(podCliqueSetMinimumBound([r0, r1], (g) => pods.get(g.metadata.name ?? '') ?? [])).toBe(false);
  });
  it('lets them go once every replica has its minimum, a gang being deleted aside', () => {
    const pods = new Map([['w-0', boundIn('w-0')], ['w-1', boundIn('w-1')]]);
    expect(podCliqueSetMinimumBound([r0, r1, gangOf('w-2', true)], (g) => pods.get(g.metadata.name ?? '') ?? [])).toBe(true);
  });
});

describe('baseGangsPending: a scaled gang waits for the base gang of every replica (Grove GS10)', () => {
  const gangOf = (name: string, deleting = false): PodGang => ({
    metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { podgroups: [{ name: `${name}-pc-a`, podReferences: [], minReplicas: 1 }] },
  });
  const boundIn = (gang: string): Pod[] => [{ metadata: { name: `${gang}-pc-a-0`, namespace: 'ns', labels: { 'grove.io/podclique': `${gang}-pc-a` } }, spec: { containers: [], nodeName: 'n1' } } as Pod];
  const gangs = [gangOf('w-0'), gangOf('w-1'), gangOf('w-0-sg-x-0'), gangOf('w-1-sg-x-0'), gangOf('w-10')];

  it('names every base gang short of its minimum, sorted, and ignores scaled gangs that are short', () => {
    const pods = new Map([['w-1', boundIn('w-1')]]);
    expect(baseGangsPending('w', gangs, (g) => pods.get(g.metadata.name ?? '') ?? [])).toEqual({
      reason: 'BaseGangsPending',
      message: 'a scaled gang is released after the base gang of every replica has its minimum bound; waiting for w-0, w-10.',
    });
  });
  it('is undefined once every base gang has its minimum, a base gang being deleted aside', () => {
    const pods = new Map(['w-0', 'w-1'].map((g) => [g, boundIn(g)]));
    expect(baseGangsPending('w', [...gangs.slice(0, 4), gangOf('w-10', true)], (g) => pods.get(g.metadata.name ?? '') ?? [])).toBeUndefined();
  });
  it('does not take the gangs of a PodCliqueSet whose name extends this one for base gangs', () => {
    expect(baseGangsPending('w', [gangOf('w-x-0')], () => [])).toBeUndefined();
  });
});
