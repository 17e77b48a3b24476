import { describe, expect, it } from 'vitest';
import type { Pod } from '../core/wire.js';
import { STUCK_TERMINATING_AFTER_MS, stuckTerminatingPods } from './stuck-pods.js';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const pod = (name: string, o: { deletedAgoMs?: number; node?: string; finalizers?: string[] } = {}): Pod => ({
  metadata: {
    name,
    ...(o.deletedAgoMs !== undefined ? { deletionTimestamp: new Date(NOW - o.deletedAgoMs).toISOString() } : {}),
    ...(o.finalizers ? { finalizers: o.finalizers } : {}),
  },
  spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
});
const nodes: Record<string, boolean> = { up: true, down: false };
const readiness = (n: string): boolean | undefined => nodes[n];

describe('stuckTerminatingPods (grove#401: bounded wait for pods whose node is gone)', () => {
  it('force-deletes a pod past its bound whose node is gone or NotReady, naming why', () => {
    const d = stuckTerminatingPods(
      [pod('gone', { deletedAgoMs: STUCK_TERMINATING_AFTER_MS + 5_000, node: 'lost' }), pod('notready', { deletedAgoMs: STUCK_TERMINATING_AFTER_MS, node: 'down' })],
      readiness,
      NOW,
    );
    expect(d.forceDelete.map((f) => [f.pod.metadata?.name, f.reason])).toEqual([
      ['gone', 'Pod gone was still terminating 65s after its grace period and node lost is gone; force-deleted so the PodClique can recover'],
      ['notready', 'Pod notready was still terminating 60s after its grace period and node down is not Ready; force-deleted so the PodClique can recover'],
    ]);
    expect(d.requeueAfterMs).toBeUndefined();
  });

  it('leaves pods on Ready nodes, pods with finalizers, unbound and live pods alone', () => {
    const d = stuckTerminatingPods(
      [
        pod('kubelet-alive', { deletedAgoMs: 10 * STUCK_TERMINATING_AFTER_MS, node: 'up' }),
        pod('held', { deletedAgoMs: 10 * STUCK_TERMINATING_AFTER_MS, node: 'lost', finalizers: ['x.io/hold'] }),
        pod('unbound', { deletedAgoMs: 10 * STUCK_TERMINATING_AFTER_MS }),
        pod('live', { node: 'lost' }),
      ],
      readiness,
      NOW,
    );
    expect(d).toEqual({ forceDelete: [], requeueAfterMs: undefined });
  });

  it('a pod within its bound is not touched; the pass comes back exactly when the bound ends', () => {
    const d = stuckTerminatingPods([pod('a', { deletedAgoMs: 20_000, node: 'lost' }), pod('b', { deletedAgoMs: 50_000, node: 'lost' })], readiness, NOW);
    expect(d).toEqual({ forceDelete: [], requeueAfterMs: STUCK_TERMINATING_AFTER_MS - 50_000 });
  });
});
