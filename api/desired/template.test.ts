import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { PodClique } from '../generated/types.js';
import {
  effectivePodSpec,
  groupMembers,
  locatePodClique,
  locatePodCliqueName,
  standaloneCliques,
} from './template.js';

// `worker` is listed before `pworker`: Grove's suffix match resolves `x-0-pworker` to `worker` (§10.9).
const pcs = pcsOf('x', {
  cliques: [clique('worker', 1), clique('pworker', 4), clique('leader', 1), clique('gworker', 2)],
  podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['leader', 'gworker'], replicas: 2 }],
});

function pclq(name: string, labels: Record<string, string>): PodClique {
  return { metadata: { name, labels }, spec: { roleName: 'r', replicas: 1, podSpec: { containers: [] } } };
}

describe('locatePodCliqueName (exact, grove-compat §10.9)', () => {
  it.each([
    ['x-0-worker', 'worker', 0, undefined],
    ['x-0-pworker', 'pworker', 0, undefined],
    ['x-12-pworker', 'pworker', 12, undefined],
    ['x-1-g-3-gworker', 'gworker', 1, 3],
    ['x-0-g-0-leader', 'leader', 0, 0],
  ])('%s is clique %s of replica %i', (name, cliqueName, replica, groupReplica) => {
    const where = locatePodCliqueName(pcs, name);
    expect(where?.clique.name).toBe(cliqueName);
    expect(where?.replica).toBe(replica);
    expect(where?.group?.replica).toBe(groupReplica);
  });

  it.each([
    'x-0-orker', // suffix of a name, not a name
    'x-0-gworker', // a group member is never standalone
    'x-0-g-0-worker', // worker is not in group g
    'x-00-worker', // not the decimal form names are built with
    'y-0-worker', // another PodCliqueSet
    'x-a-worker',
  ])('%s is no PodClique of x', (name) => {
    expect(locatePodCliqueName(pcs, name)).toBeUndefined();
  });
});

describe('locatePodClique', () => {
  it('uses the labels of a standalone PodClique and checks the exact name', () => {
    const labels = { 'grove.io/podcliqueset-replica-index': '0' };
    expect(locatePodClique(pcs, pclq('x-0-pworker', labels))?.clique.name).toBe('pworker');
    expect(locatePodClique(pcs, pclq('x-0-worker', labels))?.clique.name).toBe('worker');
    expect(locatePodClique(pcs, pclq('x-1-worker', labels))).toBeUndefined();
  });

  it('uses the scaling-group labels of a member', () => {
    const labels = {
      'grove.io/podcliqueset-replica-index': '0',
      'grove.io/podcliquescalinggroup': 'x-0-g',
      'grove.io/podcliquescalinggroup-replica-index': '1',
    };
    const where = locatePodClique(pcs, pclq('x-0-g-1-gworker', labels));
    expect(where?.clique.name).toBe('gworker');
    expect(where?.group).toMatchObject({ replica: 1, config: { name: 'g' } });
    expect(locatePodClique(pcs, pclq('x-0-g-1-worker', labels))).toBeUndefined();
  });

  it('falls back to the name without labels', () => {
    expect(locatePodClique(pcs, pclq('x-2-pworker', {}))?.replica).toBe(2);
  });
});

describe('template reading', () => {
  it('standalone cliques are those in no group, in template order', () => {
    expect(standaloneCliques(pcs).map((c) => c.name)).toEqual(['worker', 'pworker']);
  });

  it('an unknown group member is an error naming the field', () => {
    const bad = pcsOf('x', { cliques: [clique('a')], podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['a', 'b'] }] });
    const group = bad.spec.template.podCliqueScalingGroups?.[0];
    expect(() => groupMembers(bad, group ?? { name: '', cliqueNames: [] })).toThrow(
      'spec.template.podCliqueScalingGroups[0].cliqueNames[1]: clique "b" is not defined',
    );
  });

  it('effectivePodSpec fills the PodCliqueSet priorityClassName only where the clique sets none (§10.17)', () => {
    const a = clique('a');
    const b = clique('b');
    b.spec.podSpec.priorityClassName = 'own';
    const p = pcsOf('x', { cliques: [a, b], priorityClassName: 'high' });
    expect(effectivePodSpec(p, a).priorityClassName).toBe('high');
    expect(effectivePodSpec(p, b).priorityClassName).toBe('own');
    expect(a.spec.podSpec.priorityClassName).toBeUndefined();
    expect(effectivePodSpec(pcsOf('x', { cliques: [a] }), a).priorityClassName).toBeUndefined();
  });
});
