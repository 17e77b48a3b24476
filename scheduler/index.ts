// Gang scheduling through kube-scheduler's extender, wired into a Manager: the node usage index kept
// by informer events, the placement controller (one key: all pending units are planned in one pass),
// and the extender server. Informers are the process's shared ones (controllers/runtime/factory.ts).
import type { Logger } from 'pino';
import type { Node, Pod } from '../api/core/wire.js';
import type { ClusterTopologyBinding, PodClique, PodCliqueSet, PodGang } from '../api/index.js';
import { Controller } from '../controllers/runtime/controller.js';
import type { Manager } from '../controllers/runtime/manager.js';
import { RESOURCES } from '../kube/resources.js';
import { PLACEMENT_KEY, PlacementReconciler, type PendingReasons } from './placement.js';
import { nodeSchedulingChanged, readyForPlacement } from './placement-gate.js';
import { NodeUsage, podKey } from './usage.js';

export { PendingReasons } from './placement.js';
export { withPlacementGate, PLACEMENT_GATE } from './placement-gate.js';

export interface GangScheduling {
  usage: NodeUsage;
  placement: Controller;
  /** True once the pod and node informers have listed (the extender answers only then). */
  synced(): boolean;
  /** Resolves when synced() becomes true. */
  whenSynced(): Promise<void>;
}

export interface GangSchedulingOptions {
  pending: PendingReasons;
  /** Called with `ns/name` of a PodGang whose pending reason changed. */
  onPendingReason: (gangKey: string) => void;
  reservationTimeoutMs?: number;
  /** How long a partly bound gang with no room for the rest keeps its bound part (default 60 s; 0: forever). */
  partialGangTimeoutMs?: number;
  log: Logger;
}

export function registerGangScheduling(manager: Manager, opts: GangSchedulingOptions): GangScheduling {
  const factory = manager.informers;
  const pods = factory.informer<Pod>(RESOURCES.pods);
  const nodes = factory.informer<Node>(RESOURCES.nodes);
  const podGangs = factory.informer<PodGang>(RESOURCES.podGangs);
  const pcs = factory.informer<PodCliqueSet>(RESOURCES.podCliqueSets);
  const topologies = factory.informer<ClusterTopologyBinding>(RESOURCES.clusterTopologyBindings);
  const usage = new NodeUsage();
  const reconciler = new PlacementReconciler(
    {
      client: factory.client.as('copse-scheduler'),
      pods,
      nodes,
      podGangs,
      pcs,
      topologies,
      usage,
      events: manager.events,
      onPendingReason: opts.onPendingReason,
      reservationTimeoutMs: opts.reservationTimeoutMs ?? 30_000,
      podCliques: factory.informer<PodClique>(RESOURCES.podCliques),
      partialGangTimeoutMs: opts.partialGangTimeoutMs ?? 60_000,
      now: () => new Date(),
    },
    opts.pending,
  );
  // One worker: plans are made one after another against one view of free capacity.
  const placement = new Controller(reconciler, { name: 'placement', concurrency: 1, initialKeys: () => [PLACEMENT_KEY], log: opts.log });
  manager.add(placement);
  const wake = (): void => placement.enqueue(PLACEMENT_KEY);

  pods.on({
    add: (p) => {
      usage.setPod(p);
      if (readyForPlacement(p)) wake();
    },
    update: (old, p) => {
      usage.setPod(p);
      // A pod ready for placement, or capacity that moved (bound, finished, released a reservation).
      if (readyForPlacement(p) || old.spec?.nodeName !== p.spec?.nodeName || old.status?.phase !== p.status?.phase) wake();
    },
    delete: (p) => {
      usage.removePod(podKey(p));
      wake();
    },
  });
  nodes.on({
    add: (n) => {
      usage.setNode(n);
      wake();
    },
    update: (old, n) => {
      usage.setNode(n);
      if (nodeSchedulingChanged(old, n)) wake();
    },
    delete: (n) => {
      usage.removeNode(n.metadata?.name ?? '');
      wake();
    },
  });
  return {
    usage,
    placement,
    synced: () => pods.hasSynced() && nodes.hasSynced(),
    whenSynced: async () => {
      await Promise.all([pods.waitForSync(), nodes.waitForSync()]);
    },
  };
}
