import { describe, expect, it } from 'vitest';
import type { Pod } from '../core/wire.js';
import { expectedPodTemplateHashes } from '../status/podcliqueset.js';
import { healthyPodClique, pod, podClique, podCliqueSet, scalingGroup } from '../status/testing.js';
import { replicaRolloutStates } from './replicas.js';

const pcs = podCliqueSet('pcs', { replicas: 3, cliques: [{ name: 'a' }, { name: 'b' }], groups: [{ name: 'sg', cliqueNames: ['b'] }] });
const hashes = expectedPodTemplateHashes(pcs);
const A = hashes.a ?? '';
const B = hashes.b ?? '';
const withReplica = (o: Pod, i: number): Pod => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, 'grove.io/podcliqueset-replica-index': String(i) } } });

function replica(i: number, o: { podHash?: string; memberHash?: string; breach?: boolean; scheduled?: number } = {}) {
  const a = healthyPodClique(`pcs-${i}-a`, { pcsIndex: i, hash: A, gen: 'g', status: o.scheduled !== undefined ? { scheduledReplicas: o.scheduled } : {} });
  const member = healthyPodClique(`pcs-${i}-sg-0-b`, { pcsIndex: i, hash: o.memberHash ?? B, gen: 'g', pcsg: `pcs-${i}-sg`, pcsgIndex: 0 });
  const group = scalingGroup(`pcs-${i}-sg`, {
    pcsIndex: i,
    replicas: 1,
    cliqueNames: ['b'],
    status: {
      availableReplicas: 1,
      currentPodCliqueSetGenerationHash: 'g',
      conditions: [{ type: 'MinAvailableBreached', status: o.breach ? 'True' : 'False', reason: 'r', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    },
  });
  const p = withReplica(pod(`pcs-${i}-a-x`, `pcs-${i}-a`, { hash: o.podHash ?? A, ready: true, scheduled: true }), i);
  return { pclqs: [a, member], pcsgs: [group], pods: [p] };
}

function states(rs: ReturnType<typeof replica>[]) {
  return replicaRolloutStates({
    pcs,
    pclqs: rs.flatMap((r) => r.pclqs),
    pcsgs: rs.flatMap((r) => r.pcsgs),
    pods: rs.flatMap((r) => r.pods),
    expectedPodTemplateHashes: hashes,
    generationHash: 'g',
  });
}

describe('replicaRolloutStates', () => {
  it('a replica on the current template everywhere is updated and not outdated', () => {
    expect(states([replica(0), replica(1), replica(2)])).toEqual([0, 1, 2].map((index) => ({ index, updated: true, outdated: false, scheduledPods: 2, breached: false })));
  });

  it('an old pod under a new standalone PodClique, or an old member PodClique, makes the replica outdated', () => {
    const s = states([replica(0, { podHash: 'old' }), replica(1, { memberHash: 'old' }), replica(2)]);
    expect(s.map((r) => r.outdated)).toEqual([true, true, false]);
  });

  it('counts scheduled pods and breaches, and a missing replica is neither updated nor outdated', () => {
    const s = states([replica(0, { scheduled: 0, breach: true }), replica(1)]);
    expect(s[0]).toMatchObject({ scheduledPods: 1, breached: true });
    expect(s[2]).toEqual({ index: 2, updated: false, outdated: false, scheduledPods: 0, breached: false });
  });

  it('ignores terminating PodCliques and pods of other PodCliqueSets', () => {
    const r = replica(0);
    const gone = podClique('pcs-0-a', { pcsIndex: 0, hash: 'old', terminating: true });
    const stranger = withReplica(pod('x', 'other-0-a', { pcs: 'other', hash: 'old', ready: true }), 0);
    const s = replicaRolloutStates({ pcs, pclqs: [gone, ...r.pclqs], pcsgs: r.pcsgs, pods: [...r.pods, stranger], expectedPodTemplateHashes: hashes, generationHash: 'g' });
    expect(s[0]?.outdated).toBe(false);
  });
});
