// Planning units: the gangs of one PodCliqueSet replica sharing its required domain (grove#648), the
// anchor (base gang) rule, and spreading replicas apart.
import { describe, expect, it } from 'vitest';
import { indexCluster, type Reservation } from './cluster.js';
import { BLOCK, domainsUsed, gang, GPU, group, localNodes, node, nodesOf, podSpec, RACK } from './fixtures.js';
import type { GangInput, GangPlan, PlanUnit } from './model.js';
import { planGang, planUnit } from './plan.js';

const nodes = localNodes();
const names = nodes.map((n) => n.metadata?.name ?? '');
const gpus = (n: number) => podSpec({ cpu: '1', [GPU]: String(n) });
const inBlock = (b: number) => names.filter((n) => n.startsWith(`kwok-z0-b${b}-`));
const use = (list: readonly string[], count: number): Reservation[] => list.map((nodeName) => ({ nodeName, requests: { [GPU]: count } }));

// Block 0 keeps 2 free GPUs on one host: the tightest block for a small base gang, too small for its scaled gangs.
const squeezed = indexCluster({ nodes, reservations: [...use(inBlock(0).slice(1), 8), ...use(inBlock(0).slice(0, 1), 6)] });

// The base gang: two CPU-only routers, or with `gpu` GPUs each.
const base = (gpu = 0): GangInput => gang('pcs-0', [group('pcs-0-router', 2, 2, gpu ? gpus(gpu) : podSpec({ cpu: '2' }))], { required: BLOCK });
const scaled = (j: number, pods = 4): GangInput => gang(`pcs-0-sg-${j}`, [group(`pcs-0-sg-${j}-worker`, pods, pods, gpus(8))], { required: RACK });

function statuses(gangs: readonly GangPlan[]): string[] {
  return gangs.map((g) => `${g.gang}: ${g.status}`);
}

