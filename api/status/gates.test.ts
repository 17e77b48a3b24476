import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodClique, PodGang } from '../generated/types.js';
import {
  basePodGangName,
  pcsgPodCliqueName,
  podCliqueName,
  podCliqueScalingGroupName,
  podGangNameForPcsgReplica,
} from '../names.js';
import { type GateDecision, type UngateInput, gateDecision, gateWaitMessage } from './gates.js';
import { gatedPod, podClique, podGang } from './testing.js';

// workload2 (grove-compat §9.1): pc-a r2 m1; PCSG sg-x [pc-b r1 m1, pc-c r3 m1] minAvailable 1. Base gang
// `workload2-<i>` holds pc-a and sg-x replica 0; PCSG replica j >= 1 is scaled gang `workload2-<i>-sg-x-<j-1>`.
const PCS = 'workload2';
const GATE = 'grove.io/podgang-pending-creation';
const PLACEMENT = 'scheduling.copse.io/placement';

/**
 * kube-apiserver's reading of a pod patch's `spec.schedulingGates` (a list keyed by name, patch strategy
 * merge): in a strategic-merge patch an entry with `$patch: delete` removes that name, any other entry is
 * merged in (added when missing); a plain list in a merge patch replaces the whole list.
 */
function applyGatePatch(now: readonly string[], patch: unknown): string[] {
  const spec = (patch as { spec?: { schedulingGates?: { name: string; $patch?: string }[] } }).spec;
  const entries = spec?.schedulingGates;
  if (!entries) return [...now];
  if (!entries.some((e) => e.$patch !== undefined)) return entries.map((e) => e.name);
  let out = [...now];
  for (const e of entries) {
    if (e.$patch === 'delete') out = out.filter((g) => g !== e.name);
    else if (!out.includes(e.name)) out.push(e.name);
  }
  return out;
}

interface World {
  pclqs: PodClique[];
  gangs: PodGang[];
  pods: Pod[];
}

/** PCS replica i of workload2 with `groupReplicas` sg-x replicas, every pod gated and referenced by its gang. */
function replica(i: number, groupReplicas = 2): World {
  const base = basePodGangName(PCS, i);
  const sg = podCliqueScalingGroupName(PCS, i, 'sg-x');
  const members: { pclq: string; replicas: number; gang: string; baseGang?: string }[] = [
    { pclq: podCliqueName(PCS, i, 'pc-a'), replicas: 2, gang: base },
  ];
  for (let j = 0; j < groupReplicas; j++) {
    const gang = podGangNameForPcsgReplica(PCS, i, sg, j, 1);
    const baseGang = j >= 1 ? base : undefined;
    members.push({ pclq: pcsgPodCliqueName(sg, j, 'pc-b'), replicas: 1, gang, baseGang });
    members.push({ pclq: pcsgPodCliqueName(sg, j, 'pc-c'), replicas: 3, gang, baseGang });
  }
  const pods = members.flatMap((m) => Array.from({ length: m.replicas }, (_, k) => gatedPod(`${m.pclq}-${k}`, m.pclq, m.gang)));
  const gangNames = [...new Set(members.map((m) => m.gang))];
  const gangs = gangNames.map((g) =>
    podGang(
      g,
      members
        .filter((m) => m.gang === g)
        .map((m) => ({
          name: m.pclq,
          minReplicas: 1,
          pods: pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === m.pclq).map((p) => p.metadata?.name ?? ''),
        })),
      { pcs: PCS, pcsIndex: i },
    ),
  );
  const pclqs = members.map((m) =>
    podClique(m.pclq, { pcs: PCS, pcsIndex: i, replicas: m.replicas, minAvailable: 1, gang: m.gang, baseGang: m.baseGang }),
  );
  return { pclqs, gangs, pods };
}

function merge(...worlds: World[]): World {
  return {
    pclqs: worlds.flatMap((w) => w.pclqs),
    gangs: worlds.flatMap((w) => w.gangs),
    pods: worlds.flatMap((w) => w.pods),
  };
}

/** Mark PodCliques as having `scheduled` pods scheduled (what their status reports). */
function scheduled(world: World, names: string[], count = 1): World {
  return {
    ...world,
    pclqs: world.pclqs.map((p) =>
      names.includes(p.metadata.name ?? '')
        ? { ...p, status: { readyReplicas: 0, updatedReplicas: 0, scheduleGatedReplicas: 0, scheduledReplicas: count } }
        : p,
    ),
  };
}

