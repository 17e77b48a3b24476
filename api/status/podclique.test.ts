import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodClique, PodCliqueStatus } from '../generated/types.js';
import { LABEL_PART_OF } from '../keys.js';
import { findCondition } from './conditions.js';
import {
  isPodCliqueUpdated,
  podCliqueBreachCondition,
  podCliqueScheduledCondition,
  podCliqueStatus,
  podCliqueStatusChanged,
  type PodCliqueStatusInput,
  targetPodTemplateHash,
} from './podclique.js';
import { healthyPodClique, pod, podClique, pods, T0, T1, T2 } from './testing.js';

const PCLQ = 'pcs-0-a';

function input(over: Partial<PodCliqueStatusInput> & { pods: readonly Pod[] }): PodCliqueStatusInput {
  return {
    pclq: podClique(PCLQ, { replicas: 2, minAvailable: 2 }),
    expectedPodTemplateHash: 'h1',
    pcsGenerationHash: 'g1',
    updateInProgress: false,
    observedGeneration: 1,
    now: T0,
    ...over,
  };
}

describe('podCliqueStatus counts', () => {
  const mix: Pod[] = [
    pod(`${PCLQ}-0`, PCLQ, { scheduled: true, ready: true }),
    pod(`${PCLQ}-1`, PCLQ, { scheduled: true, ready: false, hash: 'old' }),
    pod(`${PCLQ}-2`, PCLQ, { gates: ['grove.io/podgang-pending-creation'] }),
    pod(`${PCLQ}-3`, PCLQ, { unschedulable: '0/3 nodes are available' }),
    pod(`${PCLQ}-4`, PCLQ, { scheduled: true, ready: true, terminating: true }),
    pod(`${PCLQ}-5`, PCLQ, { scheduled: true, phase: 'Failed' }),
    pod(`${PCLQ}-6`, PCLQ, { scheduled: true, phase: 'Succeeded' }),
    pod('pcs-0-other-0', 'pcs-0-other', { scheduled: true, ready: true }),
  ];

  it('counts active pods of this PodClique only', () => {
    const { status } = podCliqueStatus(input({ pods: mix }));
    expect({
      replicas: status.replicas,
      readyReplicas: status.readyReplicas,
      scheduledReplicas: status.scheduledReplicas,
      scheduleGatedReplicas: status.scheduleGatedReplicas,
      updatedReplicas: status.updatedReplicas,
    }).toEqual({ replicas: 4, readyReplicas: 1, scheduledReplicas: 2, scheduleGatedReplicas: 1, updatedReplicas: 3 });
  });

  it('counts a pod with gates in its spec as gated before the scheduler reports it', () => {
    const p = pod(`${PCLQ}-0`, PCLQ, { gates: ['x'] });
    p.status = { phase: 'Pending' };
    expect(podCliqueStatus(input({ pods: [p] })).status.scheduleGatedReplicas).toBe(1);
  });

  it('counts a bound pod as scheduled even before PodScheduled=True arrives', () => {
    const p = pod(`${PCLQ}-0`, PCLQ);
    p.spec = { ...p.spec, containers: p.spec?.containers ?? [], nodeName: 'n1' };
    expect(podCliqueStatus(input({ pods: [p] })).status.scheduledReplicas).toBe(1);
  });
});

