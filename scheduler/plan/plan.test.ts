// Constraint kinds, all-or-nothing, node selection, reservations, extras and determinism on the
// local cluster's shape: 1 zone × 2 blocks × 2 racks × 4 hosts, 64 CPU / 512Gi / 8 GPUs per node.
import { describe, expect, it } from 'vitest';
import { indexCluster, type Reservation } from './cluster.js';
import { PlanInputError } from './errors.js';
import { BLOCK, domainsUsed, gang, GPU, group, HOST, localNodes, node, nodesOf, podNames, podSpec, RACK } from './fixtures.js';
import type { GangInput, GangPlaced, GangPlan, PlanUnit } from './model.js';
import { planGang, planReservations, planUnit } from './plan.js';
import type { Node } from './kube-types.js';

const nodes = localNodes();
const cluster = indexCluster({ nodes });
const gpus = (n: number) => podSpec({ cpu: '1', [GPU]: String(n) });

function hosts(rack: string): string[] {
  const m = /^zone-a-block-(\d)-rack-(\d)$/.exec(rack);
  return [0, 1, 2, 3].map((h) => `kwok-z0-b${m?.[1]}-r${m?.[2]}-h${h}`);
}

function useGpus(names: readonly string[], count: number): Reservation[] {
  return names.map((nodeName) => ({ nodeName, requests: { [GPU]: count } }));
}

function placed(p: GangPlan): GangPlaced {
  if (p.status !== 'placed') throw new Error(`expected a placement, got: ${p.reason}`);
  return p;
}

function reason(p: GangPlan): string {
  if (p.status !== 'unschedulable') throw new Error('expected the gang to be unschedulable');
  return p.reason;
}