/** The input the PodClique controller assembles: its pods, its gang and, for a scaled gang, the base gang. */
function ungateInput(world: World, pclq: string): UngateInput {
  const p = world.pclqs.find((x) => x.metadata.name === pclq);
  if (!p) throw new Error(`no PodClique ${pclq}`);
  const gang = (label: string): PodGang | undefined => {
    const name = p.metadata.labels?.[label];
    return world.gangs.find((g) => g.metadata.name === name);
  };
  return {
    podClique: p,
    pods: world.pods.filter((x) => x.metadata?.labels?.['grove.io/podclique'] === pclq),
    podGang: gang('grove.io/podgang'),
    baseGang: gang('grove.io/base-podgang'),
    basePodCliques: world.pclqs,
  };
}

function decide(world: World, pclq: string): GateDecision {
  const input = ungateInput(world, pclq);
  const decision = gateDecision(input);
  return decision;
}

/** Names of pods lifted across the given PodCliques. */
function lifted(world: World, pclqs: string[]): string[] {
  return pclqs.flatMap((c) => decide(world, c).lift.map((l) => l.pod));
}

const BASE0 = ['workload2-0-pc-a', 'workload2-0-sg-x-0-pc-b', 'workload2-0-sg-x-0-pc-c'];
const SCALED0 = ['workload2-0-sg-x-1-pc-b', 'workload2-0-sg-x-1-pc-c'];

describe('gate lifting, GS5: base gang first, then the scaled gang', () => {
  const wl2 = replica(0);

  it('lifts every base-gang pod referenced by its gang', () => {
    expect(lifted(wl2, BASE0)).toEqual([
      'workload2-0-pc-a-0',
      'workload2-0-pc-a-1',
      'workload2-0-sg-x-0-pc-b-0',
      'workload2-0-sg-x-0-pc-c-0',
      'workload2-0-sg-x-0-pc-c-1',
      'workload2-0-sg-x-0-pc-c-2',
    ]);
  });

  it('holds the scaled gang workload2-0-sg-x-0 until the base gang is scheduled, saying why', () => {
    const d = decide(wl2, 'workload2-0-sg-x-1-pc-c');
    expect(d.lift).toEqual([]);
    expect(d.wait.map((w) => w.pod)).toEqual(['workload2-0-sg-x-1-pc-c-0', 'workload2-0-sg-x-1-pc-c-1', 'workload2-0-sg-x-1-pc-c-2']);
    expect(d.blocked).toEqual({
      reason: 'BasePodGangNotScheduled',
      podGang: 'workload2-0-sg-x-0',
      basePodGang: 'workload2-0',
      podGroups: BASE0.map((name) => ({ name, scheduled: 0, minReplicas: 1 })),
    });
    expect(gateWaitMessage(d.blocked ?? { reason: 'PodGangLabelMissing' })).toBe(
      'waiting for base PodGang workload2-0 to be scheduled (scheduled/minReplicas): workload2-0-pc-a 0/1, ' +
        'workload2-0-sg-x-0-pc-b 0/1, workload2-0-sg-x-0-pc-c 0/1',
    );
  });

  it('keeps holding while any base pod group is short, naming only the short ones', () => {
    const partly = scheduled(wl2, BASE0.slice(0, 2));
    const d = decide(partly, 'workload2-0-sg-x-1-pc-b');
    expect(d.lift).toEqual([]);
    expect(d.blocked).toMatchObject({ podGroups: [{ name: 'workload2-0-sg-x-0-pc-c', scheduled: 0, minReplicas: 1 }] });
  });

  it('lifts the scaled gang once the base minimums (exactly 3 pods) are scheduled', () => {
    expect(lifted(scheduled(wl2, BASE0), SCALED0)).toEqual([
      'workload2-0-sg-x-1-pc-b-0',
      'workload2-0-sg-x-1-pc-c-0',
      'workload2-0-sg-x-1-pc-c-1',
      'workload2-0-sg-x-1-pc-c-2',
    ]);
  });
});

