import { describe, expect, it } from 'vitest';
import type { PodClique, PodCliqueScalingGroupUpdateProgress } from '../generated/types.js';
import { healthyPodClique, podClique, scalingGroup, T0, T1 } from '../status/testing.js';
import { scalingGroupUpdateStep, type ScalingGroupUpdateInput } from './scalinggroup.js';

const G = 'pcs-0-sg';
const hashes = { b: 'hb2', c: 'hc2' };
/** Member j of clique `c`: healthy on the old (`old`) or the new template. */
function member(j: number, c: 'b' | 'c', o: { old?: boolean; terminating?: boolean; ready?: boolean } = {}): PodClique {
  const hash = o.old ? `h${c}1` : `h${c}2`;
  const base = { pcsg: G, pcsgIndex: j, hash, gen: o.old ? 'g1' : 'g2', terminating: o.terminating ?? false };
  if (o.ready === false) return podClique(`${G}-${j}-${c}`, { ...base, status: { replicas: 1, scheduledReplicas: 1, readyReplicas: 0 } });
  return healthyPodClique(`${G}-${j}-${c}`, base);
}
const replicaOf = (j: number, o: { old?: boolean; ready?: boolean } = {}) => [member(j, 'b', o), member(j, 'c', o)];
const started: PodCliqueScalingGroupUpdateProgress = { updateStartedAt: T0, podCliqueSetGenerationHash: 'g2' };

function step(o: Partial<ScalingGroupUpdateInput> & { progress?: PodCliqueScalingGroupUpdateProgress; replicas?: number; minAvailable?: number }) {
  const pcsg = scalingGroup(G, { replicas: o.replicas ?? 3, minAvailable: o.minAvailable ?? 2, status: o.progress ? { updateProgress: o.progress } : {} });
  return scalingGroupUpdateStep({
    pcsg,
    members: [],
    expectedPodTemplateHashes: hashes,
    pcsGenerationHash: 'g2',
    strategy: 'RollingRecreate',
    replicaBeingUpdated: true,
    coherent: false,
    now: T1,
    ...o,
  });
}
const names = (ps: readonly PodClique[]) => ps.map((p) => p.metadata.name);

describe('scalingGroupUpdateStep (RollingRecreate)', () => {
  it('starts and recreates the lowest-index available outdated replica (RU8)', () => {
    const s = step({ members: [...replicaOf(0, { old: true }), ...replicaOf(1, { old: true }), ...replicaOf(2, { old: true })] });
    expect(s.recreate).toEqual([0]);
    expect(names(s.delete)).toEqual([`${G}-0-b`, `${G}-0-c`]);
    expect(s.progress).toEqual({ updateStartedAt: T1, podCliqueSetGenerationHash: 'g2', updatedPodCliquesCount: 0, totalPodCliquesCount: 6, readyReplicaIndicesSelectedToUpdate: { current: 0 } });
  });

  it('recreates unavailable outdated replicas at once, with the next available one', () => {
    const s = step({ members: [...replicaOf(0, { old: true }), ...replicaOf(1, { old: true, ready: false }), ...replicaOf(2, { old: true })] });
    expect(s.recreate).toEqual([1, 0]);
  });

  it('waits until the selected replica is back, updated', () => {
    const progress = { ...started, readyReplicaIndicesSelectedToUpdate: { current: 0 } };
    const back = step({ progress, members: [member(0, 'b', { ready: false }), member(0, 'c'), ...replicaOf(1, { old: true }), ...replicaOf(2, { old: true })] });
    expect(back.recreate).toEqual([]);
    expect(back.waiting).toBe('waiting for replica 0 to come back updated');
    const recorded = step({ progress, members: [...replicaOf(0, { old: true }), ...replicaOf(1, { old: true }), ...replicaOf(2, { old: true })] });
    expect(recorded.recreate).toEqual([0]);
    expect(recorded.progress?.readyReplicaIndicesSelectedToUpdate).toEqual({ current: 0 });
    const missing = step({ progress, members: [...replicaOf(1, { old: true }), ...replicaOf(2, { old: true })] });
    expect(missing.recreate).toEqual([]);
    const next = step({ progress, members: [...replicaOf(0), ...replicaOf(1, { old: true }), ...replicaOf(2, { old: true })] });
    expect(next.recreate).toEqual([1]);
    expect(next.progress?.readyReplicaIndicesSelectedToUpdate).toEqual({ current: 1, completed: [0] });
    expect(next.progress?.updatedPodCliquesCount).toBe(2);
  });

  it('waits while fewer than minAvailable replicas are available', () => {
    const s = step({ minAvailable: 3, members: [...replicaOf(0, { old: true }), ...replicaOf(1, { old: true }), member(2, 'b', { old: true }), member(2, 'c', { old: true, ready: false })] });
    expect(s.recreate).toEqual([2]);
    expect(s.waiting).toBe('waiting for 3 available replicas (minAvailable), 2 so far');
  });

  it('ends when nothing is outdated or terminating and the last selection is updated', () => {
    const progress = { ...started, readyReplicaIndicesSelectedToUpdate: { current: 2, completed: [0, 1] } };
    const terminating = step({ progress, members: [...replicaOf(0), ...replicaOf(1), ...replicaOf(2), member(3, 'b', { terminating: true })] });
    expect(terminating.inProgress).toBe(true);
    const s = step({ progress, members: [...replicaOf(0), ...replicaOf(1), ...replicaOf(2)] });
    expect(s).toEqual({ progress: { ...started, updateEndedAt: T1, updatedPodCliquesCount: 6, totalPodCliquesCount: 6 }, inProgress: false, recreate: [], delete: [] });
  });

  it('leaves terminating members alone (they are already going)', () => {
    const s = step({ coherent: true, members: [member(0, 'b', { old: true, terminating: true }), member(0, 'c', { old: true }), ...replicaOf(1)] });
    expect(names(s.delete)).toEqual([`${G}-0-c`]);
  });

  it('coherent: every outdated replica at once', () => {
    const s = step({ coherent: true, members: [...replicaOf(0, { old: true }), ...replicaOf(1), ...replicaOf(2, { old: true })] });
    expect(s.recreate).toEqual([0, 2]);
  });

  it('does nothing while its replica is not being updated, or before a generation hash exists', () => {
    const members = replicaOf(0, { old: true });
    expect(step({ replicaBeingUpdated: false, members })).toEqual({ progress: undefined, inProgress: false, recreate: [], delete: [] });
    expect(step({ pcsGenerationHash: undefined, members }).recreate).toEqual([]);
  });

  it('ignores PodCliques of other groups', () => {
    const stranger = podClique('pcs-0-other-0-b', { pcsg: 'pcs-0-other', pcsgIndex: 0, hash: 'hb1' });
    const s = step({ replicas: 1, members: [...replicaOf(0), stranger] });
    expect(s.progress?.updateEndedAt).toBe(T1);
  });
});

describe('scalingGroupUpdateStep (OnDelete)', () => {
  it('records an ended update once per generation and recreates nothing', () => {
    const s = step({ strategy: 'OnDelete', members: replicaOf(0, { old: true }) });
    expect(s).toEqual({ progress: { updateStartedAt: T1, updateEndedAt: T1, podCliqueSetGenerationHash: 'g2', totalPodCliquesCount: 6 }, inProgress: false, recreate: [], delete: [] });
    const rec = { ...started, updateEndedAt: T0 };
    expect(step({ strategy: 'OnDelete', progress: rec }).progress).toBe(rec);
  });
});