describe('podCliqueStatus fields', () => {
  it('sets hpaPodSelector for standalone PodCliques only', () => {
    const standalone = podCliqueStatus(input({ pods: [] })).status;
    expect(standalone.hpaPodSelector).toBe(
      'app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=pcs,grove.io/podclique=pcs-0-a',
    );
    const member = podClique('pcs-0-sg-0-b', { pcsg: 'pcs-0-sg', pcsgIndex: 0 });
    expect(podCliqueStatus(input({ pclq: member, pods: [] })).status).not.toHaveProperty('hpaPodSelector');
  });

  it('keeps observedGeneration and updateProgress from the previous status, passes lastErrors', () => {
    const previous: PodCliqueStatus = {
      observedGeneration: 4,
      readyReplicas: 0,
      updatedReplicas: 0,
      scheduleGatedReplicas: 0,
      scheduledReplicas: 0,
      updateProgress: { podCliqueSetGenerationHash: 'g2', podTemplateHash: 'h2', updateStartedAt: T0 },
    };
    const lastErrors = [{ code: 'ERR_SYNC_PODS', description: 'boom', observedAt: T1 }];
    const { status } = podCliqueStatus(input({ pods: [], observedGeneration: undefined, previous, lastErrors }));
    expect(status.observedGeneration).toBe(4);
    expect(status.updateProgress).toEqual(previous.updateProgress);
    expect(status.lastErrors).toEqual(lastErrors);
    expect(podCliqueStatus(input({ pods: [], previous, lastErrors: [] })).status).not.toHaveProperty('lastErrors');
  });

  it('defaults previous to pclq.status', () => {
    const pclq = podClique(PCLQ, { replicas: 2, minAvailable: 2, status: { observedGeneration: 7 } });
    expect(podCliqueStatus(input({ pclq, pods: [], observedGeneration: undefined })).status.observedGeneration).toBe(7);
  });

  it('sets no conditions before the first completed spec pass', () => {
    const { status } = podCliqueStatus(input({ pods: [], observedGeneration: undefined }));
    expect(status).not.toHaveProperty('conditions');
    expect(status).not.toHaveProperty('observedGeneration');
  });

  it('stamps conditions with the PodClique generation', () => {
    const pclq = podClique(PCLQ, { replicas: 2, minAvailable: 2, generation: 5 });
    const { status } = podCliqueStatus(input({ pclq, pods: [], observedGeneration: 5 }));
    expect(status.conditions?.map((c) => [c.type, c.observedGeneration, c.lastTransitionTime])).toEqual([
      ['PodCliqueScheduled', 5, T0],
      ['MinAvailableBreached', 5, T0],
    ]);
  });

  it('errors clearly without the part-of label', () => {
    const pclq = podClique(PCLQ);
    delete pclq.metadata.labels?.[LABEL_PART_OF];
    expect(() => podCliqueStatus(input({ pclq, pods: [] }))).toThrow(
      'PodClique pcs-0-a: label app.kubernetes.io/part-of is required',
    );
  });
});

describe('PodCliqueScheduled (grove-compat §4.9, exact texts)', () => {
  it.each([
    [2, 2, 'True', 'SufficientScheduledPods', 'Sufficient scheduled pods found. expected at least: 2, found: 2'],
    [3, 2, 'True', 'SufficientScheduledPods', 'Sufficient scheduled pods found. expected at least: 2, found: 3'],
    [1, 2, 'False', 'InsufficientScheduledPods', 'Insufficient scheduled pods. expected at least: 2, found: 1'],
    [0, 1, 'False', 'InsufficientScheduledPods', 'Insufficient scheduled pods. expected at least: 1, found: 0'],
  ])('scheduled %i, minAvailable %i -> %s/%s', (scheduled, min, status, reason, message) => {
    expect(podCliqueScheduledCondition(scheduled, min)).toEqual({ type: 'PodCliqueScheduled', status, reason, message });
  });
});

