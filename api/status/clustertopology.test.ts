import { describe, expect, it } from 'vitest';

import type { ClusterTopologyBinding, SchedulerTopologyBinding } from '../generated/types.js';
import {
  kaiTopologyServed,
  actionFailed,
  clusterTopologyStatus,
  decideBackendTopologies,
  desiredKaiTopology,
  driftCondition,
  kaiTopologyNames,
  levelMismatch,
  type KaiTopology,
  type KaiView,
} from './clustertopology.js';

const T0 = '2026-11-30T10:00:00Z';
const T1 = '2026-11-30T10:05:00Z';
const KEYS = ['example.com/block', 'example.com/rack', 'kubernetes.io/hostname'];

function ctb(o: { keys?: string[]; refs?: SchedulerTopologyBinding[]; generation?: number } = {}): ClusterTopologyBinding {
  return {
    metadata: { name: 'grove-topology', uid: 'ctb-uid', generation: o.generation ?? 3 },
    spec: {
      levels: (o.keys ?? KEYS).map((key, i) => ({ domain: `d${i}`, key })),
      ...(o.refs ? { schedulerTopologyBindings: o.refs } : {}),
    },
  };
}

function kaiTopology(name: string, keys: string[], owner?: string, generation = 1): KaiTopology {
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      generation,
      ...(owner ? { ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', name: 'grove-topology', uid: owner, controller: true }] } : {}),
    },
    spec: { levels: keys.map((nodeLabel) => ({ nodeLabel })) },
  };
}

function kai(...topologies: KaiTopology[]): KaiView {
  return { served: true, topology: (n) => topologies.find((t) => t.metadata.name === n) };
}
const NO_KAI: KaiView = { served: false, topology: () => undefined };
const KAI_REF = { schedulerName: 'kai-scheduler', topologyReference: 'kai-topo' };

describe('the KAI Topology of a binding', () => {
  it('is named like the binding, has its keys as node labels, and the binding as controller owner', () => {
    expect(desiredKaiTopology(ctb())).toEqual({
      apiVersion: 'kai.scheduler/v1alpha1',
      kind: 'Topology',
      metadata: {
        name: 'grove-topology',
        ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', name: 'grove-topology', uid: 'ctb-uid', controller: true, blockOwnerDeletion: true }],
      },
      spec: { levels: KEYS.map((nodeLabel) => ({ nodeLabel })) },
    });
  });

  it('reads its own name and every KAI reference, once each', () => {
    expect(kaiTopologyNames(ctb())).toEqual(['grove-topology']);
    expect(kaiTopologyNames(ctb({ refs: [KAI_REF, { schedulerName: 'default-scheduler', topologyReference: 'x' }] }))).toEqual(['grove-topology', 'kai-topo']);
  });

  it.each<[string, string[], string | undefined]>([
    ['same keys', KEYS, undefined],
    ['fewer levels', KEYS.slice(0, 2), 'level count mismatch: ClusterTopologyBinding has 3 levels, KAI Topology has 2'],
    ['another key', [KEYS[0] as string, 'x/rack', KEYS[2] as string], 'level 1 mismatch: ClusterTopologyBinding key "example.com/rack" != KAI Topology nodeLabel "x/rack"'],
    ['the same keys in another order', [KEYS[1] as string, KEYS[0] as string, KEYS[2] as string], 'level 0 mismatch: ClusterTopologyBinding key "example.com/block" != KAI Topology nodeLabel "example.com/rack"'],
  ])('level comparison: %s', (_, keys, want) => {
    expect(levelMismatch(ctb(), kaiTopology('t', keys))).toBe(want);
  });
});