describe('gate lifting, GS6–GS8: PCSG scaled to 3', () => {
  const wl2 = replica(0, 3);
  const SCALED1 = ['workload2-0-sg-x-2-pc-b', 'workload2-0-sg-x-2-pc-c'];

  it('holds both scaled gangs on the base gang, not on each other', () => {
    expect(lifted(wl2, [...SCALED0, ...SCALED1])).toEqual([]);
    expect(decide(wl2, SCALED1[0] ?? '').blocked).toMatchObject({ podGang: 'workload2-0-sg-x-1', basePodGang: 'workload2-0' });
    const afterBase = scheduled(wl2, BASE0);
    expect(lifted(afterBase, SCALED1)).toEqual([
      'workload2-0-sg-x-2-pc-b-0',
      'workload2-0-sg-x-2-pc-c-0',
      'workload2-0-sg-x-2-pc-c-1',
      'workload2-0-sg-x-2-pc-c-2',
    ]);
    expect(lifted(afterBase, SCALED0)).toHaveLength(4);
  });
});

describe('gate lifting, GS9–GS12: PCS scaled to 2', () => {
  const world = merge(replica(0), replica(1, 3));
  const BASE1 = ['workload2-1-pc-a', 'workload2-1-sg-x-0-pc-b', 'workload2-1-sg-x-0-pc-c'];

  it("lifts replica 1's base gang regardless of replica 0", () => {
    expect(lifted(world, BASE1)).toHaveLength(6);
  });

  it("holds replica 1's scaled gangs on replica 1's base gang, not replica 0's", () => {
    const only0 = scheduled(world, BASE0);
    expect(lifted(only0, ['workload2-1-sg-x-1-pc-b', 'workload2-1-sg-x-2-pc-c'])).toEqual([]);
    expect(decide(only0, 'workload2-1-sg-x-2-pc-c').blocked).toMatchObject({
      podGang: 'workload2-1-sg-x-1',
      basePodGang: 'workload2-1',
      podGroups: BASE1.map((name) => ({ name, scheduled: 0, minReplicas: 1 })),
    });
    expect(lifted(only0, SCALED0)).toHaveLength(4);
    expect(lifted(scheduled(only0, BASE1), ['workload2-1-sg-x-1-pc-b', 'workload2-1-sg-x-2-pc-c'])).toHaveLength(4);
  });
});

