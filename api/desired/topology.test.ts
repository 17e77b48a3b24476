import { describe, expect, it } from 'vitest';

import { GROVE_TOPOLOGY, clique, pcsOf } from '../../test/support/desired.js';
import type { PodCliqueSet, TopologyConstraint } from '../generated/types.js';
import { hasTopologyConstraints, resolveTopology, topologyNameOf, translateConstraint } from './topology.js';


function constrained(pcsTc?: TopologyConstraint, groupTc?: TopologyConstraint, cliqueTc?: TopologyConstraint): PodCliqueSet {
  const a = clique('a');
  if (cliqueTc) a.topologyConstraint = cliqueTc;
  return pcsOf('x', {
    cliques: [a, clique('b')],
    podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['b'], ...(groupTc ? { topologyConstraint: groupTc } : {}) }],
    ...(pcsTc ? { topologyConstraint: pcsTc } : {}),
  });
}

describe('resolveTopology (states for TopologyLevelsUnavailable, grove-compat §5.4)', () => {
  it('NoConstraints without any constraint', () => {
    const pcs = constrained();
    expect(hasTopologyConstraints(pcs)).toBe(false);
    expect(resolveTopology(pcs, { enabled: true, binding: GROVE_TOPOLOGY }).state).toBe('NoConstraints');
  });

  it('Disabled when topology-aware scheduling is off', () => {
    const pcs = constrained({ topologyName: 'grove-topology', pack: { required: 'rack' } });
    expect(resolveTopology(pcs, { enabled: false, binding: GROVE_TOPOLOGY })).toMatchObject({ state: 'Disabled', topologyName: 'grove-topology' });
  });

  it('NameMissing for legacy constraints that name no binding', () => {
    const pcs = constrained({ packDomain: 'rack' });
    expect(resolveTopology(pcs, { enabled: true, binding: GROVE_TOPOLOGY }).state).toBe('NameMissing');
  });

  it('NotFound without the binding, or with a binding of another name', () => {
    const pcs = constrained({ topologyName: 'grove-topology', pack: { required: 'rack' } });
    expect(resolveTopology(pcs, { enabled: true }).state).toBe('NotFound');
    const other = { ...GROVE_TOPOLOGY, metadata: { name: 'other' } };
    expect(resolveTopology(pcs, { enabled: true, binding: other })).toMatchObject({ state: 'NotFound', topologyName: 'grove-topology' });
  });

  it('Resolved, listing referenced domains the binding lacks (sorted, once)', () => {
    const pcs = constrained(
      { topologyName: 'grove-topology', pack: { required: 'zone', preferred: 'nvlink' } },
      { pack: { required: 'superpod' } },
      { pack: { required: 'nvlink', preferred: 'host' } },
    );
    const r = resolveTopology(pcs, { enabled: true, binding: GROVE_TOPOLOGY });
    expect(r.state).toBe('Resolved');
    expect(r.unavailableDomains).toEqual(['nvlink', 'superpod']);
  });

  it('inherits the name from the first constraint that has one (PCS, groups, cliques)', () => {
    expect(topologyNameOf(constrained(undefined, { topologyName: 't', pack: { required: 'rack' } }, { pack: { required: 'host' } }))).toBe('t');
    expect(topologyNameOf(constrained(undefined, undefined, { topologyName: 'c', pack: { required: 'host' } }))).toBe('c');
    const child = constrained({ topologyName: 'grove-topology', pack: { required: 'block' } }, undefined, { pack: { required: 'host' } });
    const r = resolveTopology(child, { enabled: true, binding: GROVE_TOPOLOGY });
    expect(translateConstraint(child.spec.template.cliques[0]?.topologyConstraint, r)).toEqual({
      packConstraint: { required: 'kubernetes.io/hostname' },
    });
  });
});

describe('translateConstraint (domain → node label key)', () => {
  const pcs = constrained({ topologyName: 'grove-topology', pack: { required: 'rack' } });
  const resolved = resolveTopology(pcs, { enabled: true, binding: GROVE_TOPOLOGY });

  it.each<[string, TopologyConstraint | undefined, unknown]>([
    ['required', { pack: { required: 'rack' } }, { packConstraint: { required: 'topology.copse.io/rack' } }],
    ['preferred', { pack: { preferred: 'host' } }, { packConstraint: { preferred: 'kubernetes.io/hostname' } }],
    [
      'both',
      { pack: { required: 'block', preferred: 'rack' } },
      { packConstraint: { required: 'topology.copse.io/block', preferred: 'topology.copse.io/rack' } },
    ],
    ['deprecated packDomain as required', { packDomain: 'zone' }, { packConstraint: { required: 'topology.kubernetes.io/zone' } }],
    ['an unknown required domain is dropped', { pack: { required: 'nvlink', preferred: 'host' } }, { packConstraint: { preferred: 'kubernetes.io/hostname' } }],
    ['nothing resolvable', { pack: { required: 'nvlink' } }, undefined],
    ['no constraint', undefined, undefined],
  ])('%s', (_what, tc, want) => {
    expect(translateConstraint(tc, resolved)).toEqual(want);
  });

  it('translates nothing unless Resolved', () => {
    const off = resolveTopology(pcs, { enabled: false, binding: GROVE_TOPOLOGY });
    expect(translateConstraint({ pack: { required: 'rack' } }, off)).toBeUndefined();
    const missing = resolveTopology(pcs, { enabled: true });
    expect(translateConstraint({ pack: { required: 'rack' } }, missing)).toBeUndefined();
  });
});
