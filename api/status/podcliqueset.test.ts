import { describe, expect, it } from 'vitest';

import type { PCSPodGangStatus, PodClique, PodCliqueScalingGroup, PodCliqueSetStatus, PodGang } from '../generated/types.js';
import { podTemplateHash } from '../desired/hash.js';
import {
  expectedPodTemplateHashes,
  naturalCompare,
  podCliqueSetStatus,
  podCliqueSetStatusChanged,
  type PodCliqueSetStatusInput,
  podGangStatuses,
  podGangsScheduledCondition,
} from './podcliqueset.js';
import { healthyPodClique, podClique, podCliqueSet, podGang, scalingGroup, T0, T1 } from './testing.js';

// Shape: standalone clique `a` (r2 m2) and group `sg` [b, c] (r2 m1).
const pcs = podCliqueSet('pcs', {
  replicas: 3,
  cliques: [{ name: 'a', replicas: 2, minAvailable: 2 }, { name: 'b' }, { name: 'c' }],
  groups: [{ name: 'sg', cliqueNames: ['b', 'c'], replicas: 2, minAvailable: 1 }],
});

function a(i: number, over: Parameters<typeof healthyPodClique>[1] = {}): PodClique {
  return healthyPodClique(`pcs-${i}-a`, { pcsIndex: i, replicas: 2, minAvailable: 2, hash: 'ha', gen: 'g1', ...over });
}

function sg(i: number, available = 1, gen = 'g1', over: Parameters<typeof scalingGroup>[1] = {}): PodCliqueScalingGroup {
  return scalingGroup(`pcs-${i}-sg`, {
    pcsIndex: i,
    replicas: 2,
    minAvailable: 1,
    status: { availableReplicas: available, currentPodCliqueSetGenerationHash: gen },
    ...over,
  });
}

function input(over: Partial<PodCliqueSetStatusInput> = {}): PodCliqueSetStatusInput {
  return {
    pcs,
    pclqs: [],
    pcsgs: [],
    podGangs: [],
    expectedPodTemplateHashes: { a: 'ha' },
    generationHash: 'g1',
    topology: { enabled: false, binding: undefined },
    observedGeneration: 1,
    now: T0,
    ...over,
  };
}

describe('replicas (grove-compat §10.11: counts what exists, not spec)', () => {
  it('counts replica indices with a non-terminating child', () => {
    const s = podCliqueSetStatus(input({ pclqs: [a(0), a(2, { terminating: true })], pcsgs: [sg(1)] })).status;
    expect(s.replicas).toBe(2);
  });

  it('counts children left over after a scale-in until they are gone', () => {
    const one = podCliqueSet('pcs', { replicas: 1, cliques: [{ name: 'a', replicas: 2 }] });
    const s = podCliqueSetStatus(input({ pcs: one, pclqs: [a(0), a(1), a(2)] })).status;
    expect([s.replicas, s.availableReplicas]).toEqual([3, 1]);
  });

  it("ignores other PodCliqueSets' children", () => {
    const foreign = healthyPodClique('other-0-a', { pcs: 'other' });
    expect(podCliqueSetStatus(input({ pclqs: [foreign] })).status.replicas).toBe(0);
  });
});

describe('available and updated replicas (grove-compat §4.9)', () => {
  const children = {
    pclqs: [
      a(0), // 0: available and updated
      a(1), // 1: available, group on an old generation
      a(2, { status: { readyReplicas: 1 } }), // 2: a below minAvailable ready
    ],
    pcsgs: [sg(0), sg(1, 1, 'g0'), sg(2)],
  };

  it('classifies each replica', () => {
    const s = podCliqueSetStatus(input(children)).status;
    expect([s.availableReplicas, s.updatedReplicas]).toEqual([2, 1]);
  });

  it.each<[string, Partial<PodCliqueSetStatusInput>]>([
    ['the standalone PodClique is missing', { pclqs: [], pcsgs: [sg(0)] }],
    ['the scaling group is missing', { pclqs: [a(0)], pcsgs: [] }],
    ['the scaling group has too few available replicas', { pclqs: [a(0)], pcsgs: [sg(0, 0)] }],
    ['the standalone PodClique is terminating', { pclqs: [a(0, { terminating: true })], pcsgs: [sg(0)] }],
  ])('a replica is unavailable when %s', (_why, over) => {
    const one = podCliqueSet('pcs', {
      replicas: 1,
      cliques: [{ name: 'a', replicas: 2, minAvailable: 2 }, { name: 'b' }, { name: 'c' }],
      groups: [{ name: 'sg', cliqueNames: ['b', 'c'] }],
    });
    expect(podCliqueSetStatus(input({ pcs: one, ...over })).status.availableReplicas).toBe(0);
  });

  it('matches standalone PodCliques by exact name, never by suffix (grove-compat §10.9)', () => {
    const two = podCliqueSet('pcs', { replicas: 1, cliques: [{ name: 'worker' }, { name: 'pworker' }] });
    const pclqs = [healthyPodClique('pcs-0-pworker')];
    const s = podCliqueSetStatus(input({ pcs: two, pclqs, expectedPodTemplateHashes: { worker: 'h1', pworker: 'h1' } })).status;
    expect(s.availableReplicas).toBe(0);
  });

  it('counts updated children in updateProgress and keeps the orchestration fields', () => {
    const previous: PodCliqueSetStatus = {
      availableReplicas: 0,
      updatedReplicas: 0,
      updateProgress: { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T0 }] },
    };
    const s = podCliqueSetStatus(input({ ...children, previous })).status;
    expect(s.updateProgress).toEqual({
      updateStartedAt: T0,
      currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T0 }],
      updatedPodCliquesCount: 2,
      totalPodCliquesCount: 3,
      updatedPodCliqueScalingGroupsCount: 2,
      totalPodCliqueScalingGroupsCount: 3,
    });
  });

  it('nothing is updated before the PodCliqueSet has a generation hash', () => {
    const s = podCliqueSetStatus(input({ ...children, generationHash: undefined })).status;
    expect([s.updatedReplicas, s.updateProgress?.updatedPodCliquesCount, s.updateProgress?.updatedPodCliqueScalingGroupsCount]).toEqual([
      0, 0, 0,
    ]);
    expect(s).not.toHaveProperty('currentGenerationHash');
  });
});

