// Force-deletes a PodClique's pods stuck terminating on a lost node (grove#401; the bounded policy
// and its reasons are in api/status/stuck-pods.ts). Called by the PodClique controller on every pass.
import type { Logger } from 'pino';
import type { Pod } from '../api/core/wire.js';
import type { PodClique } from '../api/index.js';
import { stuckTerminatingPods } from '../api/status/index.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES } from '../kube/resources.js';
import type { ControllerContext } from './context.js';
import { recordStatusEvents } from './status-events.js';

export const EVENT_STUCK_POD_FORCE_DELETED = 'StuckPodForceDeleted';

/** Returns when to look again (the next terminating pod's bound), if any. */
export async function forceDeleteStuckPods(ctx: ControllerContext, pclq: PodClique, pods: readonly Pod[], log: Logger, signal: AbortSignal): Promise<number | undefined> {
  const nodes = ctx.informers.nodes.store;
  const ready = (name: string): boolean | undefined => {
    const n = nodes.getByName(undefined, name);
    return n ? n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true : undefined;
  };
  const d = stuckTerminatingPods(pods, ready, ctx.now().getTime());
  for (const { pod, reason } of d.forceDelete) {
    try {
      await ctx.client.delete(RESOURCES.pods, pod.metadata?.name ?? '', pod.metadata?.namespace, { uid: pod.metadata?.uid, gracePeriodSeconds: 0, signal });
    } catch (err) {
      // Replaced or already gone meanwhile: nothing is stuck any more.
      if (err instanceof KubeError && err.kind === 'Conflict') continue;
      throw err;
    }
    log.warn({ pod: pod.metadata?.name, node: pod.spec?.nodeName }, 'force-deleted a pod stuck terminating');
    recordStatusEvents(ctx.events, pclq, 'PodClique', [{ type: 'Warning', reason: EVENT_STUCK_POD_FORCE_DELETED, message: reason }]);
  }
  return d.requeueAfterMs;
}