describe('required pack', () => {
  it('puts a gang in one rack, the tightest one that holds it', () => {
    const g = gang('g', [group('w', 4, 4, gpus(2))], { required: RACK });
    const tight = indexCluster({ nodes, reservations: useGpus(hosts('zone-a-block-1-rack-0'), 6) });
    const p = placed(planGang(g, tight));
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), podNames(g.podGroups[0]!), RACK)).toEqual(new Set(['zone-a-block-1-rack-0']));
    expect(p.domains).toEqual([{ scope: 'gang g', key: RACK, value: 'zone-a-block-1-rack-0', required: true }]);
    // On an empty cluster every rack is as tight: the first by name wins.
    expect(placed(planGang(g, cluster)).domains[0]?.value).toBe('zone-a-block-0-rack-0');
  });

  it('packs each pod group that requires a host on one host', () => {
    const g = gang('g', [group('a', 4, 4, gpus(2), { required: HOST }), group('b', 4, 4, gpus(2), { required: HOST })]);
    const at = nodesOf({ gangs: [planGang(g, cluster)] });
    const a = domainsUsed(nodes, at, podNames(g.podGroups[0]!), HOST);
    const b = domainsUsed(nodes, at, podNames(g.podGroups[1]!), HOST);
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect([...a][0]).not.toBe([...b][0]);
  });

  it('packs each group config (one scaling-group replica) in one rack', () => {
    const eight = gpus(8);
    const g = gang('g', [group('a0', 2, 2, eight), group('b0', 2, 2, eight), group('a1', 2, 2, eight), group('b1', 2, 2, eight)], undefined, [
      { name: 'sg-0', podGroupNames: ['a0', 'b0'], pack: { required: RACK } },
      { name: 'sg-1', podGroupNames: ['a1', 'b1'], pack: { required: RACK } },
    ]);
    const p = placed(planGang(g, cluster));
    const at = nodesOf({ gangs: [p] });
    const r0 = domainsUsed(nodes, at, ['a0-000', 'a0-001', 'b0-000', 'b0-001'], RACK);
    const r1 = domainsUsed(nodes, at, ['a1-000', 'a1-001', 'b1-000', 'b1-001'], RACK);
    expect(r0.size).toBe(1);
    expect(r1.size).toBe(1);
    expect(r0).not.toEqual(r1);
    expect(p.domains.map((d) => d.scope).sort()).toEqual(['group config sg-0', 'group config sg-1']);
  });

  it('nests: gang block ⊃ group config rack ⊃ pod group host, inside the parent each time', () => {
    const four = gpus(4);
    const g = gang(
      'g',
      [group('p0', 2, 2, four, { required: HOST }), group('d0', 2, 2, four, { required: HOST }), group('p1', 2, 2, four, { required: HOST }), group('d1', 2, 2, four, { required: HOST })],
      { required: BLOCK },
      [
        { name: 'sg-0', podGroupNames: ['p0', 'd0'], pack: { required: RACK } },
        { name: 'sg-1', podGroupNames: ['p1', 'd1'], pack: { required: RACK } },
      ],
    );
    // Block 0 keeps only 8 free GPUs: the gang's 32 must go to block 1.
    const busy = indexCluster({ nodes, reservations: [...useGpus(hosts('zone-a-block-0-rack-0'), 8), ...useGpus(hosts('zone-a-block-0-rack-1').slice(1), 8)] });
    const p = placed(planGang(g, busy));
    const at = nodesOf({ gangs: [p] });
    const all = [...at.keys()];
    expect(all).toHaveLength(8);
    expect(domainsUsed(nodes, at, all, BLOCK)).toEqual(new Set(['zone-a-block-1']));
    for (const sg of [['p0', 'd0'], ['p1', 'd1']]) {
      const pods = sg.flatMap((pg) => [`${pg}-000`, `${pg}-001`]);
      expect(domainsUsed(nodes, at, pods, RACK).size).toBe(1);
      for (const pg of sg) expect(domainsUsed(nodes, at, [`${pg}-000`, `${pg}-001`], HOST).size).toBe(1);
    }
    const chain = p.domains.map((d) => `${d.scope} ${d.key}=${d.value}`);
    expect(chain[0]).toBe(`gang g ${BLOCK}=zone-a-block-1`);
    expect(chain.filter((c) => c.includes(RACK)).every((c) => c.includes('=zone-a-block-1-rack-'))).toBe(true);
    expect(chain.filter((c) => c.includes(HOST)).every((c) => c.includes('=kwok-z0-b1-'))).toBe(true);
  });

  it('never uses a node without the required level label, though an unconstrained gang may', () => {
    const loner = node('a-loner', { cpu: '512', memory: '4Ti', [GPU]: '64' });
    const withLoner = [loner, ...nodes];
    const c = indexCluster({ nodes: withLoner });
    const racked = gang('g', [group('w', 4, 4, gpus(8))], { required: RACK });
    const at = nodesOf({ gangs: [planGang(racked, c)] });
    expect([...at.values()]).not.toContain('a-loner');
    expect(domainsUsed(withLoner, at, [...at.keys()], RACK).size).toBe(1);
    const free = gang('g', [group('w', 4, 4, gpus(8))]);
    // Best fit: the one node that takes all four pods.
    expect(new Set(nodesOf({ gangs: [planGang(free, c)] }).values())).toEqual(new Set(['a-loner']));
  });

  it('uses the one domain its already-placed pods pin, even when another is tighter', () => {
    const pods = group('w', 4, 4, gpus(2)).pods.map((p, i) => (i === 0 ? { ...p, nodeName: 'kwok-z0-b1-r1-h0' } : p));
    const g: GangInput = { name: 'g', pack: { required: RACK }, podGroups: [{ name: 'w', minReplicas: 4, pods }] };
    const c = indexCluster({ nodes, reservations: [...useGpus(hosts('zone-a-block-0-rack-0'), 6), { nodeName: 'kwok-z0-b1-r1-h0', requests: { cpu: 1000, [GPU]: 2 } }] });
    const p = placed(planGang(g, c));
    expect(p.placements.map((x) => x.pod)).toEqual(['w-001', 'w-002', 'w-003']);
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), ['w-001', 'w-002', 'w-003'], RACK)).toEqual(new Set(['zone-a-block-1-rack-1']));
  });

  it('says so when the pinned domain is full', () => {
    const pods = group('w', 4, 4, gpus(8)).pods.map((p, i) => (i === 0 ? { ...p, nodeName: 'kwok-z0-b1-r1-h0' } : p));
    const g: GangInput = { name: 'g', pack: { required: RACK }, podGroups: [{ name: 'w', minReplicas: 4, pods }] };
    const c = indexCluster({ nodes, reservations: useGpus(hosts('zone-a-block-1-rack-1'), 8).slice(0, 3) });
    expect(reason(planGang(g, c))).toBe(
      'gang g needs 24 nvidia.com/gpu in topology.copse.io/rack=zone-a-block-1-rack-1, where its placed pods run; it has 8 nvidia.com/gpu free',
    );
  });
});