describe('backend topologies (grove-compat §5.3)', () => {
  it('without KAI and without entries: nothing to do and no status (copse reads the binding itself)', () => {
    expect(decideBackendTopologies(ctb(), NO_KAI)).toEqual({ actions: [], statuses: [], backendUnavailable: false });
  });

  it('auto-managed, KAI served, no Topology yet: create it, in sync once created', () => {
    expect(decideBackendTopologies(ctb(), kai())).toEqual({
      actions: [{ kind: 'create', topology: desiredKaiTopology(ctb()) }],
      statuses: [{ schedulerName: 'kai-scheduler', topologyReference: 'grove-topology', inSync: true }],
      backendUnavailable: false,
    });
  });

  it('auto-managed, owned and equal: nothing to do', () => {
    expect(decideBackendTopologies(ctb(), kai(kaiTopology('grove-topology', KEYS, 'ctb-uid')))).toEqual({
      actions: [],
      statuses: [{ schedulerName: 'kai-scheduler', topologyReference: 'grove-topology', inSync: true }],
      backendUnavailable: false,
    });
  });

  it('auto-managed, owned, levels changed: delete exactly that Topology and create the new one (KAI levels are immutable)', () => {
    const next = ctb({ keys: [...KEYS.slice(0, 1), 'example.com/zone', ...KEYS.slice(1)] });
    expect(decideBackendTopologies(next, kai(kaiTopology('grove-topology', KEYS, 'ctb-uid'))).actions).toEqual([
      { kind: 'recreate', uid: 'grove-topology-uid', topology: desiredKaiTopology(next) },
    ]);
  });

  it.each<[string, string | undefined]>([
    ['no owner', undefined],
    ['a previous binding of the same name', 'old-ctb-uid'],
  ])('auto-managed, a Topology of that name with %s is never adopted: drift, nothing written', (_, owner) => {
    expect(decideBackendTopologies(ctb(), kai(kaiTopology('grove-topology', KEYS, owner)))).toEqual({
      actions: [],
      statuses: [
        {
          schedulerName: 'kai-scheduler',
          topologyReference: 'grove-topology',
          inSync: false,
          message: 'KAI Topology grove-topology is not owned by ClusterTopologyBinding grove-topology; copse does not adopt a Topology it did not create',
        },
      ],
      backendUnavailable: false,
    });
  });

  it('an owner reference that is not the controller does not count', () => {
    const t = kaiTopology('grove-topology', KEYS, 'ctb-uid');
    const ref = t.metadata.ownerReferences?.[0];
    if (ref) ref.controller = false;
    expect(decideBackendTopologies(ctb(), kai(t)).statuses[0]?.inSync).toBe(false);
  });

  it.each<[string, KaiTopology[], Record<string, unknown>]>([
    ['missing', [], { inSync: false, message: 'KAI Topology "kai-topo" not found' }],
    ['in sync', [kaiTopology('kai-topo', KEYS, undefined, 7)], { inSync: true, schedulerBackendTopologyObservedGeneration: 7 }],
    [
      'drifted',
      [kaiTopology('kai-topo', KEYS.slice(1), undefined, 2)],
      { inSync: false, schedulerBackendTopologyObservedGeneration: 2, message: 'level count mismatch: ClusterTopologyBinding has 3 levels, KAI Topology has 2' },
    ],
  ])('externally managed (an entry for kai-scheduler), Topology %s: compared only, never written', (_, topologies, want) => {
    // A Topology named like the binding is not the referenced one and is left alone.
    const d = decideBackendTopologies(ctb({ refs: [KAI_REF] }), kai(...topologies, kaiTopology('grove-topology', ['x/y'])));
    expect(d.actions).toEqual([]);
    expect(d.statuses).toEqual([{ schedulerName: 'kai-scheduler', topologyReference: 'kai-topo', ...want }]);
    expect(d.backendUnavailable).toBe(false);
  });

  it.each<[string, KaiView, SchedulerTopologyBinding[], number]>([
    ['kai-scheduler without its CRD', NO_KAI, [KAI_REF], 1],
    ['default-scheduler (no backend object: copse reads the binding)', NO_KAI, [{ schedulerName: 'default-scheduler', topologyReference: 'd' }], 1],
    ['default-scheduler next to a served KAI', kai(kaiTopology('kai-topo', KEYS)), [KAI_REF, { schedulerName: 'default-scheduler', topologyReference: 'd' }], 2],
  ])('an entry naming a backend that cannot manage topologies here: %s', (_, view, refs, count) => {
    const d = decideBackendTopologies(ctb({ refs }), view);
    expect(d.backendUnavailable).toBe(true);
    expect(d.statuses).toHaveLength(count);
    const last = refs[refs.length - 1] as SchedulerTopologyBinding;
    expect(d.statuses[count - 1]).toEqual({
      schedulerName: last.schedulerName,
      topologyReference: last.topologyReference,
      inSync: false,
      message: `scheduler backend ${JSON.stringify(last.schedulerName)} is not available for topology management`,
    });
  });

  it('a failed action marks its topology out of sync with the error, leaving the others', () => {
    const d = decideBackendTopologies(ctb({ refs: [{ schedulerName: 'default-scheduler', topologyReference: 'd' }] }), kai());
    const action = d.actions[0];
    if (!action) throw new Error('no action');
    expect(actionFailed(d.statuses, action, 'forbidden')).toEqual([
      { schedulerName: 'kai-scheduler', topologyReference: 'grove-topology', inSync: false, message: 'forbidden' },
      d.statuses[1],
    ]);
  });
});

