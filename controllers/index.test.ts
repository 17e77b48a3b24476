// Which reconcilers a PodCliqueSet change wakes besides its own: its scaling groups, which render
// their member PodCliques from the PodCliqueSet's template (grove-compat §10.12).
import { describe, expect, it } from 'vitest';
import type { PodCliqueScalingGroup, PodCliqueSet } from '../api/index.js';
import { LABEL_PART_OF } from '../api/keys.js';
import { INDEX_PART_OF, type Informers } from './context.js';
import { podCliqueSetKeysUsing, scalingGroupKeysOf } from './index.js';
import { Store, byLabel } from './runtime/store.js';

const pcsg = (ns: string, name: string, pcs: string): PodCliqueScalingGroup =>
  ({ metadata: { namespace: ns, name, labels: { [LABEL_PART_OF]: pcs } }, spec: { replicas: 1, cliqueNames: [] } }) as unknown as PodCliqueScalingGroup;

describe('scalingGroupKeysOf', () => {
  it('returns exactly the scaling groups of that PodCliqueSet in its namespace', () => {
    const store = new Store<PodCliqueScalingGroup>();
    store.addIndex(INDEX_PART_OF, byLabel(LABEL_PART_OF));
    for (const g of [pcsg('a', 'w-0-sg', 'w'), pcsg('a', 'w-1-sg', 'w'), pcsg('a', 'w2-0-sg', 'w2'), pcsg('b', 'w-0-sg', 'w')]) store.upsert(g);
    const informers = { pcsg: { store } } as unknown as Pick<Informers, 'pcsg'>;
    expect(scalingGroupKeysOf(informers, 'a/w').sort()).toEqual(['a/w-0-sg', 'a/w-1-sg']);
    expect(scalingGroupKeysOf(informers, 'a/none')).toEqual([]);
  });
});

// A binding change reaches every PodCliqueSet that names it, wherever the name is (Grove's
// tas-indep-clq names it on its cliques only).
const pcsNaming = (ns: string, name: string, where: 'pcs' | 'group' | 'clique' | 'none', binding = 't'): PodCliqueSet => {
  const tc = { topologyName: binding, pack: { required: 'rack' } };
  return {
    metadata: { namespace: ns, name },
    spec: {
      replicas: 1,
      template: {
        ...(where === 'pcs' ? { topologyConstraint: tc } : {}),
        cliques: [{ name: 'w', ...(where === 'clique' ? { topologyConstraint: tc } : {}), spec: { roleName: 'w', replicas: 1, podSpec: { containers: [] } } }],
        ...(where === 'group' ? { podCliqueScalingGroups: [{ name: 'sg', cliqueNames: ['w'], topologyConstraint: tc }] } : {}),
      },
    },
  } as unknown as PodCliqueSet;
};

describe('podCliqueSetKeysUsing', () => {
  it('returns the PodCliqueSets naming the binding on themselves, a scaling group or a clique, and no others', () => {
    const store = new Store<PodCliqueSet>();
    for (const p of [pcsNaming('a', 'top', 'pcs'), pcsNaming('a', 'grp', 'group'), pcsNaming('b', 'clq', 'clique'), pcsNaming('a', 'none', 'none'), pcsNaming('a', 'other', 'clique', 'u')]) store.upsert(p);
    const informers = { pcs: { store } } as unknown as Pick<Informers, 'pcs'>;
    expect(podCliqueSetKeysUsing(informers, 't').sort()).toEqual(['a/grp', 'a/top', 'b/clq']);
    expect(podCliqueSetKeysUsing(informers, 'u')).toEqual(['a/other']);
    expect(podCliqueSetKeysUsing(informers, undefined)).toEqual([]);
  });
});
