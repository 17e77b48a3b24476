import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { Condition, PodClique, PodGangStatus } from '../generated/types.js';
import { findCondition } from './conditions.js';
import { podGangStatus, podGangStatusChanged, type PodGangStatusInput, scheduledCause, scheduledCondition } from './podgang.js';
import { gatedPod, pod, podClique, podGang, pods, T0, T1, T2 } from './testing.js';

// workload2 (grove-compat §9.1): pc-a r2 m1; sg-x [pc-b r1 m1, pc-c r3 m1] r2 m1. Base gang `workload2-0`.
const GANG = 'workload2-0';
const A = 'workload2-0-pc-a';
const B = 'workload2-0-sg-x-0-pc-b';
const C = 'workload2-0-sg-x-0-pc-c';
const base = podGang(GANG, [
  { name: A, minReplicas: 1 },
  { name: B, minReplicas: 1 },
  { name: C, minReplicas: 1 },
]);
const pclqs: PodClique[] = [
  podClique(A, { pcs: 'workload2', replicas: 2, minAvailable: 1, gang: GANG }),
  podClique(B, { pcs: 'workload2', replicas: 1, minAvailable: 1, gang: GANG }),
  podClique(C, { pcs: 'workload2', replicas: 3, minAvailable: 1, gang: GANG }),
];
const SIZES: [string, number][] = [
  [A, 2],
  [B, 1],
  [C, 3],
];

/** Every pod of the base gang, each with the same options. */
function all(o: Parameters<typeof pod>[2] = {}): Pod[] {
  return SIZES.flatMap(([pclq, n]) => pods(pclq, n, { pcs: 'workload2', gang: GANG, ...o }));
}

function input(over: Partial<PodGangStatusInput> & { pods: readonly Pod[] }): PodGangStatusInput {
  return { podGang: base, pclqs, now: T0, ...over };
}

function summary(s: PodGangStatus): [string, ...([string, string, string] | undefined)[]] {
  const c = (t: string): [string, string, string] | undefined => {
    const x = findCondition(s.conditions, t);
    return x ? [x.status, x.reason, x.message] : undefined;
  };
  return [s.phase, c('Initialized'), c('Scheduled'), c('Ready')];
}