describe('SchedulerTopologyDrift and the binding status', () => {
  const inSync = { schedulerName: 'kai-scheduler', topologyReference: 't', inSync: true };
  const drifted = { ...inSync, inSync: false, message: 'm' };

  it.each<[string, Parameters<typeof driftCondition>, [string, string, string] | undefined]>([
    ['no statuses: removed', [[], false], undefined],
    ['all in sync', [[inSync], false], ['False', 'InSync', 'All scheduler backend topologies are in sync']],
    ['one drifted', [[inSync, drifted], false], ['True', 'Drift', 'One or more scheduler backend topologies have drifted']],
    ['an unavailable backend wins over drift', [[drifted], true], ['Unknown', 'TopologyNotFound', 'One or more referenced scheduler backends are unavailable for topology management']],
  ])('%s', (_, args, want) => {
    const c = driftCondition(...args);
    expect(c ? [c.status, c.reason, c.message] : undefined).toEqual(want);
  });

  it('first status: observedGeneration, the condition stamped with the generation, and the in-sync event', () => {
    const r = clusterTopologyStatus(ctb(), { statuses: [inSync], backendUnavailable: false }, true, T0);
    expect(r.status).toEqual({
      observedGeneration: 3,
      conditions: [{ type: 'SchedulerTopologyDrift', status: 'False', reason: 'InSync', message: 'All scheduler backend topologies are in sync', lastTransitionTime: T0, observedGeneration: 3 }],
      schedulerTopologyStatuses: [inSync],
    });
    expect(r.event).toEqual({ type: 'Normal', reason: 'TopologyInSync', message: 'All scheduler backend topologies are in sync' });
  });

  it('a drift: Warning TopologyDriftDetected once; the same drift again keeps its time and says nothing', () => {
    const before = { ...ctb(), status: clusterTopologyStatus(ctb(), { statuses: [inSync], backendUnavailable: false }, true, T0).status };
    const r = clusterTopologyStatus(before, { statuses: [drifted], backendUnavailable: false }, true, T1);
    expect(r.event).toEqual({ type: 'Warning', reason: 'TopologyDriftDetected', message: 'One or more scheduler backend topologies have drifted' });
    expect(r.status.conditions?.[0]).toMatchObject({ status: 'True', reason: 'Drift', lastTransitionTime: T1 });
    const again = clusterTopologyStatus({ ...before, status: r.status }, { statuses: [drifted], backendUnavailable: false }, true, '2026-11-30T11:00:00Z');
    expect(again.event).toBeUndefined();
    expect(again.status).toEqual(r.status);
  });

  it('to Unknown: no event (Grove announces only True and False)', () => {
    const before = { ...ctb(), status: clusterTopologyStatus(ctb(), { statuses: [inSync], backendUnavailable: false }, true, T0).status };
    const r = clusterTopologyStatus(before, { statuses: [drifted], backendUnavailable: true }, true, T1);
    expect(r.status.conditions?.[0]).toMatchObject({ status: 'Unknown', reason: 'TopologyNotFound' });
    expect(r.event).toBeUndefined();
  });

  it('no statuses left: the condition and the statuses go, other conditions stay', () => {
    const other = { type: 'Other', status: 'True', reason: 'R', message: 'm', lastTransitionTime: T0 };
    const before = { ...ctb(), status: { observedGeneration: 2, conditions: [other, { type: 'SchedulerTopologyDrift', status: 'False', reason: 'InSync', message: 'x', lastTransitionTime: T0 }], schedulerTopologyStatuses: [inSync] } };
    expect(clusterTopologyStatus(before, { statuses: [], backendUnavailable: false }, true, T1)).toEqual({ status: { observedGeneration: 3, conditions: [other] } });
  });

  it('a pass that failed keeps the observedGeneration it had', () => {
    const before = { ...ctb({ generation: 4 }), status: { observedGeneration: 3 } };
    expect(clusterTopologyStatus(before, { statuses: [drifted], backendUnavailable: false }, false, T0).status.observedGeneration).toBe(3);
    expect(clusterTopologyStatus(ctb({ generation: 4 }), { statuses: [drifted], backendUnavailable: false }, false, T0).status.observedGeneration).toBeUndefined();
  });
});

describe('kaiTopologyServed: kai-scheduler counts as enabled exactly while its Topology CRD serves v1alpha1', () => {
  const crd = (over: { deleting?: boolean; established?: string; versions?: { name: string; served: boolean }[]; name?: string } = {}) =>
    ({
      metadata: { name: over.name ?? 'topologies.kai.scheduler', ...(over.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      spec: { versions: over.versions ?? [{ name: 'v1alpha1', served: true }] },
      status: { conditions: [{ type: 'Established', status: over.established ?? 'True' }] },
    }) as never;
  it('established and serving v1alpha1', () => expect(kaiTopologyServed([crd()])).toBe(true));
  it.each([
    ['absent', [crd({ name: 'podgroups.scheduling.x-k8s.io' })]],
    ['being deleted', [crd({ deleting: true })]],
    ['not established', [crd({ established: 'False' })]],
    ['v1alpha1 not served', [crd({ versions: [{ name: 'v1alpha1', served: false }, { name: 'v1beta1', served: true }] })]],
  ])('not when %s', (_what, crds) => expect(kaiTopologyServed(crds)).toBe(false));
});
