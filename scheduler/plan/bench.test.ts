// The benchmark's inputs, checked for correctness (never for speed): the 1,000-pod gang on 10,000
// nodes is placed whole, honours every pack, and overcommits no node.
import { describe, expect, it } from 'vitest';
import { BENCH_SHAPE, benchReservations, bigGang, smallGang } from './bench.js';
import { indexCluster, type ClusterIndex } from './cluster.js';
import { BLOCK, domainsUsed, HOST, nodesOf, RACK, syntheticNodes } from './fixtures.js';
import type { PlanUnit } from './model.js';
import { planReservations, planUnit } from './plan.js';

function overcommitted(c: ClusterIndex): string[] {
  const w = c.resources.length;
  const out: string[] = [];
  for (let n = 0; n < c.size; n++) for (let j = 0; j < w; j++) if ((c.free[n * w + j] ?? 0) < 0) out.push(`${c.names[n]} ${c.resources[j]}`);
  return out;
}

describe('planner benchmark inputs', () => {
  const nodes = syntheticNodes(BENCH_SHAPE);
  const cluster = indexCluster({ nodes, reservations: benchReservations(nodes) });

  it('places the 1,000-pod gang whole, in one block, each pod group in its rack or on its host', () => {
    const unit: PlanUnit = { name: 'big-0', gangs: [bigGang()] };
    const plan = planUnit(unit, cluster);
    const g = plan.gangs[0];
    if (g?.status !== 'placed') throw new Error(g?.status === 'unschedulable' ? g.reason : 'no plan');
    expect(nodes).toHaveLength(10_000);
    expect(g.placements).toHaveLength(980);
    expect(g.extras.length + g.unplacedExtras.length).toBe(20);
    const at = nodesOf(plan);
    expect(domainsUsed(nodes, at, [...at.keys()], BLOCK).size).toBe(1);
    for (const pg of unit.gangs[0]?.podGroups ?? []) {
      const pods = pg.pods.map((p) => p.name).filter((p) => at.has(p));
      if (pg.pack?.required === RACK) expect(domainsUsed(nodes, at, pods, RACK).size).toBe(1);
      if (pg.pack?.required === HOST) expect(domainsUsed(nodes, at, pods, HOST).size).toBe(1);
    }
    expect(overcommitted(cluster.reserve(planReservations(unit, plan)))).toEqual([]);
  });

  it('plans small gangs one after another without overcommitting a node', () => {
    let c = cluster;
    for (let i = 0; i < 40; i++) {
      const unit: PlanUnit = { name: `small-${i}`, gangs: [smallGang(i)] };
      const plan = planUnit(unit, c);
      expect(plan.gangs[0]?.status).toBe('placed');
      const at = nodesOf(plan);
      expect(domainsUsed(nodes, at, [...at.keys()], RACK).size).toBe(1);
      c = c.reserve(planReservations(unit, plan));
    }
    expect(overcommitted(c)).toEqual([]);
  });
});