describe('best fit', () => {
  it('puts pods on the fullest node that takes them all', () => {
    // h1 has 4 GPUs free, h2 6, the rest 8: two 2-GPU pods go to h1.
    const c = indexCluster({ nodes, reservations: [...useGpus(['kwok-z0-b1-r1-h1'], 4), ...useGpus(['kwok-z0-b1-r1-h2'], 2)] });
    expect([...nodesOf({ gangs: [planGang(gang('g', [group('w', 2, 2, gpus(2))]), c)] }).values()]).toEqual(['kwok-z0-b1-r1-h1', 'kwok-z0-b1-r1-h1']);
  });

  it('uses fragments before whole nodes when no node takes them all', () => {
    // Two 2-GPU fragments and whole nodes: ten 2-GPU pods take both fragments, then two whole nodes.
    const all = nodes.map((n) => n.metadata?.name ?? '');
    const c = indexCluster({ nodes, reservations: useGpus(['kwok-z0-b1-r0-h3', 'kwok-z0-b1-r1-h0'], 6) });
    const at = nodesOf({ gangs: [planGang(gang('g', [group('w', 10, 10, gpus(2))]), c)] });
    const used = new Set(at.values());
    expect(used).toEqual(new Set(['kwok-z0-b1-r0-h3', 'kwok-z0-b1-r1-h0', all[0], all[1]]));
  });
});

describe('whole sub-domains for children', () => {
  it('refuses a block without enough whole hosts for its host-packed pod groups, and says how many it has', () => {
    const four = gpus(4);
    const g = gang('g', [group('a', 2, 2, four, { required: HOST }), group('b', 2, 2, four, { required: HOST }), group('c', 2, 2, four, { required: HOST })], { required: BLOCK });
    // One GPU taken on every host but two in block 0 and one in block 1: plenty of GPUs, too few whole hosts.
    const names = nodes.map((n) => n.metadata?.name ?? '');
    const keep = new Set(['kwok-z0-b0-r0-h2', 'kwok-z0-b0-r1-h1', 'kwok-z0-b1-r0-h0']);
    const c = indexCluster({ nodes, reservations: useGpus(names.filter((n) => !keep.has(n)), 1) });
    expect(reason(planGang(g, c))).toBe(
      'gang g needs one topology.copse.io/block with 3 hosts that can each take 2 pods (1 cpu, 4 nvidia.com/gpu each), one each for podgroup a and the 2 like it; the best block, zone-a-block-0, has 2',
    );
    // With a third whole host in block 0 it fits there.
    const d = indexCluster({ nodes, reservations: useGpus(names.filter((n) => !keep.has(n) && n !== 'kwok-z0-b0-r1-h3'), 1) });
    expect(placed(planGang(g, d)).domains[0]?.value).toBe('zone-a-block-0');
  });
});

describe('all or nothing', () => {
  it('places nothing when one pod group cannot have its required domain', () => {
    const g = gang('g', [group('a', 2, 2, gpus(1)), group('b', 5, 5, gpus(8), { required: RACK })]);
    const p = planGang(g, cluster);
    expect(p).toEqual({
      gang: 'g',
      status: 'unschedulable',
      reason: 'podgroup b needs 40 nvidia.com/gpu in one topology.copse.io/rack; the largest free rack, zone-a-block-0-rack-0, has 32',
      shortfall: { resource: GPU, needed: 40, available: 32, key: RACK, domain: 'zone-a-block-0-rack-0' },
    });
  });

  it('places nothing when the minimums together exceed the cluster', () => {
    const g = gang('g', [group('a', 10, 10, gpus(8)), group('b', 8, 8, gpus(8))]);
    expect(reason(planGang(g, cluster))).toBe('podgroup b needs 8 pods (1 cpu, 8 nvidia.com/gpu each), 64 nvidia.com/gpu in all; its eligible nodes have 48 free');
    // One pod fewer and it fits.
    expect(placed(planGang(gang('g', [group('a', 10, 10, gpus(8)), group('b', 6, 6, gpus(8))]), cluster)).placements).toHaveLength(16);
  });

  it('waits for pods that do not exist yet', () => {
    const g = gang('g', [{ name: 'w', minReplicas: 3, pods: group('w', 2, 2, gpus(1)).pods }]);
    expect(reason(planGang(g, cluster))).toBe('podgroup w needs 3 pods for its minimum but 2 exist; the gang waits for the rest to be created');
  });
});