describe('MinAvailableBreached (grove-compat §4.9 with the grove#277 fix, exact texts)', () => {
  it.each([
    // update in progress wins over everything
    [{ scheduled: 0, ready: 0 }, 2, true, 'Unknown', 'UpdateInProgress', 'Update is in progress'],
    [{ scheduled: 1, ready: 0 }, 2, false, 'True', 'ScheduledReplicasBelowMinAvailable', 'Scheduled replicas (1) below MinAvailable (2)'],
    [{ scheduled: 0, ready: 0 }, 2, false, 'True', 'ScheduledReplicasBelowMinAvailable', 'Scheduled replicas (0) below MinAvailable (2)'],
    [{ scheduled: 2, ready: 1 }, 2, false, 'True', 'InsufficientReadyPods', 'Insufficient ready pods. expected at least: 2, found: 1'],
    [
      { scheduled: 3, ready: 2 },
      2,
      false,
      'False',
      'SufficientReadyPods',
      'Either sufficient ready or starting pods found. expected at least: 2, found: 2',
    ],
  ])('%j, minAvailable %i, update %s -> %s/%s', (counts, min, update, status, reason, message) => {
    expect(podCliqueBreachCondition(counts, min, update)).toEqual({ type: 'MinAvailableBreached', status, reason, message });
  });

  // Grove counts scheduled − failed − started-not-ready; a bound pod that never starts (image pull
  // backoff, stuck init container) counted as available forever, so the clique was never breached.
  it('breaches when bound pods are not ready, whatever their container state (grove#277)', () => {
    const stuck = pods(PCLQ, 2, { scheduled: true, ready: false });
    for (const p of stuck) {
      p.status = {
        ...p.status,
        containerStatuses: [
          {
            name: 'main',
            image: 'busybox',
            imageID: '',
            ready: false,
            restartCount: 0,
            started: false,
            state: { waiting: { reason: 'ImagePullBackOff' } },
          },
        ],
      };
    }
    const c = findCondition(podCliqueStatus(input({ pods: stuck })).status.conditions, 'MinAvailableBreached');
    expect([c?.status, c?.reason, c?.message]).toEqual([
      'True',
      'InsufficientReadyPods',
      'Insufficient ready pods. expected at least: 2, found: 0',
    ]);
  });

  it('is not breached once minAvailable pods are ready', () => {
    const ok = [...pods(PCLQ, 2, { scheduled: true, ready: true }), pod(`${PCLQ}-9`, PCLQ, { scheduled: true, ready: false })];
    const c = findCondition(podCliqueStatus(input({ pods: ok })).status.conditions, 'MinAvailableBreached');
    expect([c?.status, c?.message]).toEqual([
      'False',
      'Either sufficient ready or starting pods found. expected at least: 2, found: 2',
    ]);
  });

  it('treats a PodClique scaled to zero as idle, not breached (grove#676)', () => {
    const pclq = podClique(PCLQ, { replicas: 0, minAvailable: 1 });
    const { status } = podCliqueStatus(input({ pclq, pods: [] }));
    expect(status.conditions?.map((c) => [c.type, c.status, c.message])).toEqual([
      ['PodCliqueScheduled', 'True', 'Sufficient scheduled pods found. expected at least: 0, found: 0'],
      ['MinAvailableBreached', 'False', 'Either sufficient ready or starting pods found. expected at least: 0, found: 0'],
    ]);
  });
});

describe('transitions keep lastTransitionTime', () => {
  it('moves it only when a status flips', () => {
    const three = pods(PCLQ, 3, { scheduled: true, ready: true });
    const first = podCliqueStatus(input({ pods: three, now: T0 })).status;
    // one ready pod lost: still sufficient (2 >= 2), new message, same time
    const second = podCliqueStatus(input({ pods: three.slice(0, 2), previous: first, now: T1 })).status;
    const b2 = findCondition(second.conditions, 'MinAvailableBreached');
    expect([b2?.status, b2?.lastTransitionTime, b2?.message]).toEqual([
      'False',
      T0,
      'Either sufficient ready or starting pods found. expected at least: 2, found: 2',
    ]);
    // another lost: breached now, time moves
    const third = podCliqueStatus(input({ pods: three.slice(0, 1), previous: second, now: T2 })).status;
    expect(findCondition(third.conditions, 'MinAvailableBreached')?.lastTransitionTime).toBe(T2);
    expect(findCondition(third.conditions, 'PodCliqueScheduled')?.lastTransitionTime).toBe(T2);
  });
});

