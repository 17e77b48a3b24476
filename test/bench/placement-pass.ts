// One placement pass (scheduler/placement.ts, the extender backend's planner loop) over the shape of a
// large deploy half-way through: `copies` scale tests (500 replicas × 2 pods each) with every pod
// waiting for the placement gate and no node with room, so the pass plans every unit and places none.
// That is the pass a busy cluster repeats on every pod event; it runs on the server's event loop.
// In-process, over informers fed from memory (no server): the point is the pass's own cost.
import { performance } from 'node:perf_hooks';
import type { Node, Pod } from '../../api/core/wire.js';
import type { PodCliqueSet, PodGang } from '../../api/index.js';
import { Manager } from '../../controllers/runtime/manager.js';
import type { ObjectLike } from '../../kube/dynamic.js';
import { createLogger } from '../../kube/log.js';
import { RESOURCES } from '../../kube/resources.js';
import { PLACEMENT_GATE, PendingReasons, registerGangScheduling } from '../../scheduler/index.js';
import { clique, pcsOf, simulate } from '../support/desired.js';
import { memoryClient } from '../support/memory-client.js';
import { type LatencyResult, summarize } from './stats.js';

export const PLACEMENT_PASS_BENCH = 'placement: one pass, 10,000 pods waiting (5,000 units), 100 full nodes';

function waitingWorld(copies: number): Map<string, readonly ObjectLike[]> {
  const pcss: PodCliqueSet[] = [];
  const gangs: PodGang[] = [];
  const pods: Pod[] = [];
  for (let i = 0; i < copies; i++) {
    const pcs = pcsOf(`scale-${i}`, { cliques: [clique('w', 2, { podSpec: { containers: [{ name: 'w', image: 'busybox', resources: { requests: { cpu: '1' } } }] } })] }, 500);
    const g = simulate(pcs);
    pcss.push(pcs);
    gangs.push(...g.tree.podGangs);
    for (const p of g.pods) pods.push({ ...p, spec: { ...p.spec, containers: p.spec?.containers ?? [], schedulingGates: [{ name: PLACEMENT_GATE }] } });
  }
  const nodes: Node[] = Array.from({ length: 100 }, (_, i) => ({
    metadata: { name: `n-${i}`, labels: { 'kubernetes.io/hostname': `n-${i}` } },
    status: { allocatable: { cpu: '500m', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, pcss],
    [RESOURCES.podGangs.resource, gangs],
    [RESOURCES.pods.resource, pods],
    [RESOURCES.nodes.resource, nodes],
  ]);
}

export async function benchPlacementPass(iterations: number, copies = 10): Promise<LatencyResult> {
  const log = createLogger('silent');
  const manager = new Manager({ client: memoryClient(waitingWorld(copies), []), log });
  const gs = registerGangScheduling(manager, { pending: new PendingReasons(), onPendingReason: () => {}, log });
  manager.informers.start();
  try {
    await manager.informers.waitForSync();
    const signal = new AbortController().signal;
    const pass = () => gs.placement.reconciler.reconcile('cluster', log, signal);
    // Untimed warm-up: V8's compiler, and the first pass's events.
    for (let i = 0; i < 2; i++) await pass();
    const samples: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await pass();
      samples.push(performance.now() - s);
    }
    return summarize(PLACEMENT_PASS_BENCH.replace('10,000', (copies * 1000).toLocaleString('en-US')).replace('5,000', (copies * 500).toLocaleString('en-US')), samples, performance.now() - t0);
  } finally {
    await manager.informers.shutdown();
  }
}