describe('podGangStatus lifecycle (fix of grove-compat §10.11)', () => {
  it('Pending before any pod exists', () => {
    expect(summary(podGangStatus(input({ pods: [], pclqs: [] })))).toEqual([
      'Pending',
      ['False', 'PodGangPodsCreationPending', 'Not all constituent pods have been created yet'],
      [
        'False',
        'PodsNotCreated',
        'Pod groups below minReplicas scheduled (scheduled/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
          'workload2-0-sg-x-0-pc-c 0/1. Pods not created yet (pods/minReplicas): workload2-0-pc-a 0/1, ' +
          'workload2-0-sg-x-0-pc-b 0/1, workload2-0-sg-x-0-pc-c 0/1.',
      ],
      [
        'False',
        'PodGroupsNotReady',
        'Pod groups below minReplicas ready (ready/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
          'workload2-0-sg-x-0-pc-c 0/1.',
      ],
    ]);
  });

  it('Initialized once every PodClique has spec.replicas pods; gated pods explain Scheduled=False', () => {
    const gated = SIZES.flatMap(([pclq, n]) => Array.from({ length: n }, (_, i) => gatedPod(`${pclq}-${i}`, pclq, GANG)));
    const s = podGangStatus(input({ pods: gated }));
    expect(summary(s).slice(0, 3)).toEqual([
      'Pending',
      ['True', 'PodGangPodsCreated', 'PodGang is fully initialized'],
      [
        'False',
        'PodsSchedulingGated',
        'Pod groups below minReplicas scheduled (scheduled/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
          'workload2-0-sg-x-0-pc-c 0/1. 6 pod(s) held by scheduling gates: grove.io/podgang-pending-creation.',
      ],
    ]);
  });

  it('not Initialized while a PodClique has fewer pods than spec.replicas (even above minReplicas)', () => {
    const s = podGangStatus(input({ pods: all().filter((p) => p.metadata?.name !== `${C}-2`) }));
    expect(findCondition(s.conditions, 'Initialized')?.status).toBe('False');
  });

  it("quotes the scheduler's message for unschedulable pods", () => {
    const s = podGangStatus(input({ pods: all({ unschedulable: '0/16 nodes are available: 16 Insufficient nvidia.com/gpu.' }) }));
    const c = findCondition(s.conditions, 'Scheduled');
    expect([c?.reason, c?.message]).toEqual([
      'PodsUnschedulable',
      'Pod groups below minReplicas scheduled (scheduled/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
        'workload2-0-sg-x-0-pc-c 0/1. Pod workload2-0-pc-a-0: 0/16 nodes are available: 16 Insufficient nvidia.com/gpu.',
    ]);
  });

  it('names the scheduler configuration when kube-scheduler counted copse\'s extender marker', () => {
    const s = podGangStatus(input({ pods: all({ unschedulable: '0/16 nodes are available: 16 Insufficient scheduling.copse.io/extender.' }) }));
    expect(findCondition(s.conditions, 'Scheduled')?.message).toContain(
      "16 Insufficient scheduling.copse.io/extender. (kube-scheduler counts copse's extender marker: with copse serve --extender-marker on, its extender entry must list managedResources scheduling.copse.io/extender with ignoredByScheduler: true",
    );
  });

  it('says it waits for the scheduler when pods are ungated and unexplained', () => {
    const c = findCondition(podGangStatus(input({ pods: all() })).conditions, 'Scheduled');
    expect([c?.reason, c?.message.endsWith('Waiting for the scheduler to place the pods.')]).toEqual(['PodsUnschedulable', true]);
  });

  it("uses a planner's reason and message when given", () => {
    const pendingReason = { reason: 'NoFittingRack', message: 'no rack has 6 free nvidia.com/gpu' };
    const c = findCondition(podGangStatus(input({ pods: all(), pendingReason })).conditions, 'Scheduled');
    expect([c?.reason, c?.message]).toEqual([
      'NoFittingRack',
      'Pod groups below minReplicas scheduled (scheduled/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
        'workload2-0-sg-x-0-pc-c 0/1. no rack has 6 free nvidia.com/gpu',
    ]);
  });

  it('Starting once each pod group has minReplicas bound (GS5: exactly 3 pods)', () => {
    const three = [
      pod(`${A}-0`, A, { gang: GANG, scheduled: true }),
      pod(`${B}-0`, B, { gang: GANG, scheduled: true }),
      pod(`${C}-0`, C, { gang: GANG, scheduled: true }),
      pod(`${A}-1`, A, { gang: GANG }),
      pod(`${C}-1`, C, { gang: GANG }),
      pod(`${C}-2`, C, { gang: GANG }),
    ];
    const s = podGangStatus(input({ pods: three }));
    expect(summary(s).slice(2)).toEqual([
      ['True', 'AllPodGroupsScheduled', 'All 3 pod groups have at least minReplicas pods scheduled'],
      [
        'False',
        'PodGroupsNotReady',
        'Pod groups below minReplicas ready (ready/minReplicas): workload2-0-pc-a 0/1, workload2-0-sg-x-0-pc-b 0/1, ' +
          'workload2-0-sg-x-0-pc-c 0/1.',
      ],
    ]);
    expect(s.phase).toBe('Starting');
  });

  it('Running once each pod group has minReplicas Ready', () => {
    const s = podGangStatus(input({ pods: all({ scheduled: true, ready: true }) }));
    expect(summary(s)).toEqual([
      'Running',
      ['True', 'PodGangPodsCreated', 'PodGang is fully initialized'],
      ['True', 'AllPodGroupsScheduled', 'All 3 pod groups have at least minReplicas pods scheduled'],
      ['True', 'AllPodGroupsReady', 'All 3 pod groups have at least minReplicas pods ready'],
    ]);
  });

  it('goes back to Pending when pods are lost, and Initialized stays True', () => {
    const running = podGangStatus(input({ pods: all({ scheduled: true, ready: true }), now: T0 }));
    const lost = podGangStatus(input({ pods: [], previous: running, now: T1 }));
    expect(lost.phase).toBe('Pending');
    expect(findCondition(lost.conditions, 'Initialized')).toEqual(findCondition(running.conditions, 'Initialized'));
    expect(findCondition(lost.conditions, 'Scheduled')?.lastTransitionTime).toBe(T1);
  });

  it('ignores pods of other gangs, terminating and failed pods', () => {
    const noise = [
      ...SIZES.map(([pclq]) => pod(`${pclq}-x`, pclq, { gang: 'workload2-0-sg-x-0', scheduled: true, ready: true })),
      ...SIZES.map(([pclq]) => pod(`${pclq}-y`, pclq, { gang: GANG, scheduled: true, ready: true, terminating: true })),
      ...SIZES.map(([pclq]) => pod(`${pclq}-z`, pclq, { gang: GANG, scheduled: true, phase: 'Failed' })),
    ];
    expect(podGangStatus(input({ pods: noise })).phase).toBe('Pending');
  });
});

