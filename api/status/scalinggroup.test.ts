import { describe, expect, it } from 'vitest';

import type { Condition, PodClique } from '../generated/types.js';
import { LABEL_PCSG_REPLICA_INDEX } from '../keys.js';
import { findCondition } from './conditions.js';
import {
  scalingGroupBreachCondition,
  scalingGroupStatus,
  scalingGroupStatusChanged,
  type ScalingGroupStatusInput,
} from './scalinggroup.js';
import { healthyPodClique, podClique, scalingGroup, T0, T1, T2 } from './testing.js';

const SG = 'pcs-0-sg';
const HASHES = { b: 'hb', c: 'hc' };

/** A healthy member of replica j for clique `clique`. */
function member(j: number, clique: 'b' | 'c', over: Parameters<typeof healthyPodClique>[1] = {}): PodClique {
  return healthyPodClique(`${SG}-${j}-${clique}`, { pcsg: SG, pcsgIndex: j, hash: HASHES[clique], gen: 'g1', ...over });
}

const breached: Condition = {
  type: 'MinAvailableBreached',
  status: 'True',
  reason: 'InsufficientReadyPods',
  message: '',
  lastTransitionTime: T0,
};

function input(over: Partial<ScalingGroupStatusInput> & { pclqs: readonly PodClique[] }): ScalingGroupStatusInput {
  return {
    pcsg: scalingGroup(SG, { replicas: 2, minAvailable: 1 }),
    expectedPodTemplateHashes: HASHES,
    pcsGenerationHash: 'g1',
    updateInProgress: false,
    observedGeneration: 1,
    now: T0,
    ...over,
  };
}

describe('replica counts', () => {
  it('counts the replicas that exist, not spec.replicas (grove-compat §10.11)', () => {
    const pcsg = scalingGroup(SG, { replicas: 3 });
    const pclqs = [member(0, 'b'), member(0, 'c'), member(1, 'b')];
    expect(scalingGroupStatus(input({ pcsg, pclqs })).status.replicas).toBe(2);
  });

  it('counts replicas still present after a scale-in, but not terminating ones', () => {
    const pcsg = scalingGroup(SG, { replicas: 1 });
    const pclqs = [
      member(0, 'b'),
      member(0, 'c'),
      member(1, 'b'),
      member(1, 'c'),
      member(2, 'b', { terminating: true }),
      member(2, 'c', { terminating: true }),
    ];
    expect(scalingGroupStatus(input({ pcsg, pclqs })).status.replicas).toBe(2);
  });

  it('classifies each replica: scheduled, available, updated', () => {
    const pcsg = scalingGroup(SG, { replicas: 5 });
    const pclqs = [
      // 0: healthy and updated
      member(0, 'b'),
      member(0, 'c'),
      // 1: available but one member on an old template
      member(1, 'b'),
      member(1, 'c', { hash: 'old', status: { currentPodTemplateHash: 'old' } }),
      // 2: scheduled, not ready
      member(2, 'b'),
      member(2, 'c', { status: { readyReplicas: 0 } }),
      // 3: one member not scheduled
      member(3, 'b', { status: { scheduledReplicas: 0, readyReplicas: 0 } }),
      member(3, 'c'),
      // 4: incomplete
      member(4, 'b'),
    ];
    const { status } = scalingGroupStatus(input({ pcsg, pclqs }));
    expect([status.scheduledReplicas, status.availableReplicas, status.updatedReplicas]).toEqual([3, 2, 1]);
  });

  it('matches members by exact name, never by suffix (grove-compat §10.9)', () => {
    const pcsg = scalingGroup(SG, { replicas: 1, cliqueNames: ['worker', 'pworker'] });
    const pclqs = [healthyPodClique(`${SG}-0-pworker`, { pcsg: SG, pcsgIndex: 0 })];
    const { status } = scalingGroupStatus(input({ pcsg, pclqs, expectedPodTemplateHashes: { worker: 'h1', pworker: 'h1' } }));
    expect([status.replicas, status.scheduledReplicas]).toEqual([1, 0]);
  });

  it('sets the selector', () => {
    expect(scalingGroupStatus(input({ pclqs: [] })).status.selector).toBe(
      'app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=pcs,grove.io/podcliquescalinggroup=pcs-0-sg',
    );
  });
});

