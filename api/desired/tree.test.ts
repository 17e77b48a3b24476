import { describe, expect, it } from 'vitest';

import { NO_TOPOLOGY, clique, created, names, pcsOf, simulate } from '../../test/support/desired.js';
import type { Pod, Secret } from '../core/wire.js';
import type { PodCliqueSet } from '../generated/types.js';
import { defaultSchedulerBackend } from './backend.js';
import { generationHash } from './hash.js';
import { type ExistingChildren, type PodCliqueSetTree, desiredPodCliqueSetTree } from './tree.js';

function pcs(replicas = 2): PodCliqueSet {
  return pcsOf(
    'llm',
    {
      cliques: [
        clique('worker', 1, { autoScalingConfig: { maxReplicas: 3 } }),
        clique('pworker', 4),
        clique('leader', 1),
        clique('dworker', 2),
      ],
      podCliqueScalingGroups: [{ name: 'decode', cliqueNames: ['leader', 'dworker'], replicas: 2, minAvailable: 1, scaleConfig: { maxReplicas: 4 } }],
    },
    replicas,
  );
}

function tree(p: PodCliqueSet, existing: ExistingChildren = {}): PodCliqueSetTree {
  return desiredPodCliqueSetTree({ pcs: p, existing, topology: NO_TOPOLOGY, backend: defaultSchedulerBackend });
}

/** The tree's objects as the apiserver would return them. */
function asExisting(t: PodCliqueSetTree, pods: Pod[] = []): ExistingChildren {
  return {
    podCliques: t.podCliques.map(created),
    scalingGroups: t.scalingGroups.map(created),
    podGangs: t.podGangs.map(created),
    services: t.services.map((s) => created({ ...s, metadata: s.metadata ?? {} })),
    hpas: t.hpas.map((h) => created({ ...h, metadata: h.metadata ?? {} })),
    pods,
  };
}

const NO_EXCESS = { podCliques: [], scalingGroups: [], podGangs: [], services: [], hpas: [], secrets: [] };

