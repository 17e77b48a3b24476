import { describe, expect, it } from 'vitest';

import type { TopologyInput } from '../desired/topology.js';
import type { ClusterTopologyBinding, PodCliqueSet, TopologyConstraint } from '../generated/types.js';
import { findCondition } from './conditions.js';
import { podCliqueSetStatus, type PodCliqueSetStatusInput } from './podcliqueset.js';
import { podCliqueSet, T0, T1, T2 } from './testing.js';
import { topologyLevelsUnavailableCondition } from './topology.js';

function ctb(name: string, ...domains: string[]): ClusterTopologyBinding {
  return { metadata: { name }, spec: { levels: domains.map((d) => ({ domain: d, key: `example.com/${d}` })) } };
}

/** PCS `tas` with cliques a (standalone) and b, c in group sg, constraints as given. */
function constrained(o: { pcs?: TopologyConstraint; a?: TopologyConstraint; sg?: TopologyConstraint } = {}): PodCliqueSet {
  const pcs = podCliqueSet('tas', { cliques: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], groups: [{ name: 'sg', cliqueNames: ['b', 'c'] }] });
  const t = pcs.spec.template;
  if (o.pcs) t.topologyConstraint = o.pcs;
  const a = t.cliques[0];
  if (o.a && a) a.topologyConstraint = o.a;
  const sg = t.podCliqueScalingGroups?.[0];
  if (o.sg && sg) sg.topologyConstraint = o.sg;
  return pcs;
}

const full = ctb('grove-topology', 'zone', 'block', 'rack', 'host');
const rackInBlock = constrained({
  pcs: { topologyName: 'grove-topology', pack: { required: 'block' } },
  sg: { pack: { required: 'rack' } },
  a: { pack: { required: 'rack', preferred: 'host' } },
});

describe('TopologyLevelsUnavailable (grove-compat §5.4, exact texts)', () => {
  it.each<[string, PodCliqueSet, TopologyInput, [string, string, string] | undefined]>([
    ['TAS off, no constraints: removed', constrained(), { enabled: false, binding: undefined }, undefined],
    [
      'TAS off with constraints',
      rackInBlock,
      { enabled: false, binding: full },
      ['Unknown', 'TopologyAwareSchedulingDisabled', 'Topology constraints are defined but Topology Aware Scheduling is disabled'],
    ],
    [
      'no constraints',
      constrained(),
      { enabled: true, binding: undefined },
      ['False', 'AllClusterTopologyLevelsAvailable', 'No topology constraints defined'],
    ],
    [
      'constraints without any topologyName (legacy)',
      constrained({ a: { pack: { required: 'rack' } } }),
      { enabled: true, binding: full },
      ['Unknown', 'TopologyNameMissing', 'PodCliqueSet topology constraints must include topologyName'],
    ],
    [
      'binding missing',
      rackInBlock,
      { enabled: true, binding: undefined },
      ['Unknown', 'ClusterTopologyNotFound', 'ClusterTopologyBinding resource not found'],
    ],
    [
      'domains missing from the binding',
      rackInBlock,
      { enabled: true, binding: ctb('grove-topology', 'zone', 'rack') },
      ['True', 'ClusterTopologyLevelsUnavailable', 'Unavailable topology domains: [block host]'],
    ],
    [
      'every domain present',
      rackInBlock,
      { enabled: true, binding: full },
      ['False', 'AllClusterTopologyLevelsAvailable', 'All topology levels are available'],
    ],
  ])('%s', (_case, pcs, input, want) => {
    const c = topologyLevelsUnavailableCondition(pcs, input);
    expect(c ? [c.status, c.reason, c.message] : undefined).toEqual(want);
    if (c) expect(c.type).toBe('TopologyLevelsUnavailable');
  });

  it('treats a binding other than the one the PodCliqueSet names as not found', () => {
    const c = topologyLevelsUnavailableCondition(rackInBlock, { enabled: true, binding: ctb('other', 'block', 'rack', 'host') });
    expect(c?.reason).toBe('ClusterTopologyNotFound');
  });

  it('lists unavailable domains sorted, whatever level names them (packDomain included)', () => {
    const legacy = constrained({
      pcs: { topologyName: 't', pack: { required: 'zone', preferred: 'block' } },
      a: { packDomain: 'host' },
      sg: { pack: { required: 'rack', preferred: 'block' } },
    });
    expect(topologyLevelsUnavailableCondition(legacy, { enabled: true, binding: ctb('t', 'zone') })?.message).toBe(
      'Unavailable topology domains: [block host rack]',
    );
  });
});

describe('TopologyLevelsUnavailable through podCliqueSetStatus (e2e TAS20)', () => {
  function run(
    topology: TopologyInput,
    previous: PodCliqueSetStatusInput['previous'],
    now: string,
    pcs: PodCliqueSet = rackInBlock,
  ): ReturnType<typeof podCliqueSetStatus> {
    return podCliqueSetStatus({ pcs, pclqs: [], pcsgs: [], podGangs: [], expectedPodTemplateHashes: {}, topology, previous, now });
  }
  const on = (binding?: ClusterTopologyBinding): TopologyInput => ({ enabled: true, binding });

  it('binding deleted -> Unknown/ClusterTopologyNotFound; recreated -> False; stamped with the generation', () => {
    const ok = run(on(full), undefined, T0);
    const gone = run(on(), ok.status, T1);
    const back = run(on(full), gone.status, T2);
    const c = (s: typeof ok) => findCondition(s.status.conditions, 'TopologyLevelsUnavailable');
    expect([c(gone)?.status, c(gone)?.reason, c(gone)?.lastTransitionTime]).toEqual(['Unknown', 'ClusterTopologyNotFound', T1]);
    expect([c(back)?.status, c(back)?.reason, c(back)?.lastTransitionTime, c(back)?.observedGeneration]).toEqual([
      'False',
      'AllClusterTopologyLevelsAvailable',
      T2,
      1,
    ]);
    expect([ok.events, gone.events, back.events]).toEqual([[], [], []]);
  });

  it('warns once when domains become unavailable', () => {
    const ok = run(on(full), undefined, T0);
    const missing = run(on(ctb('grove-topology', 'zone', 'rack', 'host')), ok.status, T1);
    expect(missing.events).toEqual([
      { type: 'Warning', reason: 'TopologyLevelsUnavailable', message: 'Unavailable topology domains: [block]' },
    ]);
    expect(run(on(ctb('grove-topology', 'zone', 'rack', 'host')), missing.status, T2).events).toEqual([]);
  });

  it('removes the condition when TAS is turned off and nothing is constrained', () => {
    const enabled = run(on(), undefined, T0, constrained());
    expect(enabled.status.conditions).toHaveLength(1);
    const disabled = run({ enabled: false }, enabled.status, T1, constrained());
    expect(disabled.status).not.toHaveProperty('conditions');
  });
});
