// Which reconcilers a PodCliqueSet change wakes besides its own: its scaling groups, which render
// their member PodCliques from the PodCliqueSet's template (grove-compat §10.12).
import { describe, expect, it } from 'vitest';
import type { PodCliqueScalingGroup } from '../api/index.js';
import { LABEL_PART_OF } from '../api/keys.js';
import { INDEX_PART_OF, type Informers } from './context.js';
import { scalingGroupKeysOf } from './index.js';
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