describe('preferred pack', () => {
  // One fragment of 4 GPUs at the first host of every rack: unconstrained best fit uses fragments first.
  const fragments = indexCluster({ nodes, reservations: useGpus(['kwok-z0-b0-r0-h0', 'kwok-z0-b0-r1-h0', 'kwok-z0-b1-r0-h0', 'kwok-z0-b1-r1-h0'], 4) });

  it('keeps the gang in one rack when one holds it', () => {
    const pref = gang('g', [group('w', 6, 6, gpus(4))], { preferred: RACK });
    const p = placed(planGang(pref, fragments));
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), podNames(pref.podGroups[0]!), RACK).size).toBe(1);
    expect(p.domains).toEqual([{ scope: 'gang g', key: RACK, value: 'zone-a-block-0-rack-0', required: false }]);
    const plain = gang('g', [group('w', 6, 6, gpus(4))]);
    expect(domainsUsed(nodes, nodesOf({ gangs: [planGang(plain, fragments)] }), podNames(plain.podGroups[0]!), RACK).size).toBe(4);
  });

  it('uses as few racks as it can when no single rack holds the gang', () => {
    const g = gang('g', [group('w', 40, 40, gpus(1))], { preferred: RACK });
    const p = placed(planGang(g, cluster));
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), podNames(g.podGroups[0]!), RACK).size).toBe(2);
    expect(p.domains).toEqual([]);
  });

  it('keeps a pod group on one host when it prefers so', () => {
    const g = gang('g', [group('w', 4, 4, gpus(2), { preferred: HOST })]);
    const at = nodesOf({ gangs: [planGang(g, fragments)] });
    expect(domainsUsed(nodes, at, podNames(g.podGroups[0]!), HOST).size).toBe(1);
  });
});

