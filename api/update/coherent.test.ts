import { describe, expect, it } from 'vitest';
import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { pod, podClique } from '../status/testing.js';
import { coherentBlockers } from './coherent.js';

const withUid = (p: PodClique, uid: string): PodClique => ({ ...p, metadata: { ...p.metadata, uid } });
const ownedBy = (p: Pod, uid: string): Pod => ({ ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', name: 'x', uid, controller: true }] } });
const a = withUid(podClique('pcs-0-a', { hash: 'ha2' }), 'ua');
const b = withUid(podClique('pcs-0-sg-0-b', { hash: 'hb2' }), 'ub2');
const map = (...ps: PodClique[]) => new Map(ps.map((p) => [p.metadata.name ?? '', p]));

describe('coherentBlockers', () => {
  it('nothing blocks when every pod runs its PodClique template', () => {
    expect(coherentBlockers([ownedBy(pod('a0', 'pcs-0-a', { hash: 'ha2' }), 'ua'), ownedBy(pod('b0', 'pcs-0-sg-0-b', { hash: 'hb2' }), 'ub2')], map(a, b))).toEqual([]);
  });

  it('an outdated pod of another role blocks, terminating or not', () => {
    const pods = [pod('b1', 'pcs-0-sg-0-b', { hash: 'hb1', terminating: true }), pod('a1', 'pcs-0-a', { hash: 'ha1' })];
    expect(coherentBlockers(pods, map(a, b))).toEqual(['a1', 'b1']);
  });

  it('a pod of a PodClique that is gone, terminating, or recreated under the same name blocks', () => {
    const gone = pod('c0', 'pcs-0-c', { hash: 'hc2' });
    const ofOld = ownedBy(pod('b0', 'pcs-0-sg-0-b', { hash: 'hb2' }), 'ub1');
    const term = withUid(podClique('pcs-0-d', { hash: 'hd', terminating: true }), 'ud');
    expect(coherentBlockers([gone, ofOld, pod('d0', 'pcs-0-d', { hash: 'hd' })], map(a, b, term))).toEqual(['b0', 'c0', 'd0']);
  });

  it("an old pod blocks once the PodCliqueSet wants a new template, even while its PodClique still shows the old one", () => {
    const stale = withUid(podClique('pcs-0-a', { hash: 'ha1' }), 'ua');
    const old = ownedBy(pod('a1', 'pcs-0-a', { hash: 'ha1' }), 'ua');
    expect(coherentBlockers([old], map(stale))).toEqual([]);
    expect(coherentBlockers([old], map(stale), (n) => (n === 'pcs-0-a' ? 'ha2' : undefined))).toEqual(['a1']);
    // A pod on the wanted template does not block, and a PodClique the PodCliqueSet does not name falls back to its own label.
    expect(coherentBlockers([ownedBy(pod('a2', 'pcs-0-a', { hash: 'ha2' }), 'ua')], map(a), () => 'ha2')).toEqual([]);
    expect(coherentBlockers([ownedBy(pod('a2', 'pcs-0-a', { hash: 'ha2' }), 'ua')], map(a), () => undefined)).toEqual([]);
  });

  it('finished pods run nothing and block nothing', () => {
    expect(coherentBlockers([pod('a1', 'pcs-0-a', { hash: 'ha1', phase: 'Failed' })], map(a))).toEqual([]);
  });
});
