// PodGang references and status (grove-compat §4.6, fixing §10.11): the PodCliqueSet controller
// builds each gang's structure; this controller keeps its podReferences equal to its pods (so a new
// pod's gate lifts after one small write to its own gang) and fills its status as the pods are
// created, scheduled and become ready: phase Pending → Starting → Running and the Initialized,
// Scheduled and Ready conditions.
import type { Logger } from 'pino';
import type { PodGang } from '../api/index.js';
import { gangPodReferences } from '../api/desired/index.js';
import { podGangStatus, statusChanged, type PendingReason } from '../api/status/index.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import { type ControllerContext, INDEX_PODGANG } from './context.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';

/** Where a scheduler backend (the extender's planner, later) says why a gang waits. */
export type PendingReasons = (gang: PodGang) => PendingReason | undefined;

export class PodGangReconciler implements Reconciler {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly pendingReason: PendingReasons = () => undefined,
  ) {}

  async reconcile(key: string, _log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, client } = this.ctx;
    const gang = informers.podGangs.store.get(key);
    if (!gang || gang.metadata.deletionTimestamp) return;
    const ix = objectKey(gang.metadata.namespace, gang.metadata.name ?? '');
    const pods = informers.pods.store.byIndex(INDEX_PODGANG, ix);
    const podgroups = gangPodReferences(gang, pods);
    if (podgroups !== gang.spec.podgroups) {
      // The whole list (a merge patch replaces lists), guarded by the resourceVersion it was read at:
      // a PodCliqueSet pass that changed the gang's structure meanwhile makes this a conflict and a
      // retry from the fresh gang, never a lost update. The status follows on the gang's next event.
      await client.patch(
        RESOURCES.podGangs,
        gang.metadata.name ?? '',
        gang.metadata.namespace,
        { metadata: { resourceVersion: gang.metadata.resourceVersion }, spec: { podgroups } },
        { signal },
      );
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
    await client.applyStatus(
      RESOURCES.podGangs,
      { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: gang.metadata.name, namespace: gang.metadata.namespace }, status } as PodGang,
      { signal },
    );
  }
}
