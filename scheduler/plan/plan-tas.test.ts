// Grove's topology e2e scenarios (grove-compat §9.3, TAS2–TAS23) on the local cluster's shape. Each
// PodCliqueSet replica is turned into gangs as Grove builds them (§4.6): a base gang with the
// standalone cliques and the first minAvailable replicas of every scaling group (one group config
// per replica when the group has a constraint), and one scaled gang per further replica. The replica
// is planned as one unit sharing the PodCliqueSet constraint (grove#648).
import { describe, expect, it } from 'vitest';
import { indexCluster } from './cluster.js';
import { BLOCK, domainsUsed, GPU, HOST, localNodes, nodesOf, podsOf, RACK, ZONE } from './fixtures.js';
import type { GangInput, PackConstraint, PlanUnit, PodGroupInput, UnitPlan } from './model.js';
import { planReservations, planUnit } from './plan.js';
import type { V1PodSpec } from './kube-types.js';

const nodes = localNodes();
const cluster = indexCluster({ nodes });

/** The pod spec of Grove's e2e workloads: pinned to agent nodes, tolerating their taint. */
function groveSpec(requests: Record<string, string>): V1PodSpec {
  return {
    containers: [{ name: 'c', image: 'busybox', resources: { requests } }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'node_role.e2e.grove.nvidia.com', operator: 'In', values: ['agent'] }] }],
        },
      },
    },
    tolerations: [{ key: 'node_role.e2e.grove.nvidia.com', operator: 'Equal', value: 'agent', effect: 'NoSchedule' }],
  };
}

const small = groveSpec({ memory: '40Mi' });

interface Clique {
  name: string;
  replicas: number;
  minAvailable?: number;
  pack?: PackConstraint;
  spec?: V1PodSpec;
}

interface ScalingGroup {
  name: string;
  replicas: number;
  minAvailable: number;
  pack?: PackConstraint;
  cliqueNames: string[];
}

interface Pcs {
  name: string;
  pack?: PackConstraint;
  cliques: Clique[];
  groups?: ScalingGroup[];
}

function podGroup(fqn: string, c: Clique): PodGroupInput {
  return { name: fqn, minReplicas: c.minAvailable ?? c.replicas, pods: podsOf(fqn, c.replicas, c.spec ?? small), ...(c.pack ? { pack: c.pack } : {}) };
}

/** The gangs of PodCliqueSet replica `i`, as Grove's PodGang sync builds them. */
function replicaUnit(pcs: Pcs, i: number): PlanUnit {
  const prefix = `${pcs.name}-${i}`;
  const clique = (n: string): Clique => {
    const c = pcs.cliques.find((x) => x.name === n);
    if (!c) throw new Error(`no clique ${n}`);
    return c;
  };
  const grouped = new Set((pcs.groups ?? []).flatMap((g) => g.cliqueNames));
  const baseGroups = pcs.cliques.filter((c) => !grouped.has(c.name)).map((c) => podGroup(`${prefix}-${c.name}`, c));
  const configs: NonNullable<GangInput['groupConfigs']>[number][] = [];
  const scaled: GangInput[] = [];
  for (const g of pcs.groups ?? []) {
    for (let j = 0; j < g.replicas; j++) {
      const groups = g.cliqueNames.map((n) => podGroup(`${prefix}-${g.name}-${j}-${n}`, clique(n)));
      if (j < g.minAvailable) {
        baseGroups.push(...groups);
        if (g.pack) configs.push({ name: `${prefix}-${g.name}-${j}`, podGroupNames: groups.map((x) => x.name), pack: g.pack });
      } else {
        const pack = g.pack ?? pcs.pack;
        scaled.push({ name: `${prefix}-${g.name}-${j - g.minAvailable}`, podGroups: groups, ...(pack ? { pack } : {}) });
      }
    }
  }
  const baseGang: GangInput = { name: prefix, podGroups: baseGroups, ...(configs.length ? { groupConfigs: configs } : {}), ...(pcs.pack ? { pack: pcs.pack } : {}) };
  return { name: prefix, gangs: [baseGang, ...scaled], ...(pcs.pack ? { pack: pcs.pack } : {}) };
}

