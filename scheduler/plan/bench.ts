// Planner benchmarks (run by `npm run bench`; targets are checked there, never in tests):
//  - one 1,000-pod gang on 10,000 nodes in zone > block > rack > host, required block and preferred
//    rack at the gang level, pod groups required on rack or host, on a cluster already partly used;
//  - building the cluster index for those nodes and their reservations;
//  - many small gangs planned one after another, each reserving its plan before the next.
import { performance } from 'node:perf_hooks';
import { summarize, type LatencyResult } from '../../test/bench/stats.js';
import { indexCluster, type ClusterIndex, type Reservation } from './cluster.js';
import { BLOCK, gang, GPU, group, HOST, podSpec, RACK, syntheticNodes } from './fixtures.js';
import type { GangInput, PlanUnit } from './model.js';
import { planReservations, planUnit } from './plan.js';
import type { Node } from './kube-types.js';

/** 5 zones × 10 blocks × 25 racks × 8 hosts = 10,000 nodes of 64 CPU / 512Gi / 8 GPUs. */
export const BENCH_SHAPE = { zones: 5, blocksPerZone: 10, racksPerBlock: 25, hostsPerRack: 8, cpu: '64', memory: '512Gi', gpus: 8, nodes: 10_000 };

// A small seeded generator (mulberry32): the same cluster on every run.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Reservations that leave the cluster partly used: each block gets a load between 10% and 90% and
 * each node uses a random share of its GPUs (with 8 CPU and 64Gi per GPU), so blocks and racks differ
 * and many cannot take the big gang.
 */
export function benchReservations(nodes: readonly Node[], seed = 7): Reservation[] {
  const rnd = random(seed);
  const loadOf = new Map<string, number>();
  const out: Reservation[] = [];
  for (const n of nodes) {
    const block = n.metadata?.labels?.[BLOCK] ?? '';
    let load = loadOf.get(block);
    if (load === undefined) loadOf.set(block, (load = 0.1 + 0.8 * rnd()));
    const gpus = Math.min(8, Math.floor(rnd() * 2 * load * 8));
    if (gpus === 0) continue;
    out.push({ nodeName: n.metadata?.name ?? '', requests: { cpu: gpus * 8000, memory: gpus * 64 * 2 ** 30, [GPU]: gpus } });
  }
  return out;
}

/** 1,000 pods: 12 × 40 GPU workers per rack, 50 × 8 GPU workers per host, 120 CPU-only routers. */
export function bigGang(): GangInput {
  const worker = podSpec({ cpu: '8', memory: '64Gi', [GPU]: '1' });
  const router = podSpec({ cpu: '2', memory: '4Gi' });
  const groups = [
    ...Array.from({ length: 12 }, (_, i) => group(`big-0-rackworker-${i}`, 40, 40, worker, { required: RACK })),
    ...Array.from({ length: 50 }, (_, i) => group(`big-0-hostworker-${i}`, 8, 8, worker, { required: HOST })),
    group('big-0-router', 100, 120, router, { preferred: RACK }),
  ];
  return gang('big-0', groups, { required: BLOCK, preferred: RACK });
}

/** 8 pods: a leader and 7 workers, one GPU each, all in one rack. */
export function smallGang(i: number): GangInput {
  const spec = podSpec({ cpu: '4', memory: '32Gi', [GPU]: '1' });
  return gang(`small-${i}`, [group(`small-${i}-leader`, 1, 1, spec), group(`small-${i}-worker`, 7, 7, spec)], { required: RACK });
}

function time<T>(samples: number[], f: () => T): T {
  const t0 = performance.now();
  const out = f();
  samples.push(performance.now() - t0);
  return out;
}

const WARM_UP = 20;

export interface PlannerBenchOptions {
  /** Runs of the big gang (and of the index build). */
  iterations?: number;
  /** Small gangs planned in sequence. */
  smallGangs?: number;
}

export const BIG_GANG_BENCH = 'planner: 1,000-pod gang, block > rack > host, 10,000 nodes';
export const INDEX_BENCH = 'planner: index 10,000 nodes + reservations';
export const SMALL_GANGS_BENCH = 'planner: 8-pod rack gangs in sequence, 10,000 nodes';

export function benchPlanner(options: PlannerBenchOptions = {}): LatencyResult[] {
  const iterations = options.iterations ?? 50;
  const nodes = syntheticNodes(BENCH_SHAPE);
  const reservations = benchReservations(nodes);
  const indexSamples: number[] = [];
  let cluster: ClusterIndex | undefined;
  const t0 = performance.now();
  for (let i = 0; i < Math.max(3, Math.ceil(iterations / 5)); i++) cluster = time(indexSamples, () => indexCluster({ nodes, reservations }));
  const indexWall = performance.now() - t0;
  if (!cluster) throw new Error('no cluster index');
  const unit: PlanUnit = { name: 'big-0', gangs: [bigGang()] };
  const first = planUnit(unit, cluster).gangs[0];
  if (first?.status !== 'placed') throw new Error(`benchmark gang does not fit: ${first?.status === 'unschedulable' ? first.reason : 'no plan'}`);
  // Untimed warm-up: the first runs measure V8's compiler, not the planner a long-running controller runs.
  for (let i = 0; i < WARM_UP; i++) planUnit(unit, cluster);
  const bigSamples: number[] = [];
  const t1 = performance.now();
  for (let i = 0; i < iterations; i++) time(bigSamples, () => planUnit(unit, cluster));
  const bigWall = performance.now() - t1;
  const smallSamples: number[] = [];
  let c = cluster;
  const t2 = performance.now();
  for (let i = 0; i < (options.smallGangs ?? 500); i++) {
    const g = smallGang(i);
    const unit: PlanUnit = { name: g.name, gangs: [g] };
    const plan = time(smallSamples, () => planUnit(unit, c));
    c = c.reserve(planReservations(unit, plan));
  }
  const smallWall = performance.now() - t2;
  return [summarize(BIG_GANG_BENCH, bigSamples, bigWall), summarize(INDEX_BENCH, indexSamples, indexWall), summarize(SMALL_GANGS_BENCH, smallSamples, smallWall)];
}