describe('node selection and capacity', () => {
  it('explains in kube-scheduler words when no node passes the filters', () => {
    const g = gang('g', [group('w', 2, 2, podSpec({ cpu: '1' }, { nodeSelector: { zone: 'nowhere' } }))]);
    expect(reason(planGang(g, cluster))).toBe("podgroup w needs 2 pods (1 cpu each); 0/16 nodes are available: 16 node(s) didn't match Pod's node affinity/selector.");
  });

  it('skips cordoned and tainted nodes unless the pods tolerate them', () => {
    const tainted: Node[] = nodes.map((n, i) => {
      if (i < 2) return { ...n, spec: { unschedulable: true } };
      if (i < 14) return { ...n, spec: { taints: [{ key: 'dedicated', value: 'infer', effect: 'NoSchedule' }] } };
      return n;
    });
    const c = indexCluster({ nodes: tainted });
    const plain = gang('g', [group('w', 3, 3, gpus(8))]);
    expect(reason(planGang(plain, c))).toBe('podgroup w needs 3 pods (1 cpu, 8 nvidia.com/gpu each), 24 nvidia.com/gpu in all; its eligible nodes have 16 free');
    const tolerant = gang('g', [group('w', 3, 3, { ...gpus(8), tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infer', effect: 'NoSchedule' }] })]);
    const at = nodesOf({ gangs: [planGang(tolerant, c)] });
    expect([...at.values()].every((n) => !['kwok-z0-b0-r0-h0', 'kwok-z0-b0-r0-h1'].includes(n))).toBe(true);
    expect(at.size).toBe(3);
  });

  it('follows required node affinity and matchFields', () => {
    const spec = {
      ...gpus(8),
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: RACK, operator: 'In', values: ['zone-a-block-1-rack-1'] }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['kwok-z0-b1-r1-h0'] }] }],
          },
        },
      },
    };
    const at = nodesOf({ gangs: [planGang(gang('g', [group('w', 3, 3, spec)]), cluster)] });
    expect(new Set(at.values())).toEqual(new Set(['kwok-z0-b1-r1-h1', 'kwok-z0-b1-r1-h2', 'kwok-z0-b1-r1-h3']));
  });

  it('reports an extended resource no node offers', () => {
    const g = gang('g', [group('w', 1, 1, podSpec({ 'example.com/fpga': '1' }))]);
    expect(reason(planGang(g, cluster))).toBe('podgroup w needs 1 pod (1 example.com/fpga each); 0/16 nodes are available: 16 Insufficient example.com/fpga.');
  });

  it('counts the pods resource: a node takes no more pods than it allows', () => {
    const small = [node('n1', { cpu: '64', pods: '3' }), node('n2', { cpu: '64', pods: '3' })];
    const bound = { metadata: { name: 'x' }, spec: { ...podSpec({ cpu: '1' }), nodeName: 'n1' }, status: { phase: 'Running' } };
    const c = indexCluster({ nodes: small, pods: [bound, { ...bound, metadata: { name: 'y' } }] });
    const at = nodesOf({ gangs: [planGang(gang('g', [group('w', 4, 4, podSpec({ cpu: '1' }))]), c)] });
    expect([...at.values()].sort()).toEqual(['n1', 'n2', 'n2', 'n2']);
    expect(reason(planGang(gang('g', [group('w', 5, 5, podSpec({ cpu: '1' }))]), c))).toBe(
      'podgroup w needs 5 pods (1 cpu each), 5 pod slots in all; its eligible nodes have 4 free',
    );
  });

  it('respects bound pods and other gangs’ reservations', () => {
    const g = gang('g', [group('w', 4, 4, gpus(8))], { required: RACK });
    const boundPods = hosts('zone-a-block-0-rack-0').map((nodeName, i) => ({ metadata: { name: `b${i}` }, spec: { ...gpus(8), nodeName }, status: { phase: 'Running' } }));
    const c = indexCluster({ nodes, pods: boundPods, reservations: useGpus(hosts('zone-a-block-0-rack-1').slice(2), 1) });
    expect(placed(planGang(g, c)).domains[0]?.value).toBe('zone-a-block-1-rack-0');
  });

  it('plans the next gang around the previous plan once it is reserved', () => {
    const unit = (name: string): PlanUnit => ({ name, gangs: [gang(name, [group(`${name}-w`, 4, 4, gpus(8))], { required: RACK })] });
    const first = planUnit(unit('a'), cluster);
    const after = cluster.reserve(planReservations(unit('a'), first));
    const second = planUnit(unit('b'), after);
    expect(first.gangs[0]?.status === 'placed' && first.gangs[0].domains[0]?.value).toBe('zone-a-block-0-rack-0');
    expect(second.gangs[0]?.status === 'placed' && second.gangs[0].domains[0]?.value).toBe('zone-a-block-0-rack-1');
  });
});

describe('pods beyond the minimum', () => {
  it('places extras after the minimum, inside the same required domain, and lists those that do not fit', () => {
    const g = gang('g', [group('w', 2, 5, gpus(8))], { required: RACK });
    const p = placed(planGang(g, cluster));
    expect(p.placements.map((x) => x.pod)).toEqual(['w-000', 'w-001']);
    expect(p.extras.map((x) => x.pod)).toEqual(['w-002', 'w-003']);
    expect(p.unplacedExtras).toEqual(['w-004']);
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), ['w-000', 'w-001', 'w-002', 'w-003'], RACK).size).toBe(1);
  });

  it('never lets extras cost the minimum', () => {
    // The only free capacity is 2 hosts: the minimum takes them and the extras get none.
    const c = indexCluster({ nodes, reservations: useGpus(nodes.map((n) => n.metadata?.name ?? '').slice(2), 8) });
    const p = placed(planGang(gang('g', [group('w', 2, 6, gpus(8))]), c));
    expect(p.placements).toHaveLength(2);
    expect(p.extras).toEqual([]);
    expect(p.unplacedExtras).toHaveLength(4);
  });

  it('picks a domain for a pod group whose minimum is zero', () => {
    const g = gang('g', [group('a', 1, 1, gpus(1)), group('opt', 0, 3, gpus(8), { required: RACK })]);
    const p = placed(planGang(g, indexCluster({ nodes, reservations: useGpus(hosts('zone-a-block-0-rack-0'), 8) })));
    expect(p.extras.map((x) => x.pod)).toEqual(['opt-000', 'opt-001', 'opt-002']);
    expect(domainsUsed(nodes, nodesOf({ gangs: [p] }), ['opt-000', 'opt-001', 'opt-002'], RACK).size).toBe(1);
  });
});