describe('gate lifting details', () => {
  const wl2 = replica(0);

  it('removes only its own gate, by name (a strategic-merge delete directive)', () => {
    const pod = gatedPod('workload2-0-pc-a-0', 'workload2-0-pc-a', 'workload2-0', ['copse.io/planner']);
    pod.spec = { ...pod.spec, containers: [], schedulingGates: [{ name: 'first' }, { name: GATE }, { name: 'copse.io/planner' }] };
    const world = { ...wl2, pods: [pod] };
    expect(decide(world, 'workload2-0-pc-a').lift).toEqual([
      { pod: 'workload2-0-pc-a-0', patch: { spec: { schedulingGates: [{ $patch: 'delete', name: GATE }] } } },
    ]);
  });

  // The 422 "only deletion is allowed" seen in the server's log: the placement planner lifted
  // scheduling.copse.io/placement after this pass read the pod, and the lift wrote the snapshot's
  // list minus Grove's gate, [placement], adding it back. Whatever the pod's gates are by the time the
  // patch lands (a subset of the snapshot's: gates only go), the patch may only remove.
  it('never adds a gate back when the pod lost others since it was read (stale cache)', () => {
    const snapshot = gatedPod('workload2-0-pc-a-0', 'workload2-0-pc-a', 'workload2-0', [PLACEMENT]);
    const [lift] = decide({ ...wl2, pods: [snapshot] }, 'workload2-0-pc-a').lift;
    if (!lift) throw new Error('expected a lift');
    expect(JSON.stringify(lift.patch)).not.toContain(PLACEMENT);
    for (const now of [[GATE, PLACEMENT], [PLACEMENT], [GATE], []]) {
      const after = applyGatePatch(now, lift.patch);
      expect(after.filter((g) => !now.includes(g)), `pod now gated by [${now.join(', ')}]`).toEqual([]);
      expect(after).toEqual(now.filter((g) => g !== GATE));
    }
  });

  it('writes the same patch whatever other gates the snapshot shows', () => {
    const a = gatedPod('workload2-0-pc-a-0', 'workload2-0-pc-a', 'workload2-0', [PLACEMENT]);
    const b = gatedPod('workload2-0-pc-a-0', 'workload2-0-pc-a', 'workload2-0');
    const patchOf = (p: Pod) => decide({ ...wl2, pods: [p] }, 'workload2-0-pc-a').lift[0]?.patch;
    expect(patchOf(a)).toBeDefined();
    expect(patchOf(a)).toEqual(patchOf(b));
  });

  it('leaves pods without the gate and terminating pods alone', () => {
    const ungated = gatedPod('workload2-0-pc-a-0', 'workload2-0-pc-a', 'workload2-0');
    ungated.spec = { ...ungated.spec, containers: [], schedulingGates: [{ name: 'other' }] };
    const terminating = gatedPod('workload2-0-pc-a-1', 'workload2-0-pc-a', 'workload2-0');
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' };
    expect(decide({ ...wl2, pods: [ungated, terminating] }, 'workload2-0-pc-a')).toEqual({ lift: [], wait: [], blocked: undefined });
  });

  it('waits for a pod the gang does not reference yet (created after the last gang sync)', () => {
    const late = gatedPod('workload2-0-pc-a-9', 'workload2-0-pc-a', 'workload2-0');
    const d = decide({ ...wl2, pods: [...wl2.pods, late] }, 'workload2-0-pc-a');
    expect(d.lift.map((l) => l.pod)).toEqual(['workload2-0-pc-a-0', 'workload2-0-pc-a-1']);
    expect(d.wait).toEqual([
      { pod: 'workload2-0-pc-a-9', why: { reason: 'NotReferencedByPodGang', podGang: 'workload2-0', podGroup: 'workload2-0-pc-a' } },
    ]);
    expect(d.blocked).toBeUndefined();
  });

  it('waits when the PodClique names no gang', () => {
    const fresh = replica(0);
    const pclq = fresh.pclqs.find((p) => p.metadata.name === 'workload2-0-pc-a');
    delete pclq?.metadata.labels?.['grove.io/podgang'];
    expect(decide(fresh, 'workload2-0-pc-a').blocked).toEqual({ reason: 'PodGangLabelMissing' });
  });

  it('does not count a terminating base PodClique as scheduled', () => {
    const world = scheduled(replica(0), BASE0);
    const pclqs = world.pclqs.map((p) =>
      p.metadata.name === 'workload2-0-pc-a' ? { ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } } : p,
    );
    expect(decide({ ...world, pclqs }, 'workload2-0-sg-x-1-pc-b').blocked).toMatchObject({
      reason: 'BasePodGangNotScheduled',
      podGroups: [{ name: 'workload2-0-pc-a', scheduled: 0, minReplicas: 1 }],
    });
  });

  it('waits when the gang or the base gang does not exist', () => {
    const noGangs = { ...wl2, gangs: [] };
    expect(decide(noGangs, 'workload2-0-pc-a').blocked).toEqual({ reason: 'PodGangNotFound', podGang: 'workload2-0' });
    const noBase = { ...wl2, gangs: wl2.gangs.filter((g) => g.metadata.name !== 'workload2-0') };
    const d = decide(noBase, 'workload2-0-sg-x-1-pc-b');
    expect(d.blocked).toEqual({ reason: 'BasePodGangNotFound', podGang: 'workload2-0-sg-x-0', basePodGang: 'workload2-0' });
    expect(gateWaitMessage(d.blocked ?? { reason: 'PodGangLabelMissing' })).toBe(
      'base PodGang workload2-0 of scaled PodGang workload2-0-sg-x-0 does not exist',
    );
  });

  // A gang being deleted no longer holds its
  // pods together, so releasing them would let the scheduler place them one by one.
  it('treats a terminating gang as absent', () => {
    const gangs = wl2.gangs.map((g) => ({ ...g, metadata: { ...g.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }));
    const d = gateDecision(ungateInput({ ...wl2, gangs }, 'workload2-0-pc-a'));
    expect(d.blocked).toEqual({ reason: 'PodGangNotFound', podGang: 'workload2-0' });
  });

  it.each([
    [{ reason: 'PodGangLabelMissing' } as const, 'the PodClique has no grove.io/podgang label'],
    [{ reason: 'PodGangNotFound', podGang: 'g' } as const, 'PodGang g does not exist yet'],
    [
      { reason: 'NotReferencedByPodGang', podGang: 'g', podGroup: 'p' } as const,
      'PodGang g does not reference the pod yet (pod group p)',
    ],
  ])('explains %j', (why, message) => {
    expect(gateWaitMessage(why)).toBe(message);
  });

  it('is deterministic: same inputs, same decision', () => {
    expect(decide(wl2, 'workload2-0-sg-x-1-pc-c')).toEqual(decide(wl2, 'workload2-0-sg-x-1-pc-c'));
  });
});
