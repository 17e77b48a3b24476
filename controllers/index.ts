// Wires copse's controllers into a Manager: which informer events wake which controller. Every
// handler only maps an object to keys and queues them; the reconcilers read the world from the
// caches (level-triggered), so a lost or coalesced event costs nothing but a little latency.
import type { Logger } from 'pino';
import type { Pod } from '../api/core/wire.js';
import { LABEL_BASE_PODGANG, LABEL_PODGANG } from '../api/keys.js';
import { topologyNameOf } from '../api/desired/topology.js';
import type { PodClique } from '../api/index.js';
import { objectKey } from '../kube/resources.js';
import { type ControllerConfig, type ControllerContext, INDEX_PART_OF, type Informers, controllerInformers, newExpectations, ownerKeyOf, pcsKeyOf } from './context.js';
import { registerClusterTopologyController } from './clustertopology.js';
import { registerDynamoController } from './dynamo.js';
import { gangTerminationDeletionsKey } from './gang-termination.js';
import { GateReconciler } from './gates.js';
import { PodCliqueReconciler, podCliqueKeyOfPod } from './podclique.js';
import { PodCliqueSetReconciler } from './podcliqueset.js';
import { POD_REFERENCES_SETTLE_MS, PodGangReconciler, type PendingReasons } from './podgang.js';
import { Controller } from './runtime/controller.js';
import type { EventHandler } from './runtime/informer.js';
import type { Manager } from './runtime/manager.js';
import { keyOf, byLabel } from './runtime/store.js';
import { ScalingGroupReconciler } from './scalinggroup.js';
import { scalingGroupDeletionsKey } from './rollout.js';
import type { PodCliqueSet } from '../api/index.js';
import { jsonEqual } from '../api/json.js';

/** Whether the PodCliqueSet's rollout moved: another generation hash or other replicas being updated. */
function rolloutChanged(old: PodCliqueSet, pcs: PodCliqueSet): boolean {
  return (
    old.status?.currentGenerationHash !== pcs.status?.currentGenerationHash ||
    !jsonEqual(old.status?.updateProgress?.currentlyUpdating ?? null, pcs.status?.updateProgress?.currentlyUpdating ?? null)
  );
}

export type { ControllerConfig } from './context.js';

export interface CopseControllers {
  context: ControllerContext;
  podCliqueSet: Controller;
  podClique: Controller;
  scalingGroup: Controller;
  podGang: Controller;
  /** Releases Grove's gate (controllers/gates.ts). */
  gates: Controller;
  /** Backend topologies (KAI's, when its CRD is installed) and the binding's drift status. */
  clusterTopology: Controller;
  /** Present when the DynamoGraphDeployment CRD is served (registerControllers' `dynamo`). */
  dynamo?: Controller;
}

const INDEX_BASE_PODGANG = 'base-podgang';

/** Calls `fn` for add, for update and for delete alike. */
function onAny<T>(fn: (obj: T) => void): EventHandler<T> {
  return { add: fn, update: (_o, n) => fn(n), delete: fn };
}

/**
 * The scaling groups of PodCliqueSet `pcsKey`. They render their member PodCliques from the
 * PodCliqueSet's template, so a template edit (a clique's `replicas`, grove-compat §10.12) must reach
 * them although the groups themselves do not change.
 */
export function scalingGroupKeysOf(informers: Pick<Informers, 'pcsg'>, pcsKey: string): string[] {
  return informers.pcsg.store.byIndex(INDEX_PART_OF, pcsKey).map((g) => keyOf(g));
}

/**
 * The PodCliqueSets a ClusterTopologyBinding change concerns: those that name it anywhere (the
 * PodCliqueSet, a scaling group or a clique, `topologyNameOf`), not only on the PodCliqueSet itself.
 */
export function podCliqueSetKeysUsing(informers: Pick<Informers, 'pcs'>, bindingName: string | undefined): string[] {
  return informers.pcs.store.list().flatMap((pcs) => (bindingName !== undefined && topologyNameOf(pcs) === bindingName ? [keyOf(pcs)] : []));
}