describe('determinism', () => {
  const g = gang('g', [group('a', 3, 5, gpus(2), { required: HOST }), group('b', 6, 8, gpus(1), { preferred: RACK }), group('c', 4, 4, podSpec({ cpu: '8' }))], { required: BLOCK });

  it('gives the same plan for the same input', () => {
    const c = indexCluster({ nodes, reservations: useGpus(['kwok-z0-b0-r0-h1', 'kwok-z0-b1-r1-h2'], 5) });
    expect(planGang(g, c)).toEqual(planGang(g, c));
  });

  it('does not depend on the order nodes or pods arrive in', () => {
    const shuffled = [...nodes].reverse();
    const reordered: GangInput = { ...g, podGroups: [...g.podGroups].reverse().map((pg) => ({ ...pg, pods: [...pg.pods].reverse() })) };
    expect(planGang(reordered, indexCluster({ nodes: shuffled }))).toEqual(planGang(g, cluster));
  });
});

describe('input errors', () => {
  const w = group('w', 1, 1, gpus(1));
  it.each([
    ['no gangs', { name: 'u', gangs: [] }, 'unit.gangs: must list at least one gang'],
    ['duplicate gangs', { name: 'u', gangs: [gang('g', [w]), gang('g', [group('x', 1, 1, gpus(1))])] }, 'unit.gangs[1].name: gang g appears twice'],
    ['duplicate pods', { name: 'u', gangs: [gang('g', [w]), gang('h', [w])] }, 'unit.gangs[1].podGroups[0].pods[0].name: pod w-000 appears twice in the unit'],
    ['negative minimum', { name: 'u', gangs: [gang('g', [{ ...w, minReplicas: -1 }])] }, 'unit.gangs[0].podGroups[0].minReplicas: must be a non-negative integer, got -1'],
    ['empty key', { name: 'u', gangs: [gang('g', [w], { required: '' })] }, 'unit.gangs[0].pack.required: must be a non-empty string'],
    [
      'unknown pod group in a group config',
      { name: 'u', gangs: [gang('g', [w], undefined, [{ name: 'sg', podGroupNames: ['nope'] }])] },
      'unit.gangs[0].groupConfigs[0].podGroupNames[0]: gang g has no pod group nope',
    ],
    [
      'pod group in two group configs',
      { name: 'u', gangs: [gang('g', [w], undefined, [{ name: 'a', podGroupNames: ['w'] }, { name: 'b', podGroupNames: ['w'] }])] },
      'unit.gangs[0].groupConfigs[1].podGroupNames[0]: pod group w is already in group config a',
    ],
    ['bad spread', { name: 'u', spread: { key: RACK, required: 'yes', usedDomains: [] }, gangs: [gang('g', [w])] }, 'unit.spread.required: must be true or false'],
  ])('%s', (_name, unit, message) => {
    expect(() => planUnit(unit as PlanUnit, cluster)).toThrow(PlanInputError);
    expect(() => planUnit(unit as PlanUnit, cluster)).toThrow(message);
  });

  it('names a malformed pod request', () => {
    const bad = gang('g', [group('w', 1, 1, podSpec({ cpu: 'two' }))]);
    expect(() => planGang(bad, cluster)).toThrow('unit.gangs[0].podGroups[0].pods[0].spec.containers[0].resources.requests.cpu: invalid quantity "two"');
  });
});