function plan(pcs: Pcs, i = 0, c = cluster): { unit: PlanUnit; plan: UnitPlan; at: Map<string, string> } {
  const unit = replicaUnit(pcs, i);
  const p = planUnit(unit, c);
  for (const g of p.gangs) if (g.status !== 'placed') throw new Error(`${g.gang}: ${g.reason}`);
  return { unit, plan: p, at: nodesOf(p) };
}

const pods = (at: Map<string, string>, prefix: string) => [...at.keys()].filter((p) => p.startsWith(prefix));
const oneDomain = (at: Map<string, string>, prefix: string, key: string) => {
  const list = pods(at, prefix);
  expect(list.length).toBeGreaterThan(0);
  expect(domainsUsed(nodes, at, list, key).size).toBe(1);
};

describe('Grove topology scenarios', () => {
  it('TAS2 independent cliques: worker-rack in one rack, worker-block in one block', () => {
    const { at } = plan({
      name: 'tas-indep-clq',
      cliques: [
        { name: 'worker-rack', replicas: 3, pack: { required: RACK } },
        { name: 'worker-block', replicas: 4, pack: { required: BLOCK } },
      ],
    });
    expect(at.size).toBe(7);
    oneDomain(at, 'tas-indep-clq-0-worker-rack-', RACK);
    oneDomain(at, 'tas-indep-clq-0-worker-block-', BLOCK);
  });

  it('TAS3 PodCliqueSet rack only: 4 pods in one rack', () => {
    const { at, plan: p } = plan({ name: 'tas-sl-pcs-only', pack: { required: RACK }, cliques: [{ name: 'worker', replicas: 4 }] });
    expect(at.size).toBe(4);
    oneDomain(at, 'tas-sl-pcs-only-0-', RACK);
    expect(p.domain?.key).toBe(RACK);
  });

  it('TAS4 scaling group rack only: each replica in one rack, the router anywhere', () => {
    const pcs: Pcs = {
      name: 'tas-sl-pcsg-only',
      cliques: [
        { name: 'router', replicas: 2 },
        { name: 'worker', replicas: 2, spec: groveSpec({ memory: '40Mi', [GPU]: '8' }) },
      ],
      groups: [{ name: 'workers', replicas: 2, minAvailable: 2, pack: { required: RACK }, cliqueNames: ['worker'] }],
    };
    const { at, unit } = plan(pcs);
    expect(unit.gangs.map((g) => g.groupConfigs?.map((c) => c.name))).toEqual([['tas-sl-pcsg-only-0-workers-0', 'tas-sl-pcsg-only-0-workers-1']]);
    expect(at.size).toBe(6);
    oneDomain(at, 'tas-sl-pcsg-only-0-workers-0-', RACK);
    oneDomain(at, 'tas-sl-pcsg-only-0-workers-1-', RACK);
  });

  it('TAS5 host level: 2 pods on one host', () => {
    const { at } = plan({ name: 'tas-host-level', cliques: [{ name: 'worker', replicas: 2, pack: { required: HOST } }] });
    oneDomain(at, 'tas-host-level-0-worker-', HOST);
  });

  it('TAS6 PodCliqueSet zone: 4 pods in one zone', () => {
    const { at } = plan({ name: 'tas-zone', pack: { required: ZONE }, cliques: [{ name: 'worker', replicas: 4 }] });
    oneDomain(at, 'tas-zone-0-', ZONE);
  });

  it('TAS7 no constraint: 4 pods placed', () => {
    const { at, plan: p } = plan({ name: 'tas-no-constraint', cliques: [{ name: 'worker', replicas: 4 }] });
    expect(at.size).toBe(4);
    expect(p.gangs[0]?.status === 'placed' && p.gangs[0].domains).toEqual([]);
  });

  it('TAS8 hierarchy: block ⊃ rack per scaling-group replica ⊃ host per clique', () => {
    const spec = groveSpec({ memory: '40Mi', [GPU]: '4' });
    const { at } = plan({
      name: 'tas-hierarchy',
      pack: { required: BLOCK },
      cliques: [
        { name: 'prefill', replicas: 2, pack: { required: HOST }, spec },
        { name: 'decode', replicas: 2, pack: { required: HOST }, spec },
      ],
      groups: [{ name: 'inference-group', replicas: 2, minAvailable: 2, pack: { required: RACK }, cliqueNames: ['prefill', 'decode'] }],
    });
    expect(at.size).toBe(8);
    oneDomain(at, 'tas-hierarchy-0-', BLOCK);
    for (const j of [0, 1]) {
      oneDomain(at, `tas-hierarchy-0-inference-group-${j}-`, RACK);
      oneDomain(at, `tas-hierarchy-0-inference-group-${j}-prefill-`, HOST);
      oneDomain(at, `tas-hierarchy-0-inference-group-${j}-decode-`, HOST);
    }
  });

  it('TAS9 block at the top, host on a clique', () => {
    const { at } = plan({ name: 'tas-pcs-pclq', pack: { required: BLOCK }, cliques: [{ name: 'worker', replicas: 2, pack: { required: HOST } }, { name: 'router', replicas: 2 }] });
    oneDomain(at, 'tas-pcs-pclq-0-', BLOCK);
    oneDomain(at, 'tas-pcs-pclq-0-worker-', HOST);
  });

  it('TAS10 scaling group of 3 (min 1) per rack inside the PodCliqueSet block: scaled gangs stay in the block', () => {
    const spec = groveSpec({ memory: '40Mi', [GPU]: '8' });
    const { at, unit } = plan({
      name: 'tas-pcsg-scale',
      pack: { required: BLOCK },
      cliques: [{ name: 'worker', replicas: 2, spec }],
      groups: [{ name: 'inference-group', replicas: 3, minAvailable: 1, pack: { required: RACK }, cliqueNames: ['worker'] }],
    });
    expect(unit.gangs.map((g) => g.name)).toEqual(['tas-pcsg-scale-0', 'tas-pcsg-scale-0-inference-group-0', 'tas-pcsg-scale-0-inference-group-1']);
    expect(at.size).toBe(6);
    oneDomain(at, 'tas-pcsg-scale-0-', BLOCK);
    for (const j of [0, 1, 2]) oneDomain(at, `tas-pcsg-scale-0-inference-group-${j}-`, RACK);
  });

  it('TAS12 large scale: 10 host-packed replicas (3 in the base gang, 7 scaled) in one block', () => {
    const { at, unit } = plan({
      name: 'tas-large-scale',
      pack: { required: BLOCK },
      cliques: [{ name: 'worker', replicas: 2, spec: groveSpec({ memory: '40Mi', [GPU]: '2' }) }],
      groups: [{ name: 'sg', replicas: 10, minAvailable: 3, pack: { required: HOST }, cliqueNames: ['worker'] }],
    });
    expect(unit.gangs).toHaveLength(8);
    expect(unit.gangs[0]?.groupConfigs).toHaveLength(3);
    expect(at.size).toBe(20);
    oneDomain(at, 'tas-large-scale-0-', BLOCK);
    for (let j = 0; j < 10; j++) oneDomain(at, `tas-large-scale-0-sg-${j}-`, HOST);
  });

  it('TAS13 insufficient: 10 pods that no rack can hold stay unplaced, with the shortfall named', () => {
    const unit = replicaUnit({ name: 'tas-insuffic', pack: { required: RACK }, cliques: [{ name: 'worker', replicas: 10, spec: groveSpec({ memory: '500Mi', [GPU]: '4' }) }] }, 0);
    expect(planUnit(unit, cluster).gangs).toEqual([
      {
        gang: 'tas-insuffic-0',
        status: 'unschedulable',
        reason: 'unit tas-insuffic-0 needs 40 nvidia.com/gpu in one topology.copse.io/rack; the largest free rack, zone-a-block-0-rack-0, has 32',
        shortfall: { resource: GPU, needed: 40, available: 32, key: RACK, domain: 'zone-a-block-0-rack-0' },
      },
    ]);
  });

  it('TAS14 two replicas, each in its own rack', () => {
    const pcs: Pcs = { name: 'tas-multirep', pack: { required: RACK }, cliques: [{ name: 'worker', replicas: 4, spec: groveSpec({ [GPU]: '8' }) }] };
    const first = plan(pcs, 0);
    const after = cluster.reserve(planReservations(first.unit, first.plan));
    const second = plan(pcs, 1, after);
    oneDomain(first.at, 'tas-multirep-0-', RACK);
    oneDomain(second.at, 'tas-multirep-1-', RACK);
    expect(first.plan.domain?.value).not.toBe(second.plan.domain?.value);
  });

  it('TAS14 small replicas fit one rack together; a spread keeps them apart', () => {
    const pcs: Pcs = { name: 'tas-multirep', pack: { required: RACK }, cliques: [{ name: 'worker', replicas: 2 }] };
    const first = plan(pcs, 0);
    const after = cluster.reserve(planReservations(first.unit, first.plan));
    expect(planUnit(replicaUnit(pcs, 1), after).domain?.value).toBe(first.plan.domain?.value);
    const apart = planUnit({ ...replicaUnit(pcs, 1), spread: { key: RACK, required: true, usedDomains: [first.plan.domain?.value ?? ''] } }, after);
    expect(apart.domain?.value).not.toBe(first.plan.domain?.value);
  });

  it('TAS15/16 two scaling groups (2 replicas, min 1, rack each) and a router in one block', () => {
    const spec = groveSpec({ memory: '40Mi', [GPU]: '8' });
    const { at, unit } = plan({
      name: 'tas-pcs-multi-pcsg',
      pack: { required: BLOCK },
      cliques: [
        { name: 'router', replicas: 2 },
        { name: 'dleader', replicas: 1, spec },
        { name: 'dworker', replicas: 1, spec },
        { name: 'pleader', replicas: 1, spec },
        { name: 'pworker', replicas: 1, spec },
      ],
      groups: [
        { name: 'decoder', replicas: 2, minAvailable: 1, pack: { required: RACK }, cliqueNames: ['dleader', 'dworker'] },
        { name: 'prefill', replicas: 2, minAvailable: 1, pack: { required: RACK }, cliqueNames: ['pleader', 'pworker'] },
      ],
    });
    expect(unit.gangs.map((g) => g.name)).toEqual(['tas-pcs-multi-pcsg-0', 'tas-pcs-multi-pcsg-0-decoder-0', 'tas-pcs-multi-pcsg-0-prefill-0']);
    expect(at.size).toBe(10);
    oneDomain(at, 'tas-pcs-multi-pcsg-0-', BLOCK);
    for (const g of ['decoder-0', 'decoder-1', 'prefill-0', 'prefill-1']) oneDomain(at, `tas-pcs-multi-pcsg-0-${g}-`, RACK);
  });

  it('TAS23 preferred packs: rack for the replica, host for the router and each scaling-group replica', () => {
    // A fragment of 4 GPUs on the first host of every rack: without the preferences the pods spread.
    const fragments = indexCluster({
      nodes,
      reservations: ['kwok-z0-b0-r0-h0', 'kwok-z0-b0-r1-h0', 'kwok-z0-b1-r0-h0', 'kwok-z0-b1-r1-h0'].map((nodeName) => ({ nodeName, requests: { [GPU]: 4 } })),
    });
    const spec = groveSpec({ memory: '40Mi', [GPU]: '2' });
    const pcs: Pcs = {
      name: 'tas-preferred-pack',
      pack: { preferred: RACK },
      cliques: [
        { name: 'router', replicas: 2, pack: { preferred: HOST }, spec },
        { name: 'worker', replicas: 4, spec },
      ],
      groups: [{ name: 'sg', replicas: 2, minAvailable: 2, pack: { preferred: HOST }, cliqueNames: ['worker'] }],
    };
    const { at } = plan(pcs, 0, fragments);
    expect(at.size).toBe(10);
    oneDomain(at, 'tas-preferred-pack-0-', RACK);
    oneDomain(at, 'tas-preferred-pack-0-router-', HOST);
    oneDomain(at, 'tas-preferred-pack-0-sg-0-', HOST);
    oneDomain(at, 'tas-preferred-pack-0-sg-1-', HOST);
  });
});