describe('podGangStatuses (grove-compat §10.11: populated)', () => {
  const running = podGang('pcs-10', [{ name: 'pcs-10-a', minReplicas: 2 }], {
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', reason: 'AllPodGroupsReady', message: 'm', lastTransitionTime: T0 }],
    },
  });
  const gangs: PodGang[] = [
    running,
    podGang('pcs-2', [{ name: 'pcs-2-a', minReplicas: 2 }]),
    podGang('pcs-2-sg-0', [{ name: 'pcs-2-sg-1-b', minReplicas: 1 }], { status: { phase: 'Starting' } }),
    podGang('pcs-3', [], { terminating: true }),
    podGang('other-0', [], { pcs: 'other' }),
  ];

  it('copies name, phase and conditions of each gang, ordered naturally; a gang without status is Pending', () => {
    expect(podGangStatuses('pcs', gangs)).toEqual([
      { name: 'pcs-2', phase: 'Pending' },
      { name: 'pcs-2-sg-0', phase: 'Starting' },
      { name: 'pcs-10', phase: 'Running', conditions: running.status?.conditions },
    ]);
  });

  it('appears in the status, and is omitted when there are no gangs', () => {
    expect(podCliqueSetStatus(input({ podGangs: gangs })).status.podGangStatuses).toHaveLength(3);
    expect(podCliqueSetStatus(input()).status).not.toHaveProperty('podGangStatuses');
  });

  it.each([
    ['pcs-2', 'pcs-10', -1],
    ['pcs-10', 'pcs-2', 1],
    ['pcs-1', 'pcs-1-sg-0', -1],
    ['a', 'a', 0],
    ['pcs-01', 'pcs-1', -1],
  ])('naturalCompare(%s, %s) has sign %i', (x, y, sign) => {
    expect(Math.sign(naturalCompare(x, y))).toBe(sign);
  });
});

describe('PodCliqueSet status fields', () => {
  it("computes the expected hashes with api/desired's podTemplateHash", () => {
    expect(expectedPodTemplateHashes(pcs)).toEqual({
      a: podTemplateHash(pcs, 'a'),
      b: podTemplateHash(pcs, 'b'),
      c: podTemplateHash(pcs, 'c'),
    });
  });

  it('sets the selector, generation hash, observedGeneration and lastErrors', () => {
    const lastErrors = [{ code: 'ERR_SYNC_PODCLIQUE', description: 'boom', observedAt: T0 }];
    const s = podCliqueSetStatus(input({ lastErrors })).status;
    expect(s).toMatchObject({
      hpaPodSelector: 'app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=pcs',
      currentGenerationHash: 'g1',
      observedGeneration: 1,
      lastErrors,
    });
  });

  it('keeps observedGeneration and the generation hash from the previous status when not given', () => {
    const previous: PodCliqueSetStatus = { availableReplicas: 0, updatedReplicas: 0, observedGeneration: 4, currentGenerationHash: 'g0' };
    const s = podCliqueSetStatus(input({ previous, observedGeneration: undefined, generationHash: undefined })).status;
    expect([s.observedGeneration, s.currentGenerationHash]).toEqual([4, 'g0']);
    expect(s).not.toHaveProperty('lastErrors');
  });

  it('names a missing expected hash', () => {
    expect(() => podCliqueSetStatus(input({ pclqs: [a(0)], expectedPodTemplateHashes: {} }))).toThrow(
      'expectedPodTemplateHashes: no hash for clique "a"',
    );
  });

  it('names a child without a replica index', () => {
    const bad = podClique('pcs-0-a');
    delete bad.metadata.labels?.['grove.io/podcliqueset-replica-index'];
    expect(() => podCliqueSetStatus(input({ pclqs: [bad] }))).toThrow(
      'PodClique pcs-0-a: label grove.io/podcliqueset-replica-index must be a non-negative integer, got null',
    );
  });
});

