import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import { immutableDifferences, replacementOf } from './replace.js';
import type { CompositePodGroup, NativePodGroup } from './wire.js';

const leaf = (key?: string, parent = 'g-0'): NativePodGroup => ({
  metadata: { name: 'g-0-rack', namespace: 'ns' },
  spec: {
    parentCompositePodGroupName: parent,
    workloadRef: { workloadName: 'g-0', templateName: 'podgroup-0' },
    schedulingPolicy: { gang: { minCount: 3 } },
    ...(key ? { schedulingConstraints: { topology: [{ key }] } } : {}),
    disruptionMode: { all: {} },
  },
});
const root = (minGroupCount: number): CompositePodGroup => ({
  metadata: { name: 'g-0', namespace: 'ns' },
  spec: { workloadRef: { workloadName: 'g-0', templateName: 'gang' }, schedulingPolicy: { gang: { minGroupCount } }, disruptionMode: { all: {} } },
});
const pod = (name: string, node?: string): Pod => ({ metadata: { name, namespace: 'ns' }, spec: { containers: [], ...(node ? { nodeName: node } : {}) } });

describe('immutableDifferences', () => {
  it('names a topology constraint the PodGroup was created without (TAS2 before its binding was seen)', () => {
    expect(immutableDifferences(leaf(), leaf('topology.copse.io/rack'))).toEqual(['schedulingConstraints [] → ["topology.copse.io/rack"]']);
  });
  it('names another parent and another minGroupCount; a stored null reads as none', () => {
    expect(immutableDifferences(leaf('k', 'g-0'), leaf('k', 'g-0-sg-0-group'))).toEqual(['parentCompositePodGroupName']);
    expect(immutableDifferences(root(2), root(3))).toEqual(['minGroupCount 2 → 3']);
    const stored = { spec: { ...leaf().spec, schedulingConstraints: null } } as unknown as NativePodGroup;
    expect(immutableDifferences(stored, leaf())).toEqual([]);
  });
  it('ignores minCount, which can change in place', () => {
    expect(immutableDifferences(leaf('k'), { ...leaf('k'), spec: { ...leaf('k').spec, schedulingPolicy: { gang: { minCount: 5 } } } })).toEqual([]);
  });
});

describe('replacementOf', () => {
  it('replaces while no pod of the gang is bound, gated or pending ones included', () => {
    expect(replacementOf(['schedulingConstraints'], [pod('a'), pod('b')])).toEqual({ action: 'replace', why: 'schedulingConstraints cannot change in place; no pod of the gang is bound yet' });
  });
  it('keeps what bound pods were placed under', () => {
    expect(replacementOf(['schedulingConstraints'], [pod('a'), pod('b', 'n1')])).toEqual({
      action: 'keep',
      why: 'schedulingConstraints cannot change in place and pod b is already bound under it',
    });
  });
  it('does nothing without a difference', () => {
    expect(replacementOf([], [pod('b', 'n1')])).toEqual({ action: 'none' });
  });
});
