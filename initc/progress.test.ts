import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/wire.js';
import { describeParents, parentPodSelector, startupProgress, timeoutMessage } from './progress.js';

const pod = (name: string, pclq: string, opts: { ready?: boolean; gang?: string; deleting?: boolean; phase?: string } = {}): Pod => ({
  metadata: {
    name,
    labels: { 'grove.io/podclique': pclq, 'grove.io/podgang': opts.gang ?? 'w-0' },
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});

const parents = [
  { podClique: 'w-0-worker', minAvailable: 2 },
  { podClique: 'w-0-a', minAvailable: 1 },
];

describe('startupProgress', () => {
  it('done once every parent has its minimum of Ready pods', () => {
    const p = startupProgress(parents, 'w-0', [pod('w-0-worker-x', 'w-0-worker'), pod('w-0-worker-y', 'w-0-worker'), pod('w-0-a-z', 'w-0-a')]);
    expect(p).toMatchObject({ done: true, waitingFor: [] });
    expect(describeParents(p.parents)).toBe('w-0-worker 2/2 Ready, w-0-a 1/1 Ready');
  });

  it('counts a parent only by its exact podclique label, never by pod-name prefix (§10.9)', () => {
    // Grove would count these pods: their names start with the parents' names.
    const p = startupProgress(parents, 'w-0', [pod('w-0-worker-x', 'w-0-pworker'), pod('w-0-worker-y', 'w-0-pworker'), pod('w-0-a-1', 'w-0-ab')]);
    expect(p.done).toBe(false);
    expect(p.waitingFor.map((w) => `${w.podClique}:${w.ready}`)).toEqual(['w-0-worker:0', 'w-0-a:0']);
  });

  it('ignores pods that are not Ready, terminating, finished or in another gang', () => {
    const p = startupProgress(parents, 'w-0', [
      pod('1', 'w-0-worker', { ready: false }),
      pod('2', 'w-0-worker', { deleting: true }),
      pod('3', 'w-0-worker', { phase: 'Failed' }),
      pod('4', 'w-0-worker', { gang: 'w-0-sg-0' }),
      pod('5', 'w-0-worker'),
      pod('6', 'w-0-a'),
    ]);
    expect(p.waitingFor).toEqual([{ podClique: 'w-0-worker', minAvailable: 2, ready: 1 }]);
  });

  it('selects the gang and the parents by label', () => {
    expect(parentPodSelector(parents, 'w-0')).toBe('grove.io/podgang=w-0,grove.io/podclique in (w-0-worker,w-0-a)');
  });

  it('the timeout message names every parent that is not ready', () => {
    const p = startupProgress(parents, 'w-0', [pod('1', 'w-0-worker')]);
    expect(timeoutMessage('ns', 'w-0', p, '30s')).toBe(
      'copse initc: timed out after 30s waiting for parents in PodGang w-0: PodClique ns/w-0-worker has 1 of 2 required pods Ready; PodClique ns/w-0-a has 0 of 1 required pods Ready',
    );
  });
});