export function registerControllers(manager: Manager, config: ControllerConfig, log: Logger, opts: { pendingReasons?: PendingReasons; dynamo?: boolean } = {}): CopseControllers {
  const informers: Informers = controllerInformers(manager.informers);
  informers.pclq.store.addIndex(INDEX_BASE_PODGANG, byLabel(LABEL_BASE_PODGANG));
  const context: ControllerContext = {
    client: manager.informers.client,
    informers,
    expectations: newExpectations(),
    events: manager.events,
    config,
    log,
    now: () => new Date(),
  };
  const keys = (inf: { store: { keys(): string[] } }) => () => inf.store.keys();
  const podCliqueSet = new Controller(new PodCliqueSetReconciler(context), { name: 'podcliqueset', concurrency: config.concurrency.podCliqueSet, initialKeys: keys(informers.pcs), log });
  const podClique = new Controller(new PodCliqueReconciler(context), { name: 'podclique', concurrency: config.concurrency.podClique, initialKeys: keys(informers.pclq), log });
  const scalingGroup = new Controller(new ScalingGroupReconciler(context), { name: 'podcliquescalinggroup', concurrency: config.concurrency.scalingGroup, initialKeys: keys(informers.pcsg), log });
  const podGangReconciler = new PodGangReconciler(context, opts.pendingReasons);
  const podGang = new Controller(podGangReconciler, { name: 'podgang', concurrency: config.concurrency.podGang, initialKeys: keys(informers.podGangs), log });
  const gates = new Controller(new GateReconciler(context), { name: 'gates', concurrency: config.concurrency.gates, initialKeys: keys(informers.pclq), log });
  for (const c of [podCliqueSet, podClique, scalingGroup, podGang, gates]) manager.add(c);

  const toPcs = (o: Parameters<typeof pcsKeyOf>[0]) => {
    const k = pcsKeyOf(o);
    if (k) podCliqueSet.enqueue(k);
  };
  const gangKeyOf = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
    const g = o.metadata?.labels?.[LABEL_PODGANG];
    return g ? objectKey(o.metadata?.namespace, g) : undefined;
  };

  informers.pcs.on({
    ...onAny((pcs) => {
      podCliqueSet.enqueue(keyOf(pcs));
      for (const k of scalingGroupKeysOf(informers, keyOf(pcs))) scalingGroup.enqueue(k);
    }),
    update: (old, pcs) => {
      podCliqueSet.enqueue(keyOf(pcs));
      for (const k of scalingGroupKeysOf(informers, keyOf(pcs))) scalingGroup.enqueue(k);
      // A rollout step (a new hash, another replica to update) is the PodCliques' cue (§4.1).
      if (rolloutChanged(old, pcs)) for (const pclq of informers.pclq.store.byIndex(INDEX_PART_OF, keyOf(pcs))) podClique.enqueue(keyOf(pclq));
    },
  });
  informers.pcsg.on(
    onAny((pcsg) => {
      scalingGroup.enqueue(keyOf(pcsg));
      toPcs(pcsg);
    }),
  );
  const memberGone = (pclq: PodClique) => {
    const owner = ownerKeyOf(pclq, 'PodCliqueScalingGroup');
    if (owner) context.expectations.deletionObserved(scalingGroupDeletionsKey(owner), pclq.metadata.uid ?? '');
  };
  informers.pclq.on({ delete: memberGone });
  // A recycle's delete is seen once the PodClique shows its deletionTimestamp (it has a finalizer) or is gone.
  const recycledSeen = (pclq: PodClique) => {
    const k = pcsKeyOf(pclq);
    if (k) context.expectations.deletionObserved(gangTerminationDeletionsKey(k), pclq.metadata.uid ?? '');
  };
  informers.pclq.on({
    update: (old: PodClique, pclq: PodClique) => {
      if (!old.metadata.deletionTimestamp && pclq.metadata.deletionTimestamp) recycledSeen(pclq);
    },
    delete: recycledSeen,
  });
  informers.pclq.on({
    ...onAny((pclq: PodClique) => {
      podClique.enqueue(keyOf(pclq));
      gates.enqueue(keyOf(pclq));
      toPcs(pclq);
      const owner = ownerKeyOf(pclq, 'PodCliqueScalingGroup');
      if (owner) scalingGroup.enqueue(owner);
      const gang = gangKeyOf(pclq);
      if (gang) podGang.enqueue(gang);
    }),
    update: (old, pclq) => {
      if (!old.metadata.deletionTimestamp && pclq.metadata.deletionTimestamp) memberGone(pclq);
      podClique.enqueue(keyOf(pclq));
      toPcs(pclq);
      const owner = ownerKeyOf(pclq, 'PodCliqueScalingGroup');
      if (owner) scalingGroup.enqueue(owner);
      const gang = gangKeyOf(pclq);
      if (gang) podGang.enqueue(gang);
      // Scaled gangs wait for their base gang to be scheduled (§4.10): wake their PodCliques.
      if (gang && old.status?.scheduledReplicas !== pclq.status?.scheduledReplicas) {
        for (const waiting of informers.pclq.store.byIndex(INDEX_BASE_PODGANG, gang)) {
          podClique.enqueue(keyOf(waiting));
          gates.enqueue(keyOf(waiting));
        }
      }
    },
  });
  informers.podGangs.on(
    onAny((gang) => {
      podGangReconciler.observed(gang);
      podGang.enqueue(keyOf(gang));
      toPcs(gang);
      // New podReferences release gates: wake the gang's PodCliques.
      for (const pclq of informers.pclq.store.byIndex('podgang', keyOf(gang))) {
        podClique.enqueue(keyOf(pclq));
        gates.enqueue(keyOf(pclq));
      }
    }),
  );
  const expectations = context.expectations;
  // Pods reach their PodClique and their gang. The PodCliqueSet reads pods only to retire the legacy
  // token Secret once no pod mounts it, which a pod's going answers: during a deploy a thousand pod
  // events would otherwise each ask for a pass over the whole PodCliqueSet.
  informers.pods.on({
    add: (pod: Pod) => {
      const k = podCliqueKeyOfPod(pod);
      if (k) {
        expectations.creationObserved(k);
        podClique.enqueue(k);
        gates.enqueue(k);
      }
      // A PodClique creates its pods in quick batches: a short settle lets one podReferences patch
      // take in the whole batch instead of one patch per pod.
      const g = gangKeyOf(pod);
      if (g) podGang.enqueueAfter(g, POD_REFERENCES_SETTLE_MS);
    },
    update: (old: Pod, pod: Pod) => {
      const k = podCliqueKeyOfPod(pod);
      if (k) {
        if (!old.metadata?.deletionTimestamp && pod.metadata?.deletionTimestamp) expectations.deletionObserved(k, pod.metadata.uid ?? '');
        podClique.enqueue(k);
      }
      const g = gangKeyOf(pod);
      if (g) podGang.enqueue(g);
    },
    delete: (pod: Pod) => {
      const k = podCliqueKeyOfPod(pod);
      if (k) {
        expectations.deletionObserved(k, pod.metadata?.uid ?? '');
        podClique.enqueue(k);
      }
      toPcs(pod);
      const g = gangKeyOf(pod);
      if (g) podGang.enqueue(g);
    },
  });
  for (const inf of [informers.services, informers.serviceAccounts, informers.roles, informers.roleBindings, informers.secrets, informers.hpas]) {
    (inf as { on(h: EventHandler<Parameters<typeof pcsKeyOf>[0]>): void }).on(onAny(toPcs));
  }
  // A ClusterTopologyBinding change matters to every PodCliqueSet that names it.
  informers.ctbs.on(
    onAny((ctb) => {
      for (const k of podCliqueSetKeysUsing(informers, ctb.metadata.name)) podCliqueSet.enqueue(k);
    }),
  );
  const clusterTopology = registerClusterTopologyController(manager, context, log);
  const dynamo = opts.dynamo ? registerDynamoController(manager, context, log) : undefined;
  return { context, podCliqueSet, podClique, scalingGroup, podGang, gates, clusterTopology, ...(dynamo ? { dynamo } : {}) };
}
