// Gang benchmarks on the real local control plane:
//  - gate lift (issue 9): a 4-pod gang waits on a private pool of 4 cordoned nodes (its PodGang says
//    Scheduled=False); three nodes are uncordoned, then the fourth, whose PATCH is the change that
//    makes the gang placeable. Measured from sending that PATCH to the bench's watch seeing the last
//    of the gang's pods without any scheduling gate (copse's placement gate is the last one left);
//  - a 64-pod gang packed in one rack (issue 10): PodCliqueSet create → all 64 pods bound, on the
//    cluster's kwok nodes, with the backend that held the gang and the racks the pods landed in.
import { performance } from 'node:perf_hooks';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_PART_OF } from '../../api/keys.js';
import { recordedBackend } from '../../api/native/index.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { readyForPlacement } from '../../scheduler/placement-gate.js';
import { createPool } from '../support/pool.js';
import { withNamespace } from './controllers.js';
import { NamespaceWatch, until } from './watch.js';

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const TIMEOUT_MS = 10 * 60_000;
const RACK_KEY = 'topology.copse.io/rack';

/** A one-clique PodCliqueSet whose whole clique is the gang's minimum. */
export function gangPcs(name: string, namespace: string, pods: number, requests: Record<string, string>, packRequired?: string): PodCliqueSet {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      template: {
        ...(packRequired ? { topologyConstraint: { topologyName: 'grove-topology', pack: { required: packRequired } } } : {}),
        cliques: [
          {
            name: 'worker',
            spec: {
              roleName: 'worker',
              replicas: pods,
              minAvailable: pods,
              podSpec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'worker', image: 'busybox', resources: { requests } }] },
            },
          },
        ],
      },
    },
  } as PodCliqueSet;
}

function podsOf(watch: NamespaceWatch, pcs: string): string[] {
  return watch.pods.store
    .list()
    .filter((p) => p.metadata?.labels?.[LABEL_PART_OF] === pcs)
    .map((p) => p.metadata?.name ?? '');
}

/** Gate-lift latencies in ms, one per gang. */
/** Gate-lift samples, ms: from the node being schedulable in copse's watch, and from the uncordon PATCH. */
export interface GateLiftSamples {
  fromSchedulable: number[];
  fromPatch: number[];
}

/** Taints kube-controller-manager puts on and takes off nodes (unschedulable, not-ready, ...). */
const LIFECYCLE_TAINT_PREFIX = 'node.kubernetes.io/';

/**
 * When `node` is schedulable as kube-scheduler and the planner judge it: not cordoned, and without the
 * node lifecycle taints kube-controller-manager removes some time after the change that ends them
 * (unschedulable after an uncordon, not-ready after a new node's first Ready: 0.1 to 3 s on the loaded
 * 2-core machine). Polled at 5 ms.
 */
