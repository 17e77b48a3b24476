import { describe, expect, it } from 'vitest';
import type { Pod } from '../core/wire.js';
import { pod, podClique, T0, T1 } from '../status/testing.js';
import type { PodClique, PodCliqueUpdateProgress } from '../generated/types.js';
import { podCliqueUpdateStep, type PodCliqueUpdateInput } from './podclique.js';

const aged = (p: Pod, minute: number): Pod => ({ ...p, metadata: { ...p.metadata, creationTimestamp: `2025-01-01T00:0${minute}:00Z` } });
const old = (name: string, minute: number, o: { ready?: boolean; terminating?: boolean; scheduled?: boolean } = {}) =>
  aged(pod(name, 'pcs-0-a', { hash: 'h1', ready: o.ready ?? true, scheduled: o.scheduled ?? true, terminating: o.terminating ?? false }), minute);
const neu = (name: string, minute: number, ready = true) => aged(pod(name, 'pcs-0-a', { hash: 'h2', ready, scheduled: true }), minute);
const clique = (progress?: PodCliqueUpdateProgress, o: { replicas?: number; minAvailable?: number; hash?: string } = {}): PodClique =>
  podClique('pcs-0-a', { hash: o.hash ?? 'h2', replicas: o.replicas ?? 3, minAvailable: o.minAvailable ?? 2, status: progress ? { updateProgress: progress } : {} });
const started: PodCliqueUpdateProgress = { updateStartedAt: T0, podCliqueSetGenerationHash: 'g2', podTemplateHash: 'h2' };

function step(o: Partial<PodCliqueUpdateInput>) {
  return podCliqueUpdateStep({
    pclq: clique(started),
    pods: [],
    expectedHash: 'h2',
    pcsGenerationHash: 'g2',
    strategy: 'RollingRecreate',
    replicaBeingUpdated: true,
    coherent: false,
    now: T1,
    ...o,
  });
}
const names = (ps: readonly Pod[]) => ps.map((p) => p.metadata?.name);

