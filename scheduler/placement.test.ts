// One placement pass across the replicas of a PodCliqueSet: every replica's minimum before any pod
// beyond one, whatever order the free capacity arrives in (Grove's GS10 and GS12).
import { describe, expect, it } from 'vitest';
import { indexCluster } from './plan/cluster.js';
import { gang, group, node, nodesOf, podSpec } from './plan/fixtures.js';
import type { GangInput, PodInput } from './plan/model.js';
import { planPass, type PassUnit } from './placement.js';

// One pod a node, as in Grove's e2e.
const spec = podSpec({ memory: '80Mi' });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`, { memory: '100Mi', cpu: '8' }));

// workload2's base gang of replica r: pc-a 2 (min 1), sg-x-0 pc-b 1 (min 1), sg-x-0 pc-c 3 (min 1).
function base(r: number, boundTo: string[] = [], pcs = 'w'): GangInput {
  const g = gang(`${pcs}-${r}`, [group(`${pcs}-${r}-pc-a`, 1, 2, spec), group(`${pcs}-${r}-sg-x-0-pc-b`, 1, 1, spec), group(`${pcs}-${r}-sg-x-0-pc-c`, 1, 3, spec)]);
  // The minimum (the first pod of each group) bound to `boundTo`, in order.
  let next = 0;
  const podGroups = g.podGroups.map((pg) => ({
    ...pg,
    pods: pg.pods.map((p, i): PodInput => {
      const at = i === 0 ? boundTo[next++] : undefined;
      return at ? { ...p, nodeName: at } : p;
    }),
  }));
  return { ...g, podGroups };
}
const unit = (r: number, g: GangInput, pcs = 'w'): PassUnit => ({ unit: { name: `${pcs}-${r}`, gangs: [g] }, namespace: 'ns', group: `ns/${pcs}` });
const placedPods = (plans: ReturnType<typeof planPass>) => [...nodesOf({ gangs: plans.flatMap((p) => p.gangs) }).keys()].sort();
const MIN0 = ['w-0-pc-a-000', 'w-0-sg-x-0-pc-b-000', 'w-0-sg-x-0-pc-c-000'];
const MIN1 = ['w-1-pc-a-000', 'w-1-sg-x-0-pc-b-000', 'w-1-sg-x-0-pc-c-000'];

describe('planPass: minimums of every replica before extras', () => {
  it('six free nodes for two replicas: both base minimums, no extras (GS10)', () => {
    const plans = planPass([unit(0, base(0)), unit(1, base(1))], indexCluster({ nodes: nodes(6) }));
    expect(plans.map((p) => p.gangs.map((g) => g.status))).toEqual([['placed'], ['placed']]);
    expect(placedPods(plans)).toEqual([...MIN0, ...MIN1].sort());
  });

  it('replica 0 bound, one node free: replica 0 extras leave it to replica 1, which still waits (nodes arriving one by one)', () => {
    const n = nodes(4);
    const bound = base(0, ['n0', 'n1', 'n2']);
    const pods = bound.podGroups.flatMap((pg) => pg.pods.filter((p) => p.nodeName).map((p) => ({ metadata: { name: p.name, namespace: 'ns' }, spec: { ...p.spec, nodeName: p.nodeName } })));
    const plans = planPass([unit(0, bound), unit(1, base(1))], indexCluster({ nodes: n, pods }));
    expect(plans[1]?.gangs[0]?.status).toBe('unschedulable');
    expect(placedPods(plans)).toEqual([]);
  });

  it('places extras with the room left once every replica has its minimum', () => {
    const plans = planPass([unit(0, base(0)), unit(1, base(1))], indexCluster({ nodes: nodes(8) }));
    const placed = placedPods(plans);
    expect(placed.filter((p) => MIN0.includes(p) || MIN1.includes(p)).length).toBe(6);
    // Two nodes left for extras, replica 0's first (oldest first).
    expect(placed.length).toBe(8);
    expect(placed.filter((p) => p.startsWith('w-0-')).length).toBe(5);
  });

  it('holds the extras of a PodCliqueSet with a gang outside the pass short of its minimum, not those of another', () => {
    const plans = planPass([unit(0, base(0)), unit(0, base(0, [], 'v'), 'v')], indexCluster({ nodes: nodes(12) }), new Set(['ns/w']));
    const placed = placedPods(plans);
    expect(placed.filter((p) => p.startsWith('w-'))).toEqual([...MIN0].sort());
    expect(placed.filter((p) => p.startsWith('v-')).length).toBe(6);
  });
});