describe('availability events', () => {
  const all = { pclqs: [a(0), a(1), a(2)], pcsgs: [sg(0), sg(1), sg(2)] };
  const previous = (availableReplicas: number): PodCliqueSetStatus => ({ availableReplicas, updatedReplicas: availableReplicas });

  it('ReplicasAvailable once every replica is available, from a new PodCliqueSet or a partial state', () => {
    const fresh = podCliqueSetStatus(input(all));
    expect(fresh.status.availableReplicas).toBe(3);
    expect(fresh.events).toEqual([{ type: 'Normal', reason: 'ReplicasAvailable', message: 'All 3 replicas available' }]);
    expect(podCliqueSetStatus(input({ ...all, previous: previous(2) })).events).toEqual(fresh.events);
    // Already all available before: nothing new.
    expect(podCliqueSetStatus(input({ ...all, previous: previous(3) })).events).toEqual([]);
  });

  it('ReplicasUnavailable when a replica stops being available', () => {
    const degraded = podCliqueSetStatus(input({ pclqs: [a(0), a(1, { status: { readyReplicas: 1 } }), a(2)], pcsgs: all.pcsgs, previous: previous(3) }));
    expect(degraded.status.availableReplicas).toBe(2);
    expect(degraded.events).toEqual([{ type: 'Warning', reason: 'ReplicasUnavailable', message: '2 of 3 replicas available (was 3)' }]);
    // Still coming up (nothing dropped): no event.
    expect(podCliqueSetStatus(input({ pclqs: [a(0)], pcsgs: [sg(0)], previous: previous(0) })).events).toEqual([]);
  });

  it('a scale-in lowers availableReplicas without an event', () => {
    const one = podCliqueSet('pcs', {
      replicas: 1,
      cliques: [{ name: 'a', replicas: 2, minAvailable: 2 }, { name: 'b' }, { name: 'c' }],
      groups: [{ name: 'sg', cliqueNames: ['b', 'c'], replicas: 2, minAvailable: 1 }],
    });
    const s = podCliqueSetStatus(input({ pcs: one, pclqs: [a(0)], pcsgs: [sg(0)], previous: previous(3) }));
    expect(s.status.availableReplicas).toBe(1);
    expect(s.events).toEqual([]);
  });
});

describe('idempotence and change detection', () => {
  const world = { pclqs: [a(0), a(1)], pcsgs: [sg(0), sg(1)], podGangs: [podGang('pcs-0', [])] };

  it('is a fixed point: same inputs and fed-back status give the same status and no events', () => {
    const once = podCliqueSetStatus(input({ ...world, now: T0 }));
    expect(podCliqueSetStatus(input({ ...world, now: T0 }))).toEqual(once);
    const twice = podCliqueSetStatus(input({ ...world, previous: once.status, now: T1 }));
    expect(twice.status).toEqual(once.status);
    expect(twice.events).toEqual([]);
    expect(podCliqueSetStatusChanged(once.status, twice.status)).toBe(false);
    expect(podCliqueSetStatusChanged(once.status, { ...once.status, availableReplicas: 0 })).toBe(true);
  });
});

describe('PodGangsScheduled (copse)', () => {
  const gang = (name: string, status: 'True' | 'False' | undefined, message = ''): PCSPodGangStatus => ({
    name,
    phase: status === 'True' ? 'Running' : 'Pending',
    ...(status ? { conditions: [{ type: 'Scheduled', status, reason: status === 'True' ? 'AllPodGroupsScheduled' : 'Unschedulable', message, lastTransitionTime: '2026-01-01T00:00:00Z' }] } : {}),
  });

  it('is absent without gangs and True when every gang has its minimum scheduled', () => {
    expect(podGangsScheduledCondition([])).toBeUndefined();
    expect(podGangsScheduledCondition([gang('p-0', 'True'), gang('p-1', 'True')])).toEqual({
      type: 'PodGangsScheduled',
      status: 'True',
      reason: 'AllPodGangsScheduled',
      message: 'All 2 PodGangs have their minimum scheduled',
    });
  });

  it('is False with each waiting gang and its own reason, three at most', () => {
    const c = podGangsScheduledCondition([
      gang('p-0', 'True'),
      gang('p-1', 'False', 'unit p-1 needs 16 nvidia.com/gpu in one topology.copse.io/rack'),
      gang('p-2', undefined),
      gang('p-3', 'False', 'x'),
      gang('p-4', 'False', 'y'),
    ]);
    expect(c).toEqual({
      type: 'PodGangsScheduled',
      status: 'False',
      reason: 'PodGangsPending',
      message: '4 of 5 PodGangs below their minimum scheduled (and 1 more). p-1: unit p-1 needs 16 nvidia.com/gpu in one topology.copse.io/rack | p-2: not scheduled yet | p-3: x',
    });
  });
});