describe('MinAvailableBreached (grove-compat §4.9, exact texts)', () => {
  it.each([
    [0, 1, true, 'Unknown', 'UpdateInProgress', 'Update is in progress'],
    [0, 1, false, 'True', 'InsufficientAvailablePodCliqueScalingGroupReplicas', 'PCSG replicas not in breach (0) below MinAvailable (1)'],
    [1, 2, false, 'True', 'InsufficientAvailablePodCliqueScalingGroupReplicas', 'PCSG replicas not in breach (1) below MinAvailable (2)'],
    [2, 2, false, 'False', 'SufficientAvailablePodCliqueScalingGroupReplicas', 'PCSG replicas not in breach (2) meets MinAvailable (2)'],
  ])('not in breach %i, minAvailable %i, update %s -> %s/%s', (n, m, update, status, reason, message) => {
    expect(scalingGroupBreachCondition(n, m, update)).toEqual({ type: 'MinAvailableBreached', status, reason, message });
  });

  it('counts complete replicas whose members are not breached', () => {
    const pcsg = scalingGroup(SG, { replicas: 3, minAvailable: 2 });
    const pclqs = [
      member(0, 'b'),
      member(0, 'c'),
      member(1, 'b'),
      member(1, 'c', { status: { conditions: [breached] } }),
      member(2, 'b'), // incomplete: c is missing
    ];
    const c = findCondition(scalingGroupStatus(input({ pcsg, pclqs })).status.conditions, 'MinAvailableBreached');
    expect([c?.status, c?.message]).toEqual(['True', 'PCSG replicas not in breach (1) below MinAvailable (2)']);
  });

  it('a member breached for lack of READY pods breaches the group (grove#277 reaches the PCSG)', () => {
    const pcsg = scalingGroup(SG, { replicas: 1, minAvailable: 1 });
    const pclqs = [member(0, 'b'), member(0, 'c', { status: { readyReplicas: 0, conditions: [breached] } })];
    const c = findCondition(scalingGroupStatus(input({ pcsg, pclqs })).status.conditions, 'MinAvailableBreached');
    expect(c?.status).toBe('True');
  });

  it('removes GangTerminationInProgress once not breached, keeps it while breached', () => {
    const gt: Condition = {
      type: 'GangTerminationInProgress',
      status: 'True',
      reason: 'GangTerminationActive',
      message: '',
      lastTransitionTime: T0,
    };
    const ok = scalingGroupStatus(
      input({ pcsg: scalingGroup(SG, { status: { conditions: [gt] } }), pclqs: [member(0, 'b'), member(0, 'c')] }),
    );
    expect(findCondition(ok.status.conditions, 'GangTerminationInProgress')).toBeUndefined();
    const bad = scalingGroupStatus(input({ pcsg: scalingGroup(SG, { status: { conditions: [gt] } }), pclqs: [] }));
    expect(findCondition(bad.status.conditions, 'GangTerminationInProgress')).toEqual(gt);
  });

  it('keeps GangTerminationInProgress while members from before the mark are alive, though not breached (no second recycle)', () => {
    const gt: Condition = { type: 'GangTerminationInProgress', status: 'True', reason: 'GangTerminationActive', message: '', lastTransitionTime: T1 };
    const created = (p: ReturnType<typeof member>, at: string) => ({ ...p, metadata: { ...p.metadata, creationTimestamp: at } });
    const old = scalingGroupStatus(input({ pcsg: scalingGroup(SG, { status: { conditions: [gt] } }), pclqs: [created(member(0, 'b'), T0), created(member(0, 'c'), T1)] }));
    expect(findCondition(old.status.conditions, 'MinAvailableBreached')?.status).toBe('False');
    expect(findCondition(old.status.conditions, 'GangTerminationInProgress')).toEqual(gt);
    const recreated = scalingGroupStatus(input({ pcsg: scalingGroup(SG, { status: { conditions: [gt] } }), pclqs: [created(member(0, 'b'), T1), created(member(0, 'c'), T2)] }));
    expect(findCondition(recreated.status.conditions, 'GangTerminationInProgress')).toBeUndefined();
  });

  it('counts a member without MinAvailableBreached (not assessed yet) as not out of breach', () => {
    const fresh = (j: number, c: 'b' | 'c') => member(j, c, { status: { readyReplicas: 0, scheduledReplicas: 0, conditions: [] } });
    const pcsg = scalingGroup(SG, { replicas: 2, minAvailable: 2 });
    const { status } = scalingGroupStatus(input({ pcsg, pclqs: [fresh(0, 'b'), fresh(0, 'c'), member(1, 'b'), member(1, 'c')] }));
    expect(findCondition(status.conditions, 'MinAvailableBreached')).toMatchObject({ status: 'True', message: 'PCSG replicas not in breach (1) below MinAvailable (2)' });
    // Never reached its minimum: the unassessed members do not make the group EverAvailable.
    expect(findCondition(status.conditions, 'copse.io/EverAvailable')).toBeUndefined();
  });

  it('keeps the recycle mark and the breach through the moment the recreated members have no status yet (no second recycle)', () => {
    // The replica was recycled at T1 while the group was breached since T0; its members are recreated at T2.
    const gt: Condition = { type: 'GangTerminationInProgress', status: 'True', reason: 'GangTerminationActive', message: '', lastTransitionTime: T1 };
    const ever: Condition = { type: 'copse.io/EverAvailable', status: 'True', reason: 'MinAvailableReached', message: '', lastTransitionTime: T0 };
    const pcsg = scalingGroup(SG, { replicas: 2, minAvailable: 2, status: { conditions: [breached, gt, ever] } });
    const recreated = (j: number, c: 'b' | 'c') => {
      const p = member(j, c, { status: { readyReplicas: 0, scheduledReplicas: 0, conditions: [] } });
      return { ...p, metadata: { ...p.metadata, creationTimestamp: T2 } };
    };
    const { status } = scalingGroupStatus(input({ pcsg, now: T2, pclqs: [recreated(0, 'b'), recreated(0, 'c'), recreated(1, 'b'), recreated(1, 'c')] }));
    expect(findCondition(status.conditions, 'MinAvailableBreached')).toMatchObject({ status: 'True', lastTransitionTime: T0 });
    expect(findCondition(status.conditions, 'GangTerminationInProgress')).toEqual(gt);
  });

  it('treats a group scaled to zero as idle, not breached', () => {
    const c = findCondition(
      scalingGroupStatus(input({ pcsg: scalingGroup(SG, { replicas: 0, minAvailable: 1 }), pclqs: [] })).status.conditions,
      'MinAvailableBreached',
    );
    expect([c?.status, c?.message]).toEqual(['False', 'PCSG replicas not in breach (0) meets MinAvailable (0)']);
  });

  it('keeps lastTransitionTime while the status holds', () => {
    const first = scalingGroupStatus(input({ pclqs: [], now: T0 })).status;
    const second = scalingGroupStatus(input({ pclqs: [member(0, 'b')], previous: first, now: T1 })).status;
    expect(findCondition(second.conditions, 'MinAvailableBreached')?.lastTransitionTime).toBe(T0);
  });
});

