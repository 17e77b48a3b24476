import { describe, expect, it } from 'vitest';
import { decideGangTermination, type CliqueBreach, type GroupBreach, type ReplicaBreachInput } from './gang-termination.js';

const DELAY = 10_000;
const NOW = 1_000_000;

const healthy = (name: string, group?: { name: string; replica: number }): CliqueBreach => ({ name, breachedSinceMs: undefined, everHealthy: true, ...(group ? { group } : {}) });
const breached = (name: string, agoMs: number, group?: { name: string; replica: number }, everHealthy = true): CliqueBreach => ({
  name,
  breachedSinceMs: NOW - agoMs,
  everHealthy,
  ...(group ? { group } : {}),
});
const sgx = (over: Partial<GroupBreach> = {}): GroupBreach => ({
  name: 'w-0-sg-x',
  replicas: 2,
  minAvailable: 1,
  breachedSinceMs: undefined,
  everHealthy: true,
  updateInProgress: false,
  gangTerminationInProgress: false,
  ...over,
});
const input = (over: Partial<ReplicaBreachInput>): ReplicaBreachInput => ({
  replica: 0,
  cliques: [],
  groups: [],
  missingStandalone: false,
  rollingUpdate: false,
  terminationDelayMs: DELAY,
  nowMs: NOW,
  ...over,
});
const member = (replica: number) => ({ name: 'w-0-sg-x', replica });

describe('decideGangTermination (grove-compat §4.11)', () => {
  it('does nothing while every unit is healthy', () => {
    expect(decideGangTermination(input({ cliques: [healthy('w-0-pc-a'), healthy('w-0-sg-x-0-pc-c', member(0))], groups: [sgx()] }))).toEqual({
      recycleGroupReplicas: [],
      recycleReplica: false,
      requeueAfterMs: undefined,
      waiting: [],
    });
  });

  it('a standalone PodClique breached past terminationDelay recycles the whole replica (GT1)', () => {
    expect(decideGangTermination(input({ cliques: [breached('w-0-pc-a', DELAY)] })).recycleReplica).toBe(true);
  });

  it('a breach younger than terminationDelay requeues for exactly the rest of the delay (GT3 first step)', () => {
    expect(decideGangTermination(input({ cliques: [breached('w-0-pc-a', 4_000)] }))).toEqual({
      recycleGroupReplicas: [],
      recycleReplica: false,
      requeueAfterMs: 6_000,
      waiting: [],
    });
  });

  it('one scaling-group replica down while the group keeps its minimum recycles only that group replica (GT4, GT5)', () => {
    const d = decideGangTermination(input({ cliques: [healthy('w-0-pc-a'), breached('w-0-sg-x-1-pc-c', DELAY + 1, member(1)), healthy('w-0-sg-x-0-pc-c', member(0))], groups: [sgx()] }));
    expect(d).toEqual({ recycleGroupReplicas: [{ group: 'w-0-sg-x', replica: 1 }], recycleReplica: false, requeueAfterMs: undefined, waiting: [] });
  });

  it('a group that would fall below its minimum escalates: the group breach recycles the replica (GT2, GT4 second step)', () => {
    const cliques = [breached('w-0-sg-x-0-pc-c', DELAY, member(0)), breached('w-0-sg-x-1-pc-c', DELAY, member(1))];
    const notYet = decideGangTermination(input({ cliques, groups: [sgx()] }));
    // Neither replica is recycled on its own, and the group is not breached yet: nothing to do.
    expect(notYet.recycleGroupReplicas).toEqual([]);
    expect(notYet.recycleReplica).toBe(false);
    const d = decideGangTermination(input({ cliques, groups: [sgx({ breachedSinceMs: NOW - DELAY })] }));
    expect(d).toEqual({ recycleGroupReplicas: [], recycleReplica: true, requeueAfterMs: undefined, waiting: [] });
  });

  it('never terminates a unit that was never healthy, and says so', () => {
    const d = decideGangTermination(input({ cliques: [breached('w-0-pc-a', DELAY * 10, undefined, false)] }));
    expect(d).toEqual({
      recycleGroupReplicas: [],
      recycleReplica: false,
      requeueAfterMs: undefined,
      waiting: ['PodClique w-0-pc-a is below its minimum but was never healthy; it is not terminated'],
    });
  });

  it('never terminates during an automatic rolling update of the replica, and says why it waits', () => {
    const d = decideGangTermination(input({ cliques: [breached('w-0-pc-a', DELAY)], rollingUpdate: true }));
    expect(d).toEqual({
      recycleGroupReplicas: [],
      recycleReplica: false,
      requeueAfterMs: undefined,
      waiting: ['PodCliqueSet replica 0 is being updated; gang termination waits until the update is done'],
    });
  });

  it('a group being updated keeps its breached replicas; a group under gang termination is not counted again', () => {
    const cliques = [breached('w-0-sg-x-1-pc-c', DELAY, member(1))];
    expect(decideGangTermination(input({ cliques, groups: [sgx({ updateInProgress: true })] })).waiting).toEqual([
      'PodCliqueScalingGroup w-0-sg-x is being updated; its breached replicas are not recycled',
    ]);
    expect(decideGangTermination(input({ groups: [sgx({ breachedSinceMs: NOW - DELAY, gangTerminationInProgress: true })] })).recycleReplica).toBe(false);
  });

  it('waits for a missing standalone PodClique before recycling the replica', () => {
    const d = decideGangTermination(input({ cliques: [breached('w-0-pc-a', DELAY)], missingStandalone: true }));
    expect(d.recycleReplica).toBe(false);
    expect(d.waiting).toEqual(['PodCliqueSet replica 0 is missing a PodClique; gang termination waits until it exists']);
  });

  it('a group replica waits from its first breached member; the earliest pending wait sets the requeue', () => {
    const d = decideGangTermination(
      input({ cliques: [breached('w-0-sg-x-1-pc-b', 3_000, member(1)), breached('w-0-sg-x-1-pc-c', 7_000, member(1)), breached('w-0-pc-a', 1_000)], groups: [sgx()] }),
    );
    expect(d).toEqual({ recycleGroupReplicas: [], recycleReplica: false, requeueAfterMs: 3_000, waiting: [] });
  });
});
