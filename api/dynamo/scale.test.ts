// What a service's replicas mean after the PodCliqueSet exists (dynamo-dgd.md §2.10).

import { describe, expect, it } from 'vitest';
import { pendingScales, scaleTargets } from './scale.js';
import { testDgd, testService } from './testing.js';

const dgd = () =>
  testDgd(
    {
      VllmDecodeWorker: testService({ replicas: 3 }),
      Frontend: testService({ componentType: 'frontend' }),
      Prefill: testService({ replicas: 0, multinode: { nodeCount: 2 } }),
    },
    { name: 'dynamo-grove' },
  );

describe('scale decision', () => {
  it('every service scales its PodClique <dgd>-0-<service> (multinode: the PodCliqueScalingGroup) to its replicas, 1 when absent', () => {
    expect(scaleTargets(dgd())).toEqual([
      { service: 'Frontend', kind: 'PodClique', name: 'dynamo-grove-0-frontend', replicas: 1 },
      { service: 'Prefill', kind: 'PodCliqueScalingGroup', name: 'dynamo-grove-0-prefill', replicas: 0 },
      { service: 'VllmDecodeWorker', kind: 'PodClique', name: 'dynamo-grove-0-vllmdecodeworker', replicas: 3 },
    ]);
  });

  it('only objects that exist with another replica count need a scale write', () => {
    const current = new Map([
      ['PodClique/dynamo-grove-0-frontend', 1],
      ['PodClique/dynamo-grove-0-vllmdecodeworker', 2],
    ]);
    expect(pendingScales(dgd(), (kind, name) => current.get(`${kind}/${name}`))).toEqual([
      { service: 'VllmDecodeWorker', kind: 'PodClique', name: 'dynamo-grove-0-vllmdecodeworker', replicas: 3 },
    ]);
  });

  it('a replica change of the walkthrough decode workers from 2 to 4 is one PodClique scale', () => {
    const before = testDgd({ VllmDecodeWorker: testService({ replicas: 2 }) }, { name: 'dynamo-grove' });
    const after = testDgd({ VllmDecodeWorker: testService({ replicas: 4 }) }, { name: 'dynamo-grove' });
    const existing = Object.fromEntries(scaleTargets(before).map((t) => [t.name, t.replicas]));
    expect(pendingScales(after, (_k, name) => existing[name])).toEqual([
      { service: 'VllmDecodeWorker', kind: 'PodClique', name: 'dynamo-grove-0-vllmdecodeworker', replicas: 4 },
    ]);
  });
});