describe('podGangStatus bookkeeping', () => {
  const unhealthy: Condition = { type: 'Unhealthy', status: 'False', reason: 'Fine', message: '', lastTransitionTime: T0 };

  it("keeps other writers' conditions and placementScore", () => {
    const previous: PodGangStatus = { phase: 'Pending', conditions: [unhealthy], placementScore: 0.5 };
    const s = podGangStatus(input({ pods: [], previous }));
    expect(s.conditions?.map((c) => c.type)).toEqual(['Unhealthy', 'Initialized', 'Scheduled', 'Ready']);
    expect(s.placementScore).toBe(0.5);
  });

  it('names the backend that holds the gang and why, when the native backend recorded it', () => {
    const annotated = { ...base, metadata: { ...base.metadata, annotations: { 'scheduling.copse.io/backend': 'extender', 'scheduling.copse.io/backend-reason': 'placed through copse\'s extender: why' } } };
    const c = findCondition(podGangStatus(input({ podGang: annotated, pods: [] })).conditions, 'SchedulingBackend');
    expect([c?.status, c?.reason, c?.message]).toEqual(['True', 'Extender', "placed through copse's extender: why"]);
    expect(findCondition(podGangStatus(input({ pods: [] })).conditions, 'SchedulingBackend')).toBeUndefined();
  });

  it('stamps the PodGang generation on its conditions', () => {
    expect(podGangStatus(input({ pods: [] })).conditions?.every((c) => c.observedGeneration === 1)).toBe(true);
  });

  it('is a fixed point: same inputs and fed-back status give the same status', () => {
    const somePods = all({ scheduled: true });
    const once = podGangStatus(input({ pods: somePods, now: T0 }));
    expect(podGangStatus(input({ pods: somePods, now: T0 }))).toEqual(once);
    const twice = podGangStatus(input({ pods: somePods, previous: once, now: T2 }));
    expect(twice).toEqual(once);
    expect(podGangStatusChanged(once, twice)).toBe(false);
    expect(podGangStatusChanged(once, { ...once, phase: 'Running' })).toBe(true);
  });

  it('names at most ten pod groups in a message', () => {
    const groups = Array.from({ length: 12 }, (_, i) => ({
      name: `g${i}`,
      minReplicas: 1,
      pods: [],
      scheduled: 0,
      ready: 0,
      exists: false,
      requiredPods: 1,
    }));
    const c = scheduledCondition(groups, { reason: 'X', message: 'm' });
    expect(c.message).toBe(
      'Pod groups below minReplicas scheduled (scheduled/minReplicas): g0 0/1, g1 0/1, g2 0/1, g3 0/1, g4 0/1, g5 0/1, ' +
        'g6 0/1, g7 0/1, g8 0/1, g9 0/1 and 2 more. m',
    );
  });
});

describe('scheduledCause', () => {
  it('is what follows the list of short pod groups', () => {
    const groups = [{ name: 'g-0-a', minReplicas: 2, pods: [], scheduled: 0, ready: 0, exists: true, requiredPods: 2 }];
    const c = scheduledCondition(groups, { reason: 'Unschedulable', message: 'needs 24 nvidia.com/gpu; 16 Insufficient nvidia.com/gpu.' });
    expect(scheduledCause(c.message)).toBe('needs 24 nvidia.com/gpu; 16 Insufficient nvidia.com/gpu.');
  });

  it('leaves a message of another form as it is', () => {
    expect(scheduledCause('Waiting for the scheduler.')).toBe('Waiting for the scheduler.');
    expect(scheduledCause('Pod groups below minReplicas scheduled (scheduled/minReplicas): a 0/1')).toBe('Pod groups below minReplicas scheduled (scheduled/minReplicas): a 0/1');
  });
});
