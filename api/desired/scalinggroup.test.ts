import { describe, expect, it } from 'vitest';

import { clique, created, names, pcsOf } from '../../test/support/desired.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../generated/types.js';
import { desiredScalingGroup, desiredScalingGroupMembers, locateScalingGroup } from './scalinggroup.js';

function pcs(scaleConfig = false): PodCliqueSet {
  const p = pcsOf('llm', {
    cliques: [clique('leader', 1), clique('worker', 2), clique('pworker', 4), clique('other', 1)],
    podCliqueScalingGroups: [
      {
        name: 'decode',
        cliqueNames: ['leader', 'worker'],
        replicas: 2,
        minAvailable: 1,
        annotations: { note: 'x' },
        ...(scaleConfig ? { scaleConfig: { maxReplicas: 5 } } : {}),
      },
      { name: 'prefill', cliqueNames: ['pworker'], annotations: { 'grove.io/mnnvl-group': 'own' } },
    ],
  });
  p.metadata.annotations = { 'grove.io/mnnvl-group': 'pcs-wide' };
  return p;
}

const config = (p: PodCliqueSet, i = 0) => p.spec.template.podCliqueScalingGroups![i]!;

describe('desiredScalingGroup (grove-compat §4.3)', () => {
  it('is <pcs>-<i>-<group>, owned by the PodCliqueSet, with its finalizer and spec', () => {
    const p = pcs();
    expect(desiredScalingGroup(p, 1, config(p))).toEqual({
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueScalingGroup',
      metadata: {
        name: 'llm-1-decode',
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/managed-by': 'grove-operator',
          'app.kubernetes.io/part-of': 'llm',
          'app.kubernetes.io/name': 'llm-1-decode',
          'app.kubernetes.io/component': 'pcs-podcliquescalinggroup',
          'grove.io/podcliqueset-replica-index': '1',
        },
        // The PodCliqueSet's MNNVL group applies where the config names none.
        annotations: { note: 'x', 'grove.io/mnnvl-group': 'pcs-wide', 'copse.io/template-replicas': '2' },
        finalizers: ['grove.io/podcliquescalinggroup.grove.io'],
        ownerReferences: [
          { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', name: 'llm', uid: 'uid-pcs-llm', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { replicas: 2, minAvailable: 1, cliqueNames: ['leader', 'worker'] },
    });
    expect(desiredScalingGroup(p, 0, config(p, 1)).metadata.annotations?.['grove.io/mnnvl-group']).toBe('own');
  });

  it('template replicas edits reach the group unless an HPA scales it (§10.12)', () => {
    const p = pcs();
    const existing = desiredScalingGroup(p, 0, config(p));
    const scaled: PodCliqueScalingGroup = { ...existing, spec: { ...existing.spec, replicas: 4 } };
    expect(desiredScalingGroup(p, 0, config(p), scaled).spec.replicas).toBe(4);
    const edited = pcs();
    config(edited).replicas = 3;
    expect(desiredScalingGroup(edited, 0, config(edited), scaled).spec.replicas).toBe(3);
    const hpa = pcs(true);
    config(hpa).replicas = 3;
    expect(desiredScalingGroup(hpa, 0, config(hpa), scaled).spec.replicas).toBe(4);
  });
});

describe('desiredScalingGroupMembers (grove-compat §4.4, §4.14)', () => {
  const p = pcs();
  const group = (replicas: number): PodCliqueScalingGroup => {
    const g = created(desiredScalingGroup(p, 0, config(p)));
    return { ...g, spec: { ...g.spec, replicas } };
  };

  it('builds replicas 0..R-1 clique by clique', () => {
    expect(names(desiredScalingGroupMembers(group(2), p, []).podCliques)).toEqual([
      'llm-0-decode-0-leader',
      'llm-0-decode-0-worker',
      'llm-0-decode-1-leader',
      'llm-0-decode-1-worker',
    ]);
  });

  it('scale-in: the members of the highest replicas are excess, highest first', () => {
    const existing = desiredScalingGroupMembers(group(4), p, []).podCliques.map(created);
    const r = desiredScalingGroupMembers(group(2), p, existing);
    expect(names(r.podCliques)).toHaveLength(4);
    expect(r.excess.map((e) => e.name)).toEqual([
      'llm-0-decode-3-leader',
      'llm-0-decode-3-worker',
      'llm-0-decode-2-leader',
      'llm-0-decode-2-worker',
    ]);
    expect(r.excess[0]?.uid).toBe('uid-llm-0-decode-3-leader');
  });

  it('ignores PodCliques it does not own and those already terminating', () => {
    const existing = desiredScalingGroupMembers(group(3), p, []).podCliques.map(created);
    const foreign: PodClique = { ...existing[5]!, metadata: { ...existing[5]!.metadata, ownerReferences: [] } };
    const going: PodClique = { ...existing[4]!, metadata: { ...existing[4]!.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
    const r = desiredScalingGroupMembers(group(2), p, [...existing.slice(0, 4), going, foreign]);
    expect(r.excess).toEqual([]);
  });

  it('feeding its output back changes nothing', () => {
    const first = desiredScalingGroupMembers(group(2), p, []);
    const again = desiredScalingGroupMembers(group(2), p, first.podCliques.map(created));
    expect(again.podCliques).toEqual(first.podCliques);
    expect(again.excess).toEqual([]);
  });

  it('member replicas follow template edits but keep direct scaling', () => {
    const existing = desiredScalingGroupMembers(group(1), p, []).podCliques.map(created);
    const scaled = existing.map((m) => ({ ...m, spec: { ...m.spec, replicas: 9 } }));
    expect(desiredScalingGroupMembers(group(1), p, scaled).podCliques.map((m) => m.spec.replicas)).toEqual([9, 9]);
    const edited = pcs();
    edited.spec.template.cliques[1]!.spec.replicas = 5;
    expect(desiredScalingGroupMembers(group(1), edited, scaled).podCliques.map((m) => m.spec.replicas)).toEqual([9, 5]);
  });

  it('locates the group by exact name and replica label; errors name the field', () => {
    expect(locateScalingGroup(p, group(1))).toMatchObject({ replica: 0, config: { name: 'decode' } });
    const unlabelled = { ...group(1), metadata: { name: 'llm-0-decode' } };
    expect(() => locateScalingGroup(p, unlabelled)).toThrow(
      'PodCliqueScalingGroup llm-0-decode: metadata.labels["grove.io/podcliqueset-replica-index"] must be a replica index',
    );
    const stranger = { ...group(1), metadata: { ...group(1).metadata, name: 'llm-0-ecode' } };
    expect(() => locateScalingGroup(p, stranger)).toThrow('no scaling group of PodCliqueSet "llm" has this name');
  });
});