describe('events', () => {
  const running = pods(PCLQ, 2, { scheduled: true, ready: true });

  it('AllScheduledReplicasLost when scheduled drops from >0 to 0, only on that transition', () => {
    const before = podCliqueStatus(input({ pods: running })).status;
    const lost = podCliqueStatus(input({ pods: pods(PCLQ, 2), previous: before, now: T1 }));
    expect(lost.events).toContainEqual({
      type: 'Warning',
      reason: 'AllScheduledReplicasLost',
      message: 'All scheduled pods lost (was 2); investigate node availability or capacity',
    });
    const again = podCliqueStatus(input({ pods: pods(PCLQ, 2), previous: lost.status, now: T2 }));
    expect(again.events).toEqual([]);
  });

  it('CrashLooping: a Warning when a pod reaches the restart limit, once; Normal CrashLoopEnded when it is gone', () => {
    const looping = (restarts: number): Pod => {
      const p = pod(`${PCLQ}-0`, PCLQ, { scheduled: true, ready: false });
      const status = { ...p.status, containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: restarts, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }] };
      return { ...p, status } as Pod;
    };
    const other = pod(`${PCLQ}-1`, PCLQ, { scheduled: true, ready: true });
    const below = podCliqueStatus(input({ pods: [looping(2), other], crashLoopRestarts: 3 }));
    expect(below.events.filter((e) => e.reason.startsWith('CrashLoop'))).toEqual([]);
    const over = podCliqueStatus(input({ pods: [looping(3), other], crashLoopRestarts: 3, previous: below.status, now: T1 }));
    const message = `Pod ${PCLQ}-0 container main restarted 3 times (limit 3); last exit code 1 (Error)`;
    expect(over.events.filter((e) => e.reason.startsWith('CrashLoop'))).toEqual([{ type: 'Warning', reason: 'CrashLooping', message }]);
    const still = podCliqueStatus(input({ pods: [looping(4), other], crashLoopRestarts: 3, previous: over.status, now: T2 }));
    expect(still.events.filter((e) => e.reason.startsWith('CrashLoop'))).toEqual([]);
    const replaced = podCliqueStatus(input({ pods: [other], crashLoopRestarts: 3, previous: still.status, now: T2 }));
    expect(replaced.events.filter((e) => e.reason.startsWith('CrashLoop'))).toEqual([{ type: 'Normal', reason: 'CrashLoopEnded', message: 'No pod restarted 3 times or more' }]);
  });

  it('MinAvailableBreached on False -> True, MinAvailableReached on True -> False after a breach, nothing on first sight or first start', () => {
    const first = podCliqueStatus(input({ pods: [] }));
    expect(first.events).toEqual([]);
    // The first start is no recovery: no event (the PodCliqueSet reports ReplicasAvailable).
    const up = podCliqueStatus(input({ pods: running, previous: first.status, now: T1 }));
    expect(up.events).toEqual([]);
    expect(findCondition(up.status.conditions, 'copse.io/EverAvailable')?.status).toBe('True');
    const down = podCliqueStatus(input({ pods: running.slice(0, 1), previous: up.status, now: T2 }));
    expect(down.events).toEqual([
      { type: 'Warning', reason: 'MinAvailableBreached', message: 'Scheduled replicas (1) below MinAvailable (2)' },
    ]);
    const back = podCliqueStatus(input({ pods: running, previous: down.status, now: T2 }));
    expect(back.events).toEqual([
      {
        type: 'Normal',
        reason: 'MinAvailableReached',
        message: 'Either sufficient ready or starting pods found. expected at least: 2, found: 2',
      },
    ]);
  });

  it('no breach events around an update (Unknown)', () => {
    const up = podCliqueStatus(input({ pods: running })).status;
    const notReady = pods(PCLQ, 2, { scheduled: true, ready: false });
    const updating = podCliqueStatus(input({ pods: notReady, previous: up, updateInProgress: true, now: T1 }));
    expect(findCondition(updating.status.conditions, 'MinAvailableBreached')?.status).toBe('Unknown');
    expect(updating.events).toEqual([]);
  });
});