async function schedulableAt(client: DynamicClient, node: string): Promise<number> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const n = await client.get(RESOURCES.nodes, node);
    const taints = (n.spec?.taints ?? []).filter((t) => t.key.startsWith(LIFECYCLE_TAINT_PREFIX)).map((t) => t.key);
    if (!n.spec?.unschedulable && taints.length === 0) return performance.now();
    if (performance.now() > deadline) throw new Error(`bench: ${node} still cordoned or tainted (${taints.join(', ')}) after ${TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function benchGateLift(client: DynamicClient, gangs: number): Promise<GateLiftSamples> {
  const pool = await createPool(client, `bench-lift-${Math.random().toString(16).slice(2, 6)}`, { racksPerBlock: 1, hostsPerRack: 4, memory: '100Mi' });
  const samples: GateLiftSamples = { fromSchedulable: [], fromPatch: [] };
  try {
    await pool.cordon(pool.nodes);
    await withNamespace(client, 'bench-lift', async (ns) => {
      const watch = new NamespaceWatch(client, ns);
      await watch.start();
      try {
        for (let i = 0; i < gangs; i++) {
          const name = `lift-${i}`;
          // One pod per node (80Mi of 100Mi), so the gang needs all four nodes.
          const pcs = pool.adapt(gangPcs(name, ns, 4, { memory: '80Mi' }) as unknown as Record<string, unknown>) as unknown as PodCliqueSet;
          await client.create(RESOURCES.podCliqueSets, pcs);
          // Waiting for room only: every pod has nothing but copse's placement gate left (Grove's gate
          // is off, the PodGang complete) and the planner has said why it cannot place the gang.
          await until(`${ns}/${name}: 4 pods waiting for room only`, () => {
            const gang = watch.gangs.store.list().find((g) => g.metadata?.name === `${name}-0`);
            const waiting = gang?.status?.conditions?.some((c) => c.type === 'Scheduled' && c.status === 'False');
            const pods = watch.pods.store.list().filter((p) => p.metadata?.labels?.[LABEL_PART_OF] === name);
            return pods.length === 4 && pods.every(readyForPlacement) && waiting === true;
          }, TIMEOUT_MS);
          const last = pool.nodes.at(-1) ?? '';
          await pool.uncordon(pool.nodes.slice(0, -1));
          // Those three untainted too, so that the fourth is the one change that makes the gang placeable.
          for (const n of pool.nodes.slice(0, -1)) await schedulableAt(client, n);
          // Let the planner see the first three and still find no room.
          await new Promise((r) => setTimeout(r, 500));
          const t0 = performance.now();
          await pool.uncordon([last]);
          const tSchedulable = await schedulableAt(client, last);
          const tLifted = await until(`${ns}/${name}: every gate lifted`, () => {
            const names = podsOf(watch, name);
            return names.length === 4 && names.every((n) => watch.times.get(n)?.released !== undefined);
          }, TIMEOUT_MS, 5);
          // The watch's own arrival times, not the polling loop's: the last pod's event is when all were seen.
          const lifted = Math.max(...podsOf(watch, name).map((n) => watch.times.get(n)?.released ?? tLifted));
          // The planner cannot act before the taint is gone, but may see both changes before this poll does.
          samples.fromSchedulable.push(Math.max(0, lifted - tSchedulable));
          samples.fromPatch.push(lifted - t0);
          log(`gate lift ${i + 1}/${gangs}: ${(lifted - tSchedulable).toFixed(0)} ms after the node was schedulable, ${(lifted - t0).toFixed(0)} ms after the uncordon PATCH`);
          await client.delete(RESOURCES.podCliqueSets, name, ns);
          await until(`${ns}/${name}: pods gone`, () => podsOf(watch, name).length === 0, TIMEOUT_MS, 50);
          await pool.cordon(pool.nodes);
        }
      } finally {
        await watch.stop();
      }
    });
  } finally {
    await pool.cleanup();
  }
  return samples;
}

export interface RackGangRun {
  pods: number;
  /** PodCliqueSet create → every pod of the gang bound. */
  boundMs: number;
  /** PodCliqueSet create → every pod of the gang exists. */
  createdMs: number;
  /** PodCliqueSet create → the last scheduling gate lifted. */
  releasedMs: number;
  /** PodCliqueSet create → the first pod bound. */
  firstBoundMs: number;
  /** The backend the gang's PodGang records (`scheduling.copse.io/backend`), extender when none. */
  heldBy: string;
  /** The racks the pods were bound in (one when packing held). */
  racks: string[];
}

/** One 64-pod (or `pods`-pod) gang with a required rack pack on the cluster's nodes. */
export async function benchRackGang(client: DynamicClient, pods: number): Promise<RackGangRun> {
  return withNamespace(client, 'bench-rack', async (ns) => {
    const watch = new NamespaceWatch(client, ns);
    await watch.start();
    try {
      const name = 'rack-gang';
      const t0 = performance.now();
      await client.create(RESOURCES.podCliqueSets, gangPcs(name, ns, pods, { cpu: '1', memory: '1Gi' }, 'rack'));
      const tCreated = await until(`${ns}: ${pods} pods`, () => podsOf(watch, name).length === pods, TIMEOUT_MS, 10);
      await until(`${ns}: ${pods} pods bound`, () => podsOf(watch, name).every((n) => watch.times.get(n)?.bound !== undefined), TIMEOUT_MS, 10);
      const boundAt = Math.max(...podsOf(watch, name).map((n) => watch.times.get(n)?.bound ?? 0));
      // The last gate lift (copse's part: placement or the native objects) and the first binding
      // (kube-scheduler's part starts here).
      const releasedAt = Math.max(...podsOf(watch, name).map((n) => watch.times.get(n)?.released ?? 0));
      const firstBoundAt = Math.min(...podsOf(watch, name).map((n) => watch.times.get(n)?.bound ?? Infinity));
      const nodes = new Set(watch.pods.store.list().map((p) => p.spec?.nodeName ?? ''));
      const racks = new Set<string>();
      for (const n of nodes) racks.add((await client.get(RESOURCES.nodes, n)).metadata?.labels?.[RACK_KEY] ?? '?');
      const gang = watch.gangs.store.list()[0];
      const run: RackGangRun = {
        pods,
        boundMs: Math.round(boundAt - t0),
        createdMs: Math.round(tCreated - t0),
        releasedMs: Math.round(releasedAt - t0),
        firstBoundMs: Math.round(firstBoundAt - t0),
        heldBy: (gang && recordedBackend(gang)?.backend) ?? 'extender',
        racks: [...racks].sort(),
      };
      const sec = (ms: number) => (ms / 1000).toFixed(2);
      log(`rack gang: ${pods} pods bound after ${sec(run.boundMs)} s (all created ${sec(run.createdMs)}, all gates lifted ${sec(run.releasedMs)}, first bound ${sec(run.firstBoundMs)}) by ${run.heldBy}, racks ${run.racks.join(', ')}`);
      await client.delete(RESOURCES.podCliqueSets, name, ns);
      await until(`${ns}: pods gone`, () => watch.pods.store.size === 0, TIMEOUT_MS, 50);
      return run;
    } finally {
      await watch.stop();
    }
  });
}