describe('gangs of one PodCliqueSet replica (grove#648)', () => {
  it('planned one by one, base and scaled gangs land in different blocks', () => {
    const b = planGang(base(), squeezed);
    const s = planGang(scaled(0), squeezed);
    const at = nodesOf({ gangs: [b, s] });
    expect(domainsUsed(nodes, at, ['pcs-0-router-000'], BLOCK)).toEqual(new Set(['zone-a-block-0']));
    expect(domainsUsed(nodes, at, ['pcs-0-sg-0-worker-000'], BLOCK)).toEqual(new Set(['zone-a-block-1']));
  });

  it('planned as one unit, they share the replica’s block', () => {
    const unit: PlanUnit = { name: 'pcs-0', pack: { required: BLOCK }, gangs: [base(), scaled(0), scaled(1)] };
    const plan = planUnit(unit, squeezed);
    expect(statuses(plan.gangs)).toEqual(['pcs-0: placed', 'pcs-0-sg-0: placed', 'pcs-0-sg-1: placed']);
    const at = nodesOf(plan);
    expect(domainsUsed(nodes, at, [...at.keys()], BLOCK)).toEqual(new Set(['zone-a-block-1']));
    expect(plan.domain).toEqual({ scope: 'unit pcs-0', key: BLOCK, value: 'zone-a-block-1', required: true });
    // Each scaled gang still honours its own rack.
    for (const j of [0, 1]) expect(domainsUsed(nodes, at, [0, 1, 2, 3].map((i) => `pcs-0-sg-${j}-worker-00${i}`), RACK).size).toBe(1);
  });

  it('keeps new scaled gangs in the block where the base gang already runs, near its pods', () => {
    // Block 0 is the tighter fit for a scaled gang (one free rack), block 1 is empty.
    const c = indexCluster({ nodes, reservations: [...use(inBlock(0).slice(0, 4), 8), ...use(['kwok-z0-b1-r1-h3', 'kwok-z0-b1-r1-h3'], 0)] });
    const pending = planUnit({ name: 'pcs-0', pack: { required: BLOCK }, gangs: [base(), scaled(0)] }, c);
    expect(pending.domain?.value).toBe('zone-a-block-0');
    const placedBase: GangInput = { ...base(), podGroups: [{ ...base().podGroups[0]!, pods: base().podGroups[0]!.pods.map((p) => ({ ...p, nodeName: 'kwok-z0-b1-r1-h3' })) }] };
    const plan = planUnit({ name: 'pcs-0', pack: { required: BLOCK }, gangs: [placedBase, scaled(0)] }, c);
    expect(statuses(plan.gangs)).toEqual(['pcs-0: placed', 'pcs-0-sg-0: placed']);
    expect(plan.gangs[0]?.status === 'placed' && plan.gangs[0].placements).toEqual([]);
    const at = nodesOf(plan);
    expect(domainsUsed(nodes, at, [...at.keys()], RACK)).toEqual(new Set(['zone-a-block-1-rack-1']));
  });

  it('reports a scaled gang that does not fit the pinned block, naming the block', () => {
    const placedBase: GangInput = { ...base(), podGroups: [{ ...base().podGroups[0]!, pods: base().podGroups[0]!.pods.map((p) => ({ ...p, nodeName: 'kwok-z0-b0-r0-h0' })) }] };
    const plan = planUnit({ name: 'pcs-0', pack: { required: BLOCK }, gangs: [placedBase, scaled(0)] }, squeezed);
    expect(plan.gangs[1]).toEqual({
      gang: 'pcs-0-sg-0',
      status: 'unschedulable',
      reason: 'gang pcs-0-sg-0 needs 32 nvidia.com/gpu in one topology.copse.io/rack within topology.copse.io/block=zone-a-block-0; the largest free rack, zone-a-block-0-rack-0, has 2',
      shortfall: { resource: GPU, needed: 32, available: 2, key: RACK, domain: 'zone-a-block-0-rack-0' },
    });
  });

  it('places no scaled gang while the base gang cannot be placed', () => {
    const hugeBase = gang('pcs-0', [group('pcs-0-router', 17, 17, gpus(8))], { required: BLOCK });
    const plan = planUnit({ name: 'pcs-0', pack: { required: BLOCK }, gangs: [hugeBase, scaled(0)] }, indexCluster({ nodes }));
    expect(statuses(plan.gangs)).toEqual(['pcs-0: unschedulable', 'pcs-0-sg-0: unschedulable']);
    const anchorReason = 'unit pcs-0 needs 136 nvidia.com/gpu in one topology.copse.io/block; the largest free block, zone-a-block-0, has 64';
    expect(plan.gangs[0]?.status === 'unschedulable' && plan.gangs[0].reason).toBe(anchorReason);
    expect(plan.gangs[1]?.status === 'unschedulable' && plan.gangs[1].reason).toBe(`gang pcs-0-sg-0 waits for gang pcs-0: ${anchorReason}`);
  });

  it('places every scaled gang that fits after the base, each whole', () => {
    // Block 1 only: the base takes 2 GPUs of rack 0, so only rack 1 takes a 4-host scaled gang; the
    // second does not fit, the third (1 pod) does.
    const c = indexCluster({ nodes, reservations: use(inBlock(0), 8) });
    const plan = planUnit({ name: 'pcs-0', pack: { required: BLOCK }, gangs: [base(1), scaled(0), scaled(1), scaled(2, 1)] }, c);
    expect(statuses(plan.gangs)).toEqual(['pcs-0: placed', 'pcs-0-sg-0: placed', 'pcs-0-sg-1: unschedulable', 'pcs-0-sg-2: placed']);
    const sg1 = plan.gangs[2];
    expect(sg1?.status === 'unschedulable' && sg1.reason).toBe(
      'gang pcs-0-sg-1 needs 32 nvidia.com/gpu in one topology.copse.io/rack within topology.copse.io/block=zone-a-block-1; the largest free rack, zone-a-block-1-rack-0, has 30',
    );
  });
});

