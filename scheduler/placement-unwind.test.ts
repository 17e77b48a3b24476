// The placement controller's unwinding of a partly bound gang (scheduler/partial-gang.ts), on
// informers fed from memory: one node with room for one 80Mi pod, a gang of two whose first pod is
// bound there and whose second (recreated after its reservation expired) finds no room.
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../api/core/wire.js';
import type { PodClique, PodGang } from '../api/generated/types.js';
import { LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG } from '../api/keys.js';
import { Manager } from '../controllers/runtime/manager.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { silentLog } from '../test/support/controller-harness.js';
import { type Write, memoryClient } from '../test/support/memory-client.js';
import { PendingReasons, PlacementReconciler } from './placement.js';
import { PLACEMENT_GATE } from './placement-gate.js';
import { NodeUsage } from './usage.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const gang: PodGang = {
  apiVersion: 'scheduler.grove.io/v1alpha1',
  kind: 'PodGang',
  metadata: { name: 'w-0', namespace: 'ns', creationTimestamp: at(0), labels: { [LABEL_PART_OF]: 'w' } },
  spec: { podgroups: [{ name: 'w-0-a', podReferences: [{ namespace: 'ns', name: 'w-0-a-0' }, { namespace: 'ns', name: 'w-0-a-1' }], minReplicas: 2 }] },
} as PodGang;

function pod(name: string, o: { node?: string; createdAt: number }): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: at(o.createdAt), labels: { [LABEL_PART_OF]: 'w', [LABEL_PODGANG]: 'w-0', [LABEL_PODCLIQUE]: 'w-0-a' } },
    spec: {
      containers: [{ name: 'c', resources: { requests: { memory: '80Mi' } } }],
      ...(o.node ? { nodeName: o.node } : { schedulingGates: [{ name: PLACEMENT_GATE }] }),
    },
    status: o.node ? { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(o.createdAt + 1) }] } : { phase: 'Pending' },
  };
}

const node: Node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, status: { allocatable: { memory: '100Mi', cpu: '4', pods: '110' } } };
const clique = (everAvailable: boolean): PodClique =>
  ({
    metadata: { name: 'w-0-a', namespace: 'ns' },
    spec: { roleName: 'a', replicas: 2, podSpec: { containers: [] } },
    status: everAvailable ? { conditions: [{ type: 'copse.io/EverAvailable', status: 'True', reason: 'MinAvailableReached', message: '', lastTransitionTime: at(0) }] } : {},
  }) as unknown as PodClique;

const started: Manager[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.informers.shutdown()));
});

async function reconcileAt(nowS: number, everAvailable = false): Promise<{ writes: Write[]; result: unknown }> {
  const objects = new Map<string, readonly ObjectLike[]>([
    [RESOURCES.pods.resource, [pod('w-0-a-0', { node: 'n1', createdAt: 0 }), pod('w-0-a-1', { createdAt: 40 })]],
    [RESOURCES.nodes.resource, [node]],
    [RESOURCES.podGangs.resource, [gang]],
    [RESOURCES.podCliques.resource, [clique(everAvailable)]],
  ]);
  const writes: Write[] = [];
  const manager = new Manager({ client: memoryClient(objects, writes), log: silentLog });
  started.push(manager);
  const f = manager.informers;
  const reconciler = new PlacementReconciler(
    {
      client: f.client,
      pods: f.informer<Pod>(RESOURCES.pods),
      nodes: f.informer<Node>(RESOURCES.nodes),
      podGangs: f.informer<PodGang>(RESOURCES.podGangs),
      pcs: f.informer(RESOURCES.podCliqueSets),
      topologies: f.informer(RESOURCES.clusterTopologyBindings),
      podCliques: f.informer<PodClique>(RESOURCES.podCliques),
      usage: new NodeUsage(),
      events: manager.events,
      onPendingReason: () => {},
      reservationTimeoutMs: 30_000,
      partialGangTimeoutMs: 60_000,
      now: () => new Date(T0 + nowS * 1000),
    },
    new PendingReasons(),
  );
  f.start();
  await f.waitForSync();
  const result = await reconciler.reconcile('placement', silentLog, new AbortController().signal);
  return { writes, result };
}

const podDeletes = (writes: Write[]) => writes.filter((w) => w.verb === 'delete' && w.kind === 'Pod').map((w) => w.name);

describe('placement: a partly bound gang with no room for the rest', () => {
  it('keeps its bound pod until the timeout, and looks again when it runs out', async () => {
    const { writes, result } = await reconcileAt(71);
    expect(podDeletes(writes)).toEqual([]);
    // 60 s from the latest change (the second pod's creation at 40 s): 29 s to go.
    expect(result).toEqual({ requeueAfterMs: 29_000 });
  });

  it('then deletes the bound pod, so the whole gang waits and is placed again as one', async () => {
    const { writes } = await reconcileAt(101);
    expect(podDeletes(writes)).toEqual(['w-0-a-0']);
    expect(writes.filter((w) => w.verb === 'patch' && w.kind === 'Pod')).toEqual([]);
  });

  it('never unwinds a gang whose PodClique has run (gang termination decides that)', async () => {
    const { writes, result } = await reconcileAt(500, true);
    expect(podDeletes(writes)).toEqual([]);
    expect(result).toBeUndefined();
  });
});
