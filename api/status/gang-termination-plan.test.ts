import { describe, expect, it } from 'vitest';
import type { Condition, PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../generated/types.js';
import { everAvailableCondition } from './ever-available.js';
import { gangTerminationInProgressCondition, planGangTermination, terminationDelayMs } from './gang-termination-plan.js';
import { podClique, podCliqueSet, scalingGroup } from './testing.js';

// WL1-gt's shape (grove-compat §9.1): pc-a standalone; sg-x [pc-b, pc-c] replicas 2, minAvailable 2 (or 1).
const NOW = Date.parse('2025-01-01T01:00:00Z');
const iso = (agoMs: number): string => new Date(NOW - agoMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pcs(o: { sgMin?: number; delay?: string; updating?: number } = {}): PodCliqueSet {
  const p = podCliqueSet('w', { cliques: [{ name: 'pc-a' }, { name: 'pc-b' }, { name: 'pc-c' }], groups: [{ name: 'sg-x', cliqueNames: ['pc-b', 'pc-c'], replicas: 2, minAvailable: o.sgMin ?? 2 }] });
  p.spec.template.terminationDelay = o.delay ?? '10s';
  if (o.updating !== undefined) p.status = { replicas: 1, updatedReplicas: 0, availableReplicas: 0, updateProgress: { currentlyUpdating: [{ replicaIndex: o.updating, updateStartedAt: iso(1000) }] } };
  return p;
}

/** Conditions of a unit: breached `agoMs` ago (undefined: not breached), healthy once or never. */
function conds(breachedAgoMs: number | undefined, ever = true, extra: Condition[] = []): Condition[] {
  const out: Condition[] = [
    breachedAgoMs === undefined
      ? { type: 'MinAvailableBreached', status: 'False', reason: 'SufficientReadyPods', message: '', lastTransitionTime: iso(3_600_000) }
      : { type: 'MinAvailableBreached', status: 'True', reason: 'InsufficientReadyPods', message: '', lastTransitionTime: iso(breachedAgoMs) },
    ...extra,
  ];
  if (ever) out.push({ type: 'copse.io/EverAvailable', status: 'True', reason: 'MinAvailableReached', message: '', lastTransitionTime: iso(3_600_000) });
  return out;
}

function clique(name: string, breachedAgoMs?: number, o: { ever?: boolean; group?: number; createdAgoMs?: number } = {}): PodClique {
  const p = podClique(`w-0-${name}`, {
    pcs: 'w',
    ...(o.group !== undefined ? { pcsg: 'w-0-sg-x', pcsgIndex: o.group } : {}),
    status: { conditions: conds(breachedAgoMs, o.ever ?? true) },
  });
  p.metadata.uid = `uid-${name}`;
  p.metadata.creationTimestamp = iso(o.createdAgoMs ?? 7_200_000);
  return p;
}

function group(breachedAgoMs?: number, o: { markedAgoMs?: number; min?: number } = {}): PodCliqueScalingGroup {
  const mark: Condition[] =
    o.markedAgoMs === undefined ? [] : [{ type: 'GangTerminationInProgress', status: 'True', reason: 'GangTerminationActive', message: '', lastTransitionTime: iso(o.markedAgoMs) }];
  return scalingGroup('w-0-sg-x', { pcs: 'w', replicas: 2, minAvailable: o.min ?? 2, cliqueNames: ['pc-b', 'pc-c'], status: { conditions: conds(breachedAgoMs, true, mark) } });
}

const all = (over: Partial<Record<string, PodClique>> = {}): PodClique[] =>
  Object.values({
    'pc-a': clique('pc-a'),
    'sg-x-0-pc-b': clique('sg-x-0-pc-b', undefined, { group: 0 }),
    'sg-x-0-pc-c': clique('sg-x-0-pc-c', undefined, { group: 0 }),
    'sg-x-1-pc-b': clique('sg-x-1-pc-b', undefined, { group: 1 }),
    'sg-x-1-pc-c': clique('sg-x-1-pc-c', undefined, { group: 1 }),
    ...over,
  }).filter((p): p is PodClique => p !== undefined);
const names = (ps: readonly PodClique[]): (string | undefined)[] => ps.map((p) => p.metadata.name);

describe('planGangTermination (grove-compat §4.11 from the objects)', () => {
  it('names the incarnation and the breach it read for the log: uid, creation, status@lastTransitionTime', () => {
    const plan = planGangTermination(pcs(), all({ 'pc-a': clique('pc-a', 10_000) }), [group(undefined, { markedAgoMs: 60_000 })], NOW);
    expect(plan.replicas[0]?.evidence).toEqual([
      { kind: 'PodClique', name: 'w-0-pc-a', uid: 'uid-pc-a', created: iso(7_200_000), breach: `True@${iso(10_000)}`, everAvailable: true },
      { kind: 'PodCliqueScalingGroup', name: 'w-0-sg-x', uid: undefined, created: undefined, breach: `False@${iso(3_600_000)}`, everAvailable: true, markedAt: iso(60_000) },
    ]);
  });

  it('GT1: a standalone breach past the delay deletes every PodClique of the replica, after marking its groups', () => {
    const plan = planGangTermination(pcs(), all({ 'pc-a': clique('pc-a', 10_000) }), [group()], NOW);
    const [r0] = plan.replicas;
    expect(r0?.action).toEqual({ kind: 'replica' });
    expect(names(r0?.markGroups.map((g) => g as unknown as PodClique) ?? [])).toEqual(['w-0-sg-x']);
    expect(names(r0?.deletePodCliques ?? [])).toEqual(['w-0-pc-a', 'w-0-sg-x-0-pc-b', 'w-0-sg-x-0-pc-c', 'w-0-sg-x-1-pc-b', 'w-0-sg-x-1-pc-c']);
    expect(plan.pending).toBeUndefined();
  });

  it('before the deadline: nothing is deleted, the pass requeues for the rest of the delay and the condition names the deadline', () => {
    const plan = planGangTermination(pcs(), all({ 'pc-a': clique('pc-a', 4_000) }), [group()], NOW);
    expect(plan.replicas[0]?.deletePodCliques).toEqual([]);
    expect(plan.requeueAfterMs).toBe(6_000);
    expect(plan.pending).toEqual({
      type: 'copse.io/GangTerminationPending',
      status: 'True',
      reason: 'TerminationDelayPending',
      message: 'PodCliqueSet replica 0 is below its minimum; gang termination is due at 2025-01-01T01:00:06Z (terminationDelay)',
    });
  });

  it('the deadline comes from lastTransitionTime, so a restarted controller fires at the same moment', () => {
    const objs = all({ 'pc-a': clique('pc-a', 9_000) });
    expect(planGangTermination(pcs(), objs, [group()], NOW).requeueAfterMs).toBe(1_000);
    expect(planGangTermination(pcs(), objs, [group()], NOW + 1_000).replicas[0]?.action).toEqual({ kind: 'replica' });
  });

  it('GT5: one group replica down with the group still at its minimum recycles only that group replica', () => {
    const plan = planGangTermination(pcs({ sgMin: 1 }), all({ 'sg-x-0-pc-c': clique('sg-x-0-pc-c', 11_000, { group: 0 }) }), [group(undefined, { min: 1 })], NOW);
    expect(plan.replicas[0]?.action).toEqual({ kind: 'group-replicas', replicas: [{ group: 'w-0-sg-x', replica: 0 }] });
    expect(names(plan.replicas[0]?.deletePodCliques ?? [])).toEqual(['w-0-sg-x-0-pc-b', 'w-0-sg-x-0-pc-c']);
  });

  it('GT2: the group breached past the delay escalates to the whole replica', () => {
    const plan = planGangTermination(pcs(), all({ 'sg-x-0-pc-c': clique('sg-x-0-pc-c', 11_000, { group: 0 }) }), [group(11_000)], NOW);
    expect(plan.replicas[0]?.action).toEqual({ kind: 'replica' });
  });

  it('a unit that never reached its minimum is never terminated, and the condition says why', () => {
    const plan = planGangTermination(pcs(), all({ 'pc-a': clique('pc-a', 60_000, { ever: false }) }), [group()], NOW);
    expect(plan.replicas[0]?.action).toBeUndefined();
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(plan.pending?.reason).toBe('GangTerminationBlocked');
    expect(plan.pending?.message).toBe('PodClique w-0-pc-a is below its minimum but was never healthy; it is not terminated');
  });

  it('§10.4: nothing is terminated while the replica is in updateProgress.currentlyUpdating, and the condition says so', () => {
    const plan = planGangTermination(pcs({ updating: 0 }), all({ 'pc-a': clique('pc-a', 60_000) }), [group()], NOW);
    expect(plan.replicas[0]?.deletePodCliques).toEqual([]);
    expect(plan.pending?.message).toBe('PodCliqueSet replica 0 is being updated; gang termination waits until the update is done');
    // Another replica's update does not hold this one.
    expect(planGangTermination(pcs({ updating: 1 }), all({ 'pc-a': clique('pc-a', 60_000) }), [group()], NOW).replicas[0]?.action).toEqual({ kind: 'replica' });
  });

  it('after a restart mid-recycle, PodCliques older than the mark are deleted; the recreated ones never are', () => {
    const objs = all({
      'pc-a': clique('pc-a', undefined, { ever: false, createdAgoMs: 2_000 }),
      'sg-x-0-pc-b': clique('sg-x-0-pc-b', undefined, { group: 0, ever: false, createdAgoMs: 2_000 }),
    });
    const plan = planGangTermination(pcs(), objs, [group(20_000, { markedAgoMs: 3_000 })], NOW);
    expect(plan.replicas[0]?.action).toEqual({ kind: 'resume' });
    expect(names(plan.replicas[0]?.deletePodCliques ?? [])).toEqual(['w-0-sg-x-0-pc-c', 'w-0-sg-x-1-pc-b', 'w-0-sg-x-1-pc-c']);
    // Once every PodClique is newer than the mark, the marked group is not recycled again.
    const fresh = all(Object.fromEntries(['pc-a', 'sg-x-0-pc-b', 'sg-x-0-pc-c', 'sg-x-1-pc-b', 'sg-x-1-pc-c'].map((n) => [n, clique(n, 1_000, { ever: false, createdAgoMs: 2_000, ...(n.startsWith('sg') ? { group: Number(n[5]) } : {}) })])));
    expect(planGangTermination(pcs(), fresh, [group(20_000, { markedAgoMs: 3_000 })], NOW).replicas[0]?.deletePodCliques).toEqual([]);
  });

  it('a PodClique already being deleted is not deleted again', () => {
    const objs = all({ 'pc-a': clique('pc-a', 10_000) });
    const gone = objs.map((p) => (p.metadata.name === 'w-0-sg-x-1-pc-c' ? { ...p, metadata: { ...p.metadata, deletionTimestamp: iso(0) } } : p));
    expect(names(planGangTermination(pcs(), gone, [group()], NOW).replicas[0]?.deletePodCliques ?? [])).not.toContain('w-0-sg-x-1-pc-c');
  });

  it('terminationDelay must be a positive duration; the error names the field', () => {
    expect(terminationDelayMs(pcs({ delay: '1m30s' }))).toBe(90_000);
    expect(() => terminationDelayMs(pcs({ delay: 'soon' }))).toThrow('PodCliqueSet w: spec.template.terminationDelay "soon" is not a positive Go duration');
  });

  it('the in-progress mark carries Grove’s reason', () => {
    expect(gangTerminationInProgressCondition(1)).toMatchObject({ type: 'GangTerminationInProgress', status: 'True', reason: 'GangTerminationActive' });
  });
});

describe('copse.io/EverAvailable', () => {
  const breach = (status: 'True' | 'False') => ({ type: 'MinAvailableBreached', status, reason: 'r', message: 'm' }) as const;
  it('is set the first time the breach is False and kept unchanged through later breaches', () => {
    expect(everAvailableCondition(undefined, breach('True'))).toBeUndefined();
    const set = everAvailableCondition(undefined, breach('False'));
    expect(set).toEqual({ type: 'copse.io/EverAvailable', status: 'True', reason: 'MinAvailableReached', message: 'Reached its minimum: m' });
    const stored = [{ ...set!, lastTransitionTime: iso(0) }];
    expect(everAvailableCondition(stored, breach('True'))).toEqual(set);
  });
});