describe('podCliqueUpdateStep (RollingRecreate)', () => {
  it('starts with the hashes it moves to and deletes the oldest Ready pod first', () => {
    const s = step({ pclq: clique(undefined), pods: [old('p-b', 2), old('p-a', 3), old('p-c', 1)] });
    expect(s.progress).toEqual({ ...started, updateStartedAt: T1, readyPodsSelectedToUpdate: { current: 'p-c' } });
    expect(names(s.delete)).toEqual(['p-c']);
    expect(s.inProgress).toBe(true);
  });

  it('deletes every outdated pod that is not Ready at once, with the next Ready one', () => {
    const s = step({ pods: [old('r1', 1), old('pending', 2, { ready: false, scheduled: false }), old('r2', 3), old('starting', 4, { ready: false })] });
    expect(names(s.delete)).toEqual(['pending', 'starting', 'r1']);
  });

  it('waits while the selected pod is still there, terminating included', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress), pods: [old('p0', 1, { terminating: true }), old('p1', 2), old('p2', 3)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe('waiting for p0 to be gone');
  });

  it('deletes a recorded selection that is still active (the shell crashed between record and delete), and no other', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p1', completed: ['p0'] } };
    const s = step({ pclq: clique(progress), pods: [neu('n0', 5), old('p1', 2), old('p2', 3)] });
    expect(names(s.delete)).toEqual(['p1']);
    expect(s.progress).toBe(progress);
  });

  it('chooses nothing new while an outdated pod is terminating, even one it did not record', () => {
    const s = step({ pclq: clique(started), pods: [old('p0', 1, { terminating: true }), old('p1', 2), old('p2', 3)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe('waiting for p0 to be gone');
  });

  it('waits until the replacement is Ready (RU10: no room, no second delete)', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress), pods: [neu('n0', 5, false), old('p1', 2), old('p2', 3)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe("waiting for p0's replacement: 2 of 3 pods Ready");
  });

  it('waits while the replacement is not even created yet', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress), pods: [old('p1', 2), old('p2', 3)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe("waiting for p0's replacement: 2 of 3 pods Ready");
  });

  // RU18: pc-a 2 -> 4 while its update ran. Two pods the scale-out added are Ready; Grove's count
  // (new Ready pods >= replaced) let them stand in for the replacement of p0, still starting, and a
  // second Ready pod went while the first was not back.
  it('a scale-out does not stand in for the replacement (RU18)', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress, { replicas: 4, minAvailable: 2 }), pods: [neu('s0', 6), neu('s1', 6), neu('n0', 5, false), old('p1', 2)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe("waiting for p0's replacement: 3 of 4 pods Ready");
  });

  // RU20: pc-a 3 -> 2 while its update ran. The rollout had replaced p0; the scale-in took the
  // replacement, which was not Ready yet. Two outdated pods fill both places: no new pod will ever be
  // made, so waiting for one stalled the update for good.
  it('goes on after a scale-in took the replacement away (RU20)', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress, { replicas: 2, minAvailable: 2 }), pods: [old('p1', 2), old('p2', 3)] });
    expect(names(s.delete)).toEqual(['p1']);
    expect(s.progress?.readyPodsSelectedToUpdate).toEqual({ current: 'p1', completed: ['p0'] });
  });

  it('after a scale-in still waits for a replacement that is there and not Ready', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p1', completed: ['p0'] } };
    const s = step({ pclq: clique(progress, { replicas: 2, minAvailable: 1 }), pods: [neu('n0', 5, false), old('p2', 3)] });
    expect(s.delete).toEqual([]);
    expect(s.waiting).toBe("waiting for p1's replacement: 1 of 2 pods Ready");
  });

  it('moves the previous selection to completed when it picks the next', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p0' } };
    const s = step({ pclq: clique(progress), pods: [neu('n0', 5), old('p1', 2), old('p2', 3)] });
    expect(names(s.delete)).toEqual(['p1']);
    expect(s.progress?.readyPodsSelectedToUpdate).toEqual({ current: 'p1', completed: ['p0'] });
  });

  it('waits while fewer than minAvailable pods are Ready', () => {
    const s = step({ pclq: clique(started, { replicas: 3, minAvailable: 3 }), pods: [old('p0', 1), old('p1', 2), old('p2', 3, { ready: false })] });
    expect(names(s.delete)).toEqual(['p2']);
    expect(s.waiting).toBe('waiting for 3 Ready pods (minAvailable), 2 so far');
  });

  it('ends once no outdated pod is left, terminating ones included', () => {
    const progress = { ...started, readyPodsSelectedToUpdate: { current: 'p2', completed: ['p0', 'p1'] } };
    const going = step({ pclq: clique(progress), pods: [neu('n0', 5), neu('n1', 6), old('p2', 3, { terminating: true })] });
    expect(going.inProgress).toBe(true);
    expect(going.progress?.updateEndedAt).toBeUndefined();
    const s = step({ pclq: clique(progress), pods: [neu('n0', 5), neu('n1', 6), neu('n2', 7, false)] });
    expect(s).toEqual({ progress: { ...started, updateEndedAt: T1 }, inProgress: false, delete: [] });
  });

  it('ignores finished outdated pods (an evicted pod runs nothing)', () => {
    const evicted = { ...old('gone', 1), status: { phase: 'Failed' } } as Pod;
    const s = step({ pods: [neu('n0', 5), evicted] });
    expect(s.progress?.updateEndedAt).toBe(T1);
  });

  it('once ended, does nothing more', () => {
    const ended = { ...started, updateEndedAt: T1 };
    const s = step({ pclq: clique(ended), pods: [old('p0', 1)] });
    expect(s).toEqual({ progress: ended, inProgress: false, delete: [] });
  });

  it('restarts when the PodCliqueSet moved to another generation', () => {
    const ended = { ...started, updateEndedAt: T1 };
    const s = step({ pclq: clique(ended), pcsGenerationHash: 'g3', pods: [old('p0', 1), old('p1', 2)] });
    expect(s.progress).toEqual({ updateStartedAt: T1, podCliqueSetGenerationHash: 'g3', podTemplateHash: 'h2', readyPodsSelectedToUpdate: { current: 'p0' } });
  });

  it('does nothing while its replica is not being updated', () => {
    const s = step({ pclq: clique(undefined), replicaBeingUpdated: false, pods: [old('p0', 1)] });
    expect(s).toEqual({ progress: undefined, inProgress: false, delete: [] });
  });

  it('does nothing while its spec still has the old template (cache behind, or a partition)', () => {
    const s = step({ pclq: clique(undefined, { hash: 'h1' }), pods: [old('p0', 1)] });
    expect(s).toEqual({ progress: undefined, inProgress: false, delete: [] });
  });

  it('does nothing before the PodCliqueSet has a generation hash', () => {
    expect(step({ pcsGenerationHash: undefined, pods: [old('p0', 1)] }).delete).toEqual([]);
  });

  it('coherent: every outdated active pod at once, oldest first', () => {
    const s = step({ coherent: true, pods: [old('p1', 2), old('p0', 1), old('t', 0, { terminating: true }), neu('n0', 5)] });
    expect(names(s.delete)).toEqual(['p0', 'p1']);
    expect(s.progress?.readyPodsSelectedToUpdate).toBeUndefined();
  });
});

describe('podCliqueUpdateStep (OnDelete)', () => {
  it('records an update that has already ended and deletes nothing', () => {
    const s = step({ strategy: 'OnDelete', pclq: clique(undefined), pods: [old('p0', 1)] });
    expect(s).toEqual({ progress: { updateStartedAt: T1, updateEndedAt: T1, podCliqueSetGenerationHash: 'g2', podTemplateHash: 'h2' }, inProgress: false, delete: [] });
  });

  it('keeps the record for the same generation', () => {
    const rec = { ...started, updateEndedAt: T0 };
    expect(step({ strategy: 'OnDelete', pclq: clique(rec) }).progress).toBe(rec);
  });
});