describe('current hashes', () => {
  const previous: PodCliqueStatus = {
    readyReplicas: 0,
    updatedReplicas: 0,
    scheduleGatedReplicas: 0,
    scheduledReplicas: 0,
    currentPodTemplateHash: 'h0',
    currentPodCliqueSetGenerationHash: 'g0',
  };

  it('advance when every pod runs the expected template and no update runs', () => {
    const { status } = podCliqueStatus(input({ pods: pods(PCLQ, 2, { hash: 'h1' }), previous }));
    expect([status.currentPodTemplateHash, status.currentPodCliqueSetGenerationHash]).toEqual(['h1', 'g1']);
  });

  it.each<[string, Partial<PodCliqueStatusInput>]>([
    ['an old pod remains', { pods: [pod('x', PCLQ, { hash: 'h0' }), pod('y', PCLQ)] }],
    ['an update runs', { pods: pods(PCLQ, 2), updateInProgress: true }],
    ['the PodCliqueSet has no generation hash yet', { pods: pods(PCLQ, 2), pcsGenerationHash: undefined }],
  ])('stay while %s', (_why, over) => {
    const { status } = podCliqueStatus(input({ pods: [], ...over, previous }));
    expect([status.currentPodTemplateHash, status.currentPodCliqueSetGenerationHash]).toEqual(['h0', 'g0']);
  });
});

describe('idempotence and change detection', () => {
  const somePods = [...pods(PCLQ, 2, { scheduled: true, ready: true }), pod(`${PCLQ}-7`, PCLQ, { gates: ['g'] })];

  it('same inputs twice give deep-equal results', () => {
    expect(podCliqueStatus(input({ pods: somePods }))).toEqual(podCliqueStatus(input({ pods: somePods })));
  });

  it('a status fed back as previous is a fixed point: unchanged, no events', () => {
    const once = podCliqueStatus(input({ pods: somePods, now: T0 }));
    const twice = podCliqueStatus(input({ pods: somePods, previous: once.status, now: T1 }));
    expect(twice.status).toEqual(once.status);
    expect(twice.events).toEqual([]);
    expect(podCliqueStatusChanged(once.status, twice.status)).toBe(false);
  });

  it('statusChanged sees a changed counter and a first status', () => {
    const once = podCliqueStatus(input({ pods: somePods })).status;
    expect(podCliqueStatusChanged(once, { ...once, readyReplicas: 1 })).toBe(true);
    expect(podCliqueStatusChanged(undefined, once)).toBe(true);
  });
});

describe('isPodCliqueUpdated (grove-compat §4.8) and targetPodTemplateHash', () => {
  const updated = (over: Parameters<typeof healthyPodClique>[1] = {}): PodClique =>
    healthyPodClique(PCLQ, { replicas: 2, hash: 'h1', gen: 'g1', ...over });

  it('holds when label, current hashes and counts agree', () => {
    expect(isPodCliqueUpdated(updated(), 'h1', 'g1')).toBe(true);
  });

  it.each<[string, PodClique, string | undefined, string | undefined]>([
    ['label hash differs', updated({ hash: 'h0', status: { currentPodTemplateHash: 'h1' } }), 'h1', 'g1'],
    ['current template hash differs', updated({ status: { currentPodTemplateHash: 'h0' } }), 'h1', 'g1'],
    ['generation hash differs', updated({ gen: 'g0' }), 'h1', 'g1'],
    ['too few updated', updated({ status: { updatedReplicas: 1 } }), 'h1', 'g1'],
    ['too few ready', updated({ status: { readyReplicas: 1 } }), 'h1', 'g1'],
    ['no PCS hash', updated(), 'h1', undefined],
  ])('fails when %s', (_why, pclq, hash, gen) => {
    expect(isPodCliqueUpdated(pclq, hash, gen)).toBe(false);
  });

  it('targets the running update, else the label', () => {
    expect(targetPodTemplateHash(podClique(PCLQ, { hash: 'h1' }))).toBe('h1');
    const updating = podClique(PCLQ, {
      hash: 'h1',
      status: { updateProgress: { podTemplateHash: 'h2', podCliqueSetGenerationHash: 'g2' } },
    });
    expect(targetPodTemplateHash(updating)).toBe('h2');
  });
});