describe('currentPodCliqueSetGenerationHash', () => {
  const all = [member(0, 'b'), member(0, 'c'), member(1, 'b'), member(1, 'c')];
  const previous = { scheduledReplicas: 0, availableReplicas: 0, updatedReplicas: 0, currentPodCliqueSetGenerationHash: 'g0' };

  it('advances when every expected member exists with converged hashes', () => {
    expect(scalingGroupStatus(input({ pclqs: all, previous })).status.currentPodCliqueSetGenerationHash).toBe('g1');
  });

  it.each<[string, Partial<ScalingGroupStatusInput> & { pclqs: readonly PodClique[] }]>([
    ['an update runs', { pclqs: all, updateInProgress: true }],
    ['a member is missing', { pclqs: all.slice(0, 3) }],
    ['a member has a stale label', { pclqs: [...all.slice(0, 3), member(1, 'c', { hash: 'old' })] }],
    ['an extra replica has a stale label', { pclqs: [...all, member(2, 'b', { hash: 'old' })] }],
    ['a member has not converged', { pclqs: [...all.slice(0, 3), member(1, 'c', { gen: 'g0' })] }],
    ['the PodCliqueSet has no hash', { pclqs: all, pcsGenerationHash: undefined }],
  ])('stays while %s', (_why, over) => {
    expect(scalingGroupStatus(input({ ...over, previous })).status.currentPodCliqueSetGenerationHash).toBe('g0');
  });
});

