import { describe, expect, it } from 'vitest';

import type { PodGang, PodGroup } from '../generated/types.js';
import { NATIVE_REASON, decideBackend, nativeProblems, recordedBackend } from './decision.js';

function pg(name: string, minReplicas = 1, tc?: PodGroup['topologyConstraint']): PodGroup {
  return { name, podReferences: [], minReplicas, ...(tc ? { topologyConstraint: tc } : {}) };
}
function gang(spec: Partial<PodGang['spec']> & { podgroups: PodGroup[] }): PodGang {
  return { metadata: { name: 'g-0', namespace: 'ns', uid: 'u' }, spec };
}
const rack = 'topology.copse.io/rack';

describe('decideBackend: native when v1.37 can express the gang exactly', () => {
  it('takes a gang with required keys at every level, one priority', () => {
    const g = gang({
      podgroups: [pg('a', 1, { packConstraint: { required: 'kubernetes.io/hostname' } }), pg('b', 2)],
      topologyConstraint: { packConstraint: { required: rack } },
      topologyConstraintGroupConfigs: [{ name: 'g-0-s-0', podGroupNames: ['b'], topologyConstraint: { packConstraint: { required: rack } } }],
      priorityClassName: 'high',
    });
    expect(decideBackend(g, ['high', 'high'])).toEqual({ backend: 'native', reason: NATIVE_REASON });
  });

  it('sends preferred packing to the extender, saying where', () => {
    const g = gang({ podgroups: [pg('a')], topologyConstraint: { packConstraint: { preferred: rack } } });
    expect(decideBackend(g, [])).toEqual({
      backend: 'extender',
      reason: `placed through copse's extender: the gang has preferred packing (${rack}); native topology constraints are required only`,
    });
  });

  it('names two keys on one level', () => {
    const g = gang({ podgroups: [pg('a', 1, { packConstraint: { required: 'topology.copse.io/block', preferred: rack } })] });
    expect(nativeProblems(g, [])).toEqual([`pod group a packs by two keys (required topology.copse.io/block, preferred ${rack}); a native group takes one`]);
  });

  it('treats a preferred key equal to the required one as one key', () => {
    const g = gang({ podgroups: [pg('a', 1, { packConstraint: { required: rack, preferred: rack } })] });
    expect(nativeProblems(g, [])).toEqual([]);
  });

  it('checks constraint groups too', () => {
    const g = gang({ podgroups: [pg('a')], topologyConstraintGroupConfigs: [{ name: 'g-0-s-0', podGroupNames: ['a'], topologyConstraint: { packConstraint: { preferred: rack } } }] });
    expect(nativeProblems(g, [])).toEqual([`topology constraint group g-0-s-0 has preferred packing (${rack}); native topology constraints are required only`]);
  });

  it('sends minReplicas 0 to the extender', () => {
    expect(nativeProblems(gang({ podgroups: [pg('a', 0)] }), [])).toEqual(['pod group a has minReplicas 0; a native PodGroup needs minCount >= 1']);
  });

  it('allows 8 pod groups under the root, not 9', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => pg(`p${i}`));
    expect(nativeProblems(gang({ podgroups: names(8) }), [])).toEqual([]);
    expect(nativeProblems(gang({ podgroups: names(9) }), [])).toEqual(['9 pod groups directly under the gang; a native template list holds at most 8']);
  });

  it('counts scaling groups, not their replicas, against the limit of 8 templates', () => {
    const podgroups = Array.from({ length: 10 }, (_, j) => pg(`g-0-sga-${j}-a`));
    const configs = podgroups.map((p, j) => ({ name: `g-0-sga-${j}`, podGroupNames: [p.name], topologyConstraint: { packConstraint: { required: rack } } }));
    expect(nativeProblems(gang({ podgroups, topologyConstraintGroupConfigs: configs }), [])).toEqual([]);
    const nine = Array.from({ length: 9 }, (_, k) => ({ name: `g-0-s${k}-0`, podGroupNames: [`g-0-s${k}-0-a`], topologyConstraint: { packConstraint: { required: rack } } }));
    expect(nativeProblems(gang({ podgroups: nine.map((c) => pg(c.podGroupNames[0] ?? '')), topologyConstraintGroupConfigs: nine }), [])).toEqual([
      '9 scaling groups with topology constraints; a native template list holds at most 8',
    ]);
  });

  it('allows 8 pod groups in one constraint group, not 9', () => {
    const members = Array.from({ length: 9 }, (_, i) => pg(`m${i}`));
    const g = gang({ podgroups: members, topologyConstraintGroupConfigs: [{ name: 'g-0-s-0', podGroupNames: members.map((m) => m.name), topologyConstraint: { packConstraint: { required: rack } } }] });
    expect(nativeProblems(g, [])).toEqual(['topology constraint group g-0-s-0 has 9 pod groups; a native template list holds at most 8']);
  });

  it('sends mixed priorities to the extender, naming both sides', () => {
    const g = gang({ podgroups: [pg('a')], priorityClassName: 'high' });
    expect(nativeProblems(g, ['high', 'low', undefined])).toEqual([
      'pods ask for priorityClassName "low", none but the gang has "high"; kube-scheduler fails a group whose pods\' priority differs from the root\'s',
    ]);
    expect(nativeProblems(gang({ podgroups: [pg('a')] }), ['', undefined])).toEqual([]);
  });

  it('sends a gang whose PodCliqueSet spreads its replicas to the extender (spread is between gangs)', () => {
    const g = gang({ podgroups: [pg('a')], topologyConstraint: { packConstraint: { required: rack } } });
    expect(decideBackend(g, [], { domain: 'rack', required: true })).toEqual({
      backend: 'extender',
      reason: "placed through copse's extender: the PodCliqueSet spreads its replicas (required rack); native groups of different gangs cannot be kept apart",
    });
    expect(nativeProblems(g, [], { domain: 'zone', required: false })).toEqual(['the PodCliqueSet spreads its replicas (preferred zone); native groups of different gangs cannot be kept apart']);
    expect(nativeProblems(g, [], undefined)).toEqual([]);
  });

  it('lists every problem in one reason', () => {
    const g = gang({ podgroups: [pg('a', 0)], topologyConstraint: { packConstraint: { preferred: rack } } });
    expect(decideBackend(g, []).reason).toBe(
      `placed through copse's extender: the gang has preferred packing (${rack}); native topology constraints are required only; pod group a has minReplicas 0; a native PodGroup needs minCount >= 1`,
    );
  });
});

describe('recordedBackend', () => {
  it('reads the annotations, and nothing else', () => {
    expect(recordedBackend({ metadata: { annotations: { 'scheduling.copse.io/backend': 'native', 'scheduling.copse.io/backend-reason': 'r' } } })).toEqual({ backend: 'native', reason: 'r' });
    expect(recordedBackend({ metadata: { annotations: { 'scheduling.copse.io/backend': 'kai' } } })).toBeUndefined();
    expect(recordedBackend({})).toBeUndefined();
  });
});
