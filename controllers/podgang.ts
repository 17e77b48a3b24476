// PodGang references and status (grove-compat §4.6, fixing §10.11): the PodCliqueSet controller
// builds each gang's structure; this controller keeps its podReferences equal to its pods (so a new
// pod's gate lifts after one small write to its own gang) and fills its status as the pods are
// created, scheduled and become ready: phase Pending → Starting → Running and the Initialized,
// Scheduled and Ready conditions.
import type { Logger } from 'pino';
import type { PodGang } from '../api/index.js';
import { gangPodReferences } from '../api/desired/index.js';
import { LABEL_PART_OF } from '../api/keys.js';
import { podGangStatus, statusChanged, type PendingReason } from '../api/status/index.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import { keyOf } from './runtime/store.js';
import { type ControllerContext, INDEX_PODGANG } from './context.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';
import { WritePacer } from './runtime/pacer.js';
import { UnseenWrites } from './runtime/unseen-writes.js';

/** Where a scheduler backend (the extender's planner, later) says why a gang waits. */
export type PendingReasons = (gang: PodGang) => PendingReason | undefined;

/** How long a new pod's gang waits for the rest of its PodClique's batch before patching podReferences. */
export const POD_REFERENCES_SETTLE_MS = 100;

/** The least time between two status writes of one gang (see runtime/pacer.ts). */
export const PODGANG_STATUS_INTERVAL_MS = 1_000;

export class PodGangReconciler implements Reconciler {
  private readonly unseen = new UnseenWrites();
  private readonly pacer = new WritePacer(PODGANG_STATUS_INTERVAL_MS);

  constructor(
    private readonly ctx: ControllerContext,
    private readonly pendingReason: PendingReasons = () => undefined,
  ) {}

  /** The informer saw this version of a gang (called for every gang event, before the key is queued). */
  observed(gang: PodGang): void {
    this.unseen.observe(keyOf(gang), gang.metadata.resourceVersion);
  }

  async reconcile(key: string, _log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, client } = this.ctx;
    const gang = informers.podGangs.store.get(key);
    if (!gang || gang.metadata.deletionTimestamp) {
      this.unseen.forget(key);
      this.pacer.forget(key);
      return;
    }
    // A gang of a PodCliqueSet that is going goes with it (garbage collection): following its pods
    // out would be a write per gang for nothing.
    const owner = gang.metadata.labels?.[LABEL_PART_OF];
    const pcs = owner ? informers.pcs.store.getByName(gang.metadata.namespace, owner) : undefined;
    if (owner && (!pcs || pcs.metadata.deletionTimestamp)) return;
    // Our last write is not in the cache yet: the event that brings it requeues the gang. A write the
    // server answered with the version the cache already holds (a no-op) brings no event: it is seen.
    this.unseen.observe(key, gang.metadata.resourceVersion);
    const unseen = this.unseen.waitMs(key);
    if (unseen > 0) return { requeueAfterMs: unseen };
    const ix = objectKey(gang.metadata.namespace, gang.metadata.name ?? '');
    const pods = informers.pods.store.byIndex(INDEX_PODGANG, ix);
    const podgroups = gangPodReferences(gang, pods);
    if (podgroups !== gang.spec.podgroups) {
      // The whole list (a merge patch replaces lists), guarded by the resourceVersion it was read at:
      // a PodCliqueSet pass that changed the gang's structure meanwhile makes this a conflict and a
      // retry from the fresh gang, never a lost update. The status follows on the gang's next event.
      const written = await client.patch(
        RESOURCES.podGangs,
        gang.metadata.name ?? '',
        gang.metadata.namespace,
        { metadata: { resourceVersion: gang.metadata.resourceVersion }, spec: { podgroups } },
        // The release lane: this write is what lets the gang's pods go to the scheduler (gates.ts).
        { signal, priority: 'release' },
      );
      this.unseen.record(key, written.metadata.resourceVersion);
      return;
    }
    const reason = this.pendingReason(gang);
    const status = podGangStatus({
      podGang: gang,
      pods,
      pclqs: informers.pclq.store.byIndex(INDEX_PODGANG, ix),
      ...(reason ? { pendingReason: reason } : {}),
      now: this.ctx.now().toISOString(),
    });
    if (!statusChanged(gang.status, status)) return;
    const paced = this.pacer.waitMs(key);
    if (paced > 0) return { requeueAfterMs: paced };
    const written = await client.applyStatus(
      RESOURCES.podGangs,
      { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: gang.metadata.name, namespace: gang.metadata.namespace }, status } as PodGang,
      { signal },
    );
    this.pacer.wrote(key);
    this.unseen.record(key, written.metadata.resourceVersion);
  }
}
