import { describe, expect, it } from 'vitest';
import type { UpdatePolicy } from '../rules/update-policy.js';
import { compareCandidates, decideRollout, replicasBeingUpdated, rolloutInProgress, type ReplicaRolloutState, type RolloutInput } from './rollout.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const policy = (o: Partial<UpdatePolicy> = {}): UpdatePolicy => ({ type: 'RollingRecreate', maxUnavailable: 1, partition: 0, coherent: false, crashLoopRestarts: 5, ...o });
const replica = (index: number, o: Partial<ReplicaRolloutState> = {}): ReplicaRolloutState => ({ index, updated: false, outdated: true, scheduledPods: 3, breached: false, ...o });
const done = (index: number): ReplicaRolloutState => replica(index, { updated: true, outdated: false });

function input(o: Partial<RolloutInput>): RolloutInput {
  return { previous: undefined, previousHash: 'g1', hash: 'g1', policy: policy(), paused: false, replicas: [], now: T1, ...o };
}

describe('decideRollout', () => {
  it('starts nothing on the first hash a PodCliqueSet gets', () => {
    const d = decideRollout(input({ previousHash: undefined, hash: 'g1', replicas: [replica(0)] }));
    expect(d).toEqual({ progress: { updateStartedAt: undefined, updateEndedAt: undefined, currentlyUpdating: undefined }, started: [], finished: [] });
  });

  it('a new hash resets progress and takes the lowest index first (RU7: one replica at a time)', () => {
    const previous = { updateStartedAt: T0, updateEndedAt: T0, currentlyUpdating: undefined };
    const d = decideRollout(input({ previous, previousHash: 'g1', hash: 'g2', replicas: [replica(0), replica(1), replica(2)] }));
    expect(d.progress).toEqual({ updateStartedAt: T1, updateEndedAt: undefined, currentlyUpdating: [{ replicaIndex: 0, updateStartedAt: T1 }] });
    expect(d.started).toEqual([0]);
  });

  // Seen in the e2e "a second template change during the update": Grove's rule (forget the replica,
  // choose again) picked replica 0 while replica 1 was still a pod down, two replicas down at once.
  it('a new hash mid-update keeps the replica being updated (it goes on to the new template) and starts no other', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, previousHash: 'g2', hash: 'g3', replicas: [replica(0), replica(1)] }));
    expect(d.progress).toEqual({ updateStartedAt: T1, updateEndedAt: undefined, currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T0 }] });
    expect(d.started).toEqual([]);
    const next = decideRollout(input({ previous: d.progress, previousHash: 'g3', hash: 'g3', replicas: [replica(0), done(1)] }));
    expect(next.finished).toEqual([1]);
    expect(next.started).toEqual([0]);
  });

  it('a new hash mid-update under maxUnavailable 2 keeps both replicas and tops up nothing beyond 2', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 2, updateStartedAt: T0 }, { replicaIndex: 3, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, previousHash: 'g2', hash: 'g3', policy: policy({ maxUnavailable: 2 }), replicas: [replica(0), replica(1), replica(2), replica(3)] }));
    expect(d.progress.currentlyUpdating?.map((c) => c.replicaIndex)).toEqual([2, 3]);
    expect(d.started).toEqual([]);
  });

  it("chooses Grove's order: no scheduled pod, then breached, then lowest index", () => {
    const rs = [replica(0), replica(1, { breached: true }), replica(2, { scheduledPods: 0 }), replica(3, { breached: true })];
    expect([...rs].sort(compareCandidates).map((r) => r.index)).toEqual([2, 1, 3, 0]);
    const d = decideRollout(input({ previousHash: 'g1', hash: 'g2', replicas: rs, policy: policy({ maxUnavailable: 3 }) }));
    expect(d.started).toEqual([2, 1, 3]);
  });

  it('keeps the current replica until it is updated, then moves to the next', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 0, updateStartedAt: T0 }] };
    const waiting = decideRollout(input({ previous, replicas: [replica(0, { outdated: false }), replica(1)] }));
    expect(waiting.progress.currentlyUpdating).toEqual([{ replicaIndex: 0, updateStartedAt: T0 }]);
    expect(waiting.started).toEqual([]);
    const next = decideRollout(input({ previous, replicas: [done(0), replica(1)] }));
    expect(next.finished).toEqual([0]);
    expect(next.progress.currentlyUpdating).toEqual([{ replicaIndex: 1, updateStartedAt: T1 }]);
  });

  it('ends when no replica is left: updateEndedAt = now, list cleared', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, replicas: [done(0), done(1)] }));
    expect(d.progress).toEqual({ updateStartedAt: T0, updateEndedAt: T1, currentlyUpdating: undefined });
    expect(d.finished).toEqual([1]);
  });

  it('maxUnavailable: that many replicas at once, topped up as they finish', () => {
    const rs = [replica(0), replica(1), replica(2), replica(3), replica(4)];
    const first = decideRollout(input({ previousHash: 'g1', hash: 'g2', replicas: rs, policy: policy({ maxUnavailable: 2 }) }));
    expect(first.started).toEqual([0, 1]);
    const later = decideRollout(input({ previous: first.progress, replicas: [done(0), replica(1), replica(2), replica(3), replica(4)], policy: policy({ maxUnavailable: 2 }) }));
    expect(later.progress.currentlyUpdating?.map((c) => c.replicaIndex)).toEqual([1, 2]);
  });

  it('partition: replicas below it are never chosen, and the update ends without them', () => {
    const rs = [replica(0), replica(1), replica(2)];
    const d = decideRollout(input({ previousHash: 'g1', hash: 'g2', replicas: rs, policy: policy({ partition: 2 }) }));
    expect(d.started).toEqual([2]);
    const end = decideRollout(input({ previous: d.progress, replicas: [replica(0), replica(1), done(2)], policy: policy({ partition: 2 }) }));
    expect(end.progress.updateEndedAt).toBe(T1);
  });

  it('lowering the partition after the end starts a new round for the replicas it releases', () => {
    const previous = { updateStartedAt: T0, updateEndedAt: T0 };
    const d = decideRollout(input({ previous, replicas: [replica(0), replica(1), done(2)], policy: policy({ partition: 1 }) }));
    expect(d.progress).toEqual({ updateStartedAt: T1, updateEndedAt: undefined, currentlyUpdating: [{ replicaIndex: 1, updateStartedAt: T1 }] });
  });

  it('grove#565: a scale-out replica (no pods, nothing outdated) never starts an update', () => {
    const previous = { updateStartedAt: T0, updateEndedAt: T0 };
    const d = decideRollout(input({ previous, replicas: [done(0), replica(1, { outdated: false, scheduledPods: 0 })] }));
    expect(d.progress).toEqual({ updateStartedAt: T0, updateEndedAt: T0, currentlyUpdating: undefined });
    expect(d.started).toEqual([]);
  });

  it('a replica scaled away mid-update leaves the list', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 2, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, replicas: [done(0), done(1)] }));
    expect(d.finished).toEqual([2]);
    expect(d.progress.updateEndedAt).toBe(T1);
  });

  it('OnDelete: a new hash records an update that has already ended, and chooses nothing', () => {
    const d = decideRollout(input({ previousHash: 'g1', hash: 'g2', replicas: [replica(0)], policy: policy({ type: 'OnDelete' }) }));
    expect(d).toEqual({ progress: { updateStartedAt: T1, updateEndedAt: T1, currentlyUpdating: undefined }, started: [], finished: [] });
  });

  it('OnDelete switched on mid-update stops the rollout', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 0, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, replicas: [replica(0)], policy: policy({ type: 'OnDelete' }) }));
    expect(d).toEqual({ progress: { updateStartedAt: T0, updateEndedAt: T1, currentlyUpdating: undefined }, started: [], finished: [0] });
  });

  it('OD9: OnDelete switched back to RollingRecreate rolls what is still outdated', () => {
    const previous = { updateStartedAt: T0, updateEndedAt: T0 };
    const d = decideRollout(input({ previous, replicas: [replica(0)] }));
    expect(d.progress.currentlyUpdating).toEqual([{ replicaIndex: 0, updateStartedAt: T1 }]);
    expect(d.progress.updateEndedAt).toBeUndefined();
  });

  it('paused (invalid annotations): keeps the replicas it works on, starts no other', () => {
    const previous = { updateStartedAt: T0, currentlyUpdating: [{ replicaIndex: 0, updateStartedAt: T0 }] };
    const d = decideRollout(input({ previous, paused: true, replicas: [done(0), replica(1)] }));
    expect(d.started).toEqual([]);
    expect(d.progress).toEqual({ updateStartedAt: T0, updateEndedAt: undefined, currentlyUpdating: undefined });
    const fresh = decideRollout(input({ previousHash: 'g1', hash: 'g2', paused: true, replicas: [replica(0)] }));
    expect(fresh.started).toEqual([]);
    expect(fresh.progress.updateEndedAt).toBeUndefined();
  });

  it('reports whether an update runs and on which replicas', () => {
    expect(rolloutInProgress(undefined)).toBe(false);
    expect(rolloutInProgress({ updateStartedAt: T0 })).toBe(true);
    expect(rolloutInProgress({ updateStartedAt: T0, updateEndedAt: T1 })).toBe(false);
    expect([...replicasBeingUpdated({ currentlyUpdating: [{ replicaIndex: 3 }, { replicaIndex: 1 }] })]).toEqual([3, 1]);
  });
});
