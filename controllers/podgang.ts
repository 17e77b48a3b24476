// PodGang status (grove-compat §4.6, fixing §10.11): the PodCliqueSet controller owns each gang's
// spec; this controller fills its status as its pods are created, scheduled and become ready:
// phase Pending → Starting → Running and the Initialized, Scheduled and Ready conditions.
import type { Logger } from 'pino';
import type { PodGang } from '../api/index.js';
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
    const reason = this.pendingReason(gang);
    const status = podGangStatus({
      podGang: gang,
      pods: informers.pods.store.byIndex(INDEX_PODGANG, ix),
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