describe('events', () => {
  it('AllScheduledReplicasLost when scheduled replicas drop to 0; breach transitions', () => {
    const running = scalingGroupStatus(input({ pclqs: [member(0, 'b'), member(0, 'c')], now: T0 }));
    const lost = scalingGroupStatus(
      input({
        pclqs: [member(0, 'b', { status: { scheduledReplicas: 0, readyReplicas: 0, conditions: [breached] } }), member(0, 'c')],
        previous: running.status,
        now: T1,
      }),
    );
    expect(lost.events).toEqual([
      {
        type: 'Warning',
        reason: 'AllScheduledReplicasLost',
        message: 'All scheduled replicas lost (was 1); investigate node availability or capacity',
      },
      { type: 'Warning', reason: 'MinAvailableBreached', message: 'PCSG replicas not in breach (0) below MinAvailable (1)' },
    ]);
    const back = scalingGroupStatus(input({ pclqs: [member(0, 'b'), member(0, 'c')], previous: lost.status, now: T2 }));
    expect(back.events).toEqual([
      { type: 'Normal', reason: 'MinAvailableReached', message: 'PCSG replicas not in breach (1) meets MinAvailable (1)' },
    ]);
  });
});

describe('idempotence, change detection and bad input', () => {
  const pclqs = [member(0, 'b'), member(0, 'c'), member(1, 'b')];

  it('is a fixed point: same inputs and fed-back status give the same status, no events', () => {
    const once = scalingGroupStatus(input({ pclqs, now: T0 }));
    expect(scalingGroupStatus(input({ pclqs, now: T0 }))).toEqual(once);
    const twice = scalingGroupStatus(input({ pclqs, previous: once.status, now: T1 }));
    expect(twice.status).toEqual(once.status);
    expect(twice.events).toEqual([]);
    expect(scalingGroupStatusChanged(once.status, twice.status)).toBe(false);
    expect(scalingGroupStatusChanged(once.status, { ...once.status, availableReplicas: 9 })).toBe(true);
  });

  it('names a missing expected hash', () => {
    expect(() => scalingGroupStatus(input({ pclqs, expectedPodTemplateHashes: { b: 'hb' } }))).toThrow(
      'expectedPodTemplateHashes: no hash for clique "c"',
    );
  });

  it('names a malformed replica-index label', () => {
    const bad = member(0, 'b');
    if (bad.metadata.labels) bad.metadata.labels[LABEL_PCSG_REPLICA_INDEX] = 'x';
    expect(() => scalingGroupStatus(input({ pclqs: [bad] }))).toThrow(
      'PodClique pcs-0-sg-0-b: label grove.io/podcliquescalinggroup-replica-index must be a non-negative integer, got "x"',
    );
  });

  it('ignores PodCliques of other groups', () => {
    const other = podClique('pcs-0-other-0-b', { pcsg: 'pcs-0-other', pcsgIndex: 0 });
    expect(scalingGroupStatus(input({ pclqs: [other] })).status.replicas).toBe(0);
  });
});
