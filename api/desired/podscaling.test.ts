import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { isActivePod } from './pods.js';
import { freePodIndices, missingPodCount, podIndexOf, scaleInVictims, slowStartBatches } from './podscaling.js';

interface PodOpts {
  index?: number;
  hostname?: string;
  terminating?: boolean;
  phase?: string;
  node?: string;
  ready?: boolean;
  hash?: string;
  created?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const labels: Record<string, string> = { 'grove.io/pod-template-hash': o.hash ?? 'new' };
  if (o.index !== undefined) labels['grove.io/podclique-pod-index'] = String(o.index);
  return {
    metadata: {
      name,
      labels,
      creationTimestamp: o.created ?? '2025-01-01T00:00:00Z',
      ...(o.terminating ? { deletionTimestamp: '2025-01-02T00:00:00Z' } : {}),
    },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}), ...(o.hostname ? { hostname: o.hostname } : {}) },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

describe('pod indices', () => {
  it('reads the label, else the hostname suffix', () => {
    expect(podIndexOf(pod('a', { index: 4 }))).toBe(4);
    expect(podIndexOf(pod('a', { hostname: 'x-0-a-7' }))).toBe(7);
    expect(podIndexOf(pod('a'))).toBeUndefined();
  });

  it('reuses indices of terminating and finished pods', () => {
    const pods = [pod('a', { index: 0 }), pod('b', { index: 1, terminating: true }), pod('c', { index: 2, phase: 'Succeeded' }), pod('d', { index: 3 })];
    expect(pods.map(isActivePod)).toEqual([true, false, false, true]);
    expect(freePodIndices(pods, 3)).toEqual([1, 2, 4]);
    expect(freePodIndices([], 2)).toEqual([0, 1]);
  });

  it('missingPodCount counts active pods: terminating and finished (evicted) ones are replaced', () => {
    const pclq: PodClique = { metadata: { name: 'x' }, spec: { roleName: 'x', replicas: 3, podSpec: { containers: [] } } };
    expect(missingPodCount(pclq, [pod('a'), pod('b', { terminating: true })])).toBe(2);
    expect(missingPodCount(pclq, [pod('a'), pod('b'), pod('evicted', { phase: 'Failed' })])).toBe(1);
    expect(missingPodCount(pclq, [pod('a'), pod('b'), pod('c'), pod('d')])).toBe(0);
  });
});

describe('slowStartBatches', () => {
  it.each([
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [15, [1, 2, 4, 8]],
  ])('%i pods → %j', (total, want) => {
    expect(slowStartBatches(total)).toEqual(want);
  });
});

describe('scaleInVictims (grove-compat §4.5)', () => {
  it('orders unbound, then Pending < Unknown < Running, not Ready, outdated, newest', () => {
    const pods = [
      pod('ready-new-old', { node: 'n', created: '2025-01-01T00:00:00Z' }),
      pod('ready-new-newer', { node: 'n', created: '2025-01-03T00:00:00Z' }),
      pod('ready-outdated', { node: 'n', hash: 'old' }),
      pod('not-ready', { node: 'n', ready: false }),
      pod('unknown', { node: 'n', phase: 'Unknown' }),
      pod('pending-bound', { node: 'n', phase: 'Pending' }),
      pod('unbound', { phase: 'Pending', ready: false }),
    ];
    expect(scaleInVictims(pods, 0, 'new').map((p) => p.metadata?.name)).toEqual([
      'unbound',
      'pending-bound',
      'unknown',
      'not-ready',
      'ready-outdated',
      'ready-new-newer',
      'ready-new-old',
    ]);
  });

  it('neither counts nor picks finished pods', () => {
    const pods = [pod('a', { node: 'n' }), pod('b', { node: 'n', created: '2025-03-01T00:00:00Z' }), pod('evicted', { node: 'n', phase: 'Failed' })];
    expect(scaleInVictims(pods, 2, 'new')).toEqual([]);
    expect(scaleInVictims(pods, 1, 'new').map((p) => p.metadata?.name)).toEqual(['b']);
  });

  it('picks only as many as exceed replicas', () => {
    expect(scaleInVictims([pod('a', { node: 'n' }), pod('b')], 1, 'new').map((p) => p.metadata?.name)).toEqual(['b']);
    expect(scaleInVictims([pod('a'), pod('b')], 2, 'new')).toEqual([]);
    expect(scaleInVictims([pod('a')], 3, 'new')).toEqual([]);
  });

  it('first picks pods holding an index another live pod holds, keeping the better of each pair', () => {
    // A create whose answer was lost during an apiserver restart was made again: two pods hold index 0.
    const pods = [
      pod('zero-old', { index: 0, node: 'n', created: '2025-01-01T00:00:00Z' }),
      pod('zero-new', { index: 0, node: 'n', created: '2025-01-01T00:00:05Z' }),
      pod('one', { index: 1, node: 'n', created: '2025-01-01T00:00:10Z' }),
      pod('two', { index: 2, node: 'n', created: '2025-01-01T00:00:01Z' }),
    ];
    // Without the rule the newest pod ('one') would go and leave indices [0, 0, 2].
    expect(scaleInVictims(pods, 3, 'new').map((p) => p.metadata?.name)).toEqual(['zero-new']);
    expect(scaleInVictims(pods, 1, 'new').map((p) => p.metadata?.name)).toEqual(['zero-new', 'one', 'two']);
    // The ready one of a pair is kept, even when it is the newer.
    const pair = [pod('a', { index: 0, node: 'n', ready: false }), pod('b', { index: 0, node: 'n', created: '2025-02-01T00:00:00Z' }), pod('c', { index: 1, node: 'n' })];
    expect(scaleInVictims(pair, 2, 'new').map((p) => p.metadata?.name)).toEqual(['a']);
  });

  it('never picks a terminating pod as a new victim (grove#758)', () => {
    // 4 pods, 1 already terminating, scale to 2: one more live pod must go. Grove picks the
    // terminating pod first and so deletes nothing new, leaving 3 live pods.
    const pods = [pod('a', { node: 'n' }), pod('b', { node: 'n' }), pod('c', { node: 'n', created: '2025-02-01T00:00:00Z' }), pod('t', { terminating: true })];
    expect(scaleInVictims(pods, 2, 'new').map((p) => p.metadata?.name)).toEqual(['c']);
    expect(scaleInVictims([pod('t', { terminating: true }), pod('a')], 1, 'new')).toEqual([]);
  });
});