describe('spreading replicas apart', () => {
  const replica = (): PlanUnit => ({ name: 'pcs-1', gangs: [gang('pcs-1', [group('pcs-1-w', 4, 4, gpus(8))], { required: RACK })] });
  const cluster = indexCluster({ nodes });

  it('avoids the racks sibling replicas use when it can (preferred)', () => {
    const plan = planUnit({ ...replica(), spread: { key: RACK, required: false, usedDomains: ['zone-a-block-0-rack-0', 'zone-a-block-0-rack-1'] } }, cluster);
    expect(plan.spreadSatisfied).toBe(true);
    expect(plan.gangs[0]?.status === 'placed' && plan.gangs[0].domains[0]?.value).toBe('zone-a-block-1-rack-0');
  });

  it('shares a rack with a sibling when nothing else fits (preferred)', () => {
    const all = ['zone-a-block-0-rack-0', 'zone-a-block-0-rack-1', 'zone-a-block-1-rack-0', 'zone-a-block-1-rack-1'];
    const plan = planUnit({ ...replica(), spread: { key: RACK, required: false, usedDomains: all } }, cluster);
    expect(plan.spreadSatisfied).toBe(false);
    expect(plan.gangs[0]?.status).toBe('placed');
  });

  it('refuses to share (required), and says which racks are taken', () => {
    const all = ['zone-a-block-1-rack-1', 'zone-a-block-0-rack-0', 'zone-a-block-0-rack-1', 'zone-a-block-1-rack-0'];
    const plan = planUnit({ ...replica(), spread: { key: RACK, required: true, usedDomains: all } }, cluster);
    expect(plan.gangs[0]).toEqual({
      gang: 'pcs-1',
      status: 'unschedulable',
      reason:
        'gang pcs-1 needs one topology.copse.io/rack, but no candidate node carries that label (required spread: racks zone-a-block-0-rack-0, zone-a-block-0-rack-1, zone-a-block-1-rack-0, zone-a-block-1-rack-1 are used by sibling replicas)',
    });
    const three = planUnit({ ...replica(), spread: { key: RACK, required: true, usedDomains: all.slice(0, 3) } }, cluster);
    expect(three.gangs[0]?.status === 'placed' && three.gangs[0].domains[0]?.value).toBe('zone-a-block-1-rack-0');
  });

  it('reports the whole cluster’s reasons when the unit fits nowhere either way (preferred)', () => {
    const big: PlanUnit = { name: 'pcs-1', gangs: [gang('pcs-1', [group('pcs-1-w', 5, 5, gpus(8))], { required: RACK })] };
    const plan = planUnit({ ...big, spread: { key: RACK, required: false, usedDomains: ['zone-a-block-0-rack-0'] } }, cluster);
    expect(plan.spreadSatisfied).toBe(false);
    expect(plan.gangs[0]?.status === 'unschedulable' && plan.gangs[0].reason).toBe(
      'gang pcs-1 needs 40 nvidia.com/gpu in one topology.copse.io/rack; the largest free rack, zone-a-block-0-rack-0, has 32',
    );
  });

  it('never uses a node without the spread label when spread is required, but may when preferred', () => {
    const loner = node('a-loner', { cpu: '64', [GPU]: '32' });
    const c = indexCluster({ nodes: [loner, ...nodes] });
    const used = ['zone-a-block-0-rack-0', 'zone-a-block-0-rack-1', 'zone-a-block-1-rack-0', 'zone-a-block-1-rack-1'];
    const free: PlanUnit = { name: 'pcs-1', gangs: [gang('pcs-1', [group('pcs-1-w', 4, 4, gpus(8))])] };
    expect(planUnit({ ...free, spread: { key: RACK, required: true, usedDomains: used } }, c).gangs[0]?.status).toBe('unschedulable');
    const soft = planUnit({ ...free, spread: { key: RACK, required: false, usedDomains: used } }, c);
    expect(soft.spreadSatisfied).toBe(true);
    expect(new Set(nodesOf(soft).values())).toEqual(new Set(['a-loner']));
  });
});