describe('desiredPodCliqueSetTree', () => {
  it('lists every object of every replica', () => {
    const t = tree(pcs());
    expect(t.serviceAccount.metadata?.name).toBe('llm');
    expect(t.role.metadata?.name).toBe('grove.io:pcs:llm');
    expect(t.roleBinding.metadata?.name).toBe('grove.io:pcs:llm');
    expect(t.tokenSecret.metadata?.name).toBe('llm-ic-sat');
    expect(names(t.services)).toEqual(['llm-0', 'llm-1']);
    expect(names(t.hpas)).toEqual(['llm-0-worker', 'llm-0-decode', 'llm-1-worker', 'llm-1-decode']);
    expect(names(t.podCliques)).toEqual(['llm-0-worker', 'llm-0-pworker', 'llm-1-worker', 'llm-1-pworker']);
    expect(names(t.scalingGroups)).toEqual(['llm-0-decode', 'llm-1-decode']);
    expect(names(t.podGangs)).toEqual(['llm-0', 'llm-0-decode-0', 'llm-1', 'llm-1-decode-0']);
    expect(t.generationHash).toBe(generationHash(pcs()));
    expect(t.topology.state).toBe('NoConstraints');
    expect(t.excess).toEqual(NO_EXCESS);
  });

  it('gives each PodClique its own template by exact name: pworker is not worker (§10.9)', () => {
    const byName = new Map(tree(pcs()).podCliques.map((p) => [p.metadata.name, p]));
    expect(byName.get('llm-0-pworker')?.spec).toMatchObject({ roleName: 'pworker', replicas: 4 });
    expect(byName.get('llm-0-pworker')?.spec.autoScalingConfig).toBeUndefined();
    expect(byName.get('llm-0-worker')?.spec).toMatchObject({ roleName: 'worker', replicas: 1 });
  });

  it('is idempotent: twice the same, and its own output fed back yields the same objects and no excess', () => {
    const g = simulate(pcs());
    const again = simulate(pcs());
    expect(again.tree).toEqual(g.tree);
    const existing = asExisting(g.tree, g.pods);
    const fed = tree(pcs(), existing);
    expect(fed).toEqual(g.tree);
    expect(fed.excess).toEqual(NO_EXCESS);
  });

  it('PCS scale-in: children of removed replicas are excess, headless Services included (§10.10)', () => {
    const existing = asExisting(tree(pcs(3)));
    const t = tree(pcs(1), existing);
    expect(t.excess).toEqual({
      podCliques: ['llm-1-pworker', 'llm-1-worker', 'llm-2-pworker', 'llm-2-worker'].map((n) => ({ name: n, uid: `uid-${n}` })),
      scalingGroups: ['llm-1-decode', 'llm-2-decode'].map((n) => ({ name: n, uid: `uid-${n}` })),
      podGangs: ['llm-1', 'llm-1-decode-0', 'llm-2', 'llm-2-decode-0'].map((n) => ({ name: n, uid: `uid-${n}` })),
      services: ['llm-1', 'llm-2'].map((n) => ({ name: n, uid: `uid-${n}` })),
      hpas: ['llm-1-decode', 'llm-1-worker', 'llm-2-decode', 'llm-2-worker'].map((n) => ({ name: n, uid: `uid-${n}` })),
      secrets: [],
    });
  });

  it('PCS scale to 0 removes every per-replica child but keeps the identity objects', () => {
    const t = tree(pcs(0), asExisting(tree(pcs(1))));
    expect(t.services).toEqual([]);
    expect(t.excess.services.map((s) => s.name)).toEqual(['llm-0']);
    expect(t.excess.podGangs.map((s) => s.name)).toEqual(['llm-0', 'llm-0-decode-0']);
    expect(t.serviceAccount.metadata?.name).toBe('llm');
  });

  it('a PCSG scaled down removes its scaled gangs; an HPA whose config is gone is excess', () => {
    const existing = asExisting(tree(pcs(1)));
    const scaledDown = existing.scalingGroups!.map((g) => ({ ...g, spec: { ...g.spec, replicas: 1 } }));
    const noHpa = pcs(1);
    delete noHpa.spec.template.cliques[0]!.spec.autoScalingConfig;
    const t = tree(noHpa, { ...existing, scalingGroups: scaledDown });
    expect(names(t.podGangs)).toEqual(['llm-0']);
    expect(t.excess.podGangs.map((g) => g.name)).toEqual(['llm-0-decode-0']);
    expect(t.excess.hpas.map((h) => h.name)).toEqual(['llm-0-worker']);
  });

  it('never reports objects it does not control, nor objects already terminating', () => {
    const existing = asExisting(tree(pcs(2)));
    const foreign = existing.services!.map((s) => ({ ...s, metadata: { ...s.metadata, ownerReferences: [] } }));
    const going = existing.podCliques!.map((p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }));
    const t = tree(pcs(1), { ...existing, services: foreign, podCliques: going });
    expect(t.excess.services).toEqual([]);
    expect(t.excess.podCliques).toEqual([]);
    expect(t.excess.scalingGroups.map((g) => g.name)).toEqual(['llm-1-decode']);
  });

  it('template replicas edits reach existing PodCliques and groups; direct scaling is kept (§10.12)', () => {
    const p = pcsOf('x', { cliques: [clique('a', 2), clique('b', 1)], podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['b'], replicas: 1 }] });
    const existing = asExisting(tree(p));
    const kubectlScaled: ExistingChildren = {
      ...existing,
      podCliques: existing.podCliques!.map((c) => ({ ...c, spec: { ...c.spec, replicas: 5 } })),
      scalingGroups: existing.scalingGroups!.map((g) => ({ ...g, spec: { ...g.spec, replicas: 3 } })),
    };
    const kept = tree(p, kubectlScaled);
    expect(kept.podCliques[0]?.spec.replicas).toBe(5);
    expect(kept.scalingGroups[0]?.spec.replicas).toBe(3);
    expect(names(kept.podGangs)).toEqual(['x-0', 'x-0-g-0', 'x-0-g-1']);

    const edited = structuredClone(p);
    edited.spec.template.cliques[0]!.spec.replicas = 4;
    edited.spec.template.podCliqueScalingGroups![0]!.replicas = 2;
    const applied = tree(edited, kubectlScaled);
    expect(applied.podCliques[0]?.spec.replicas).toBe(4);
    expect(applied.scalingGroups[0]?.spec.replicas).toBe(2);
    expect(names(applied.podGangs)).toEqual(['x-0', 'x-0-g-0']);
  });

  it('deletes the legacy token Secret once no pod mounts it', () => {
    const legacy: Secret = created({
      metadata: {
        name: 'llm-initc-sa-token-secret',
        ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', name: 'llm', uid: 'uid-pcs-llm', controller: true }],
      },
    });
    const mounting: Pod = { metadata: { name: 'p' }, spec: { containers: [], volumes: [{ name: 'v', secret: { secretName: 'llm-initc-sa-token-secret' } }] } };
    expect(tree(pcs(1), { secrets: [legacy], pods: [mounting] }).excess.secrets).toEqual([]);
    expect(tree(pcs(1), { secrets: [legacy] }).excess.secrets).toEqual([{ name: 'llm-initc-sa-token-secret', uid: 'uid-llm-initc-sa-token-secret' }]);
  });

  it('does not modify its input', () => {
    const p = pcs();
    const existing = asExisting(tree(p));
    const before = structuredClone({ p, existing });
    tree(p, existing);
    expect({ p, existing }).toEqual(before);
  });
});
