// Gang termination, the shell (grove-compat §4.11; decisions in api/status/gang-termination-plan.ts):
// run by the PodCliqueSet controller after its children are synced. For each replica the plan says
// which scaling groups to mark GangTerminationInProgress and which PodCliques to delete; this file does
// exactly that, marks first, then deletes each PodClique by name and uid, and records Grove's events.
// Both PodCliqueSet-replica and scaling-group-replica recycles run here (Grove runs the latter in
// its PCSG controller): one place decides for the whole replica, so the two levels never race.
import type { Logger } from 'pino';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../api/index.js';
import {
  type DesiredCondition,
  EVENT_PCS_REPLICA_DELETE_FAILED,
  EVENT_PCS_REPLICA_DELETE_SUCCESSFUL,
  EVENT_PCSG_REPLICA_DELETE_FAILED,
  EVENT_PCSG_REPLICA_DELETE_SUCCESSFUL,
  conditionStatus,
  gangTerminationInProgressCondition,
  planGangTermination,
  setCondition,
  type ReplicaTerminationPlan,
} from '../api/status/index.js';
import { CONDITION_GANG_TERMINATION_IN_PROGRESS } from '../api/keys.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import { deleteExact } from './apply.js';
import { type ControllerContext, INDEX_PART_OF } from './context.js';
import { deleteExpected } from './rollout.js';
import { recordStatusEvents } from './status-events.js';

const UNSEEN_DELETE_RETRY_MS = 1_000;

export interface GangTerminationPass {
  /** When to look again (the earliest pending deadline). */
  requeueAfterMs: number | undefined;
  /** copse.io/GangTerminationPending for the PodCliqueSet status; undefined: nothing waits. */
  pending: DesiredCondition | undefined;
  /** How many writes (group marks, PodClique deletes) the pass made. */
  writes: number;
}

/**
 * The deletion expectations of a PodCliqueSet's gang terminations. A recycle deletes PodCliques that
 * carry a finalizer, so they stay (terminating) for a while; until the cache shows them terminating
 * it would read them as leftovers of an interrupted recycle, delete them again and report a second
 * recycle that never happened. No recycle decides while a delete of this PodCliqueSet is unseen.
 */
export function gangTerminationDeletionsKey(pcsKey: string): string {
  return `gang-termination/${pcsKey}`;
}

/** Delete this incarnation only; false when it is gone or already replaced (uid precondition failed). */
async function deleteIncarnation(ctx: ControllerContext, pclq: PodClique, signal: AbortSignal): Promise<boolean> {
  try {
    return await deleteExact(ctx.client, RESOURCES.podCliques, pclq, signal);
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'Conflict') return false;
    throw err;
  }
}

/**
 * GangTerminationInProgress=True on a group, with its resourceVersion as a precondition: the
 * condition list is written whole, so a stale copy must never overwrite a newer one (the scaling-group
 * controller's status apply carries the same precondition).
 */
async function markGroup(ctx: ControllerContext, g: PodCliqueScalingGroup, replica: number, signal: AbortSignal): Promise<boolean> {
  if (conditionStatus(g.status?.conditions, CONDITION_GANG_TERMINATION_IN_PROGRESS) === 'True') return false;
  const conditions = setCondition(g.status?.conditions, gangTerminationInProgressCondition(replica), {
    observedGeneration: g.metadata.generation,
    now: ctx.now().toISOString(),
  });
  await ctx.client.patch(
    RESOURCES.podCliqueScalingGroups,
    g.metadata.name ?? '',
    g.metadata.namespace,
    { metadata: { resourceVersion: g.metadata.resourceVersion }, status: { conditions } },
    { subresource: 'status', signal },
  );
  return true;
}

function describe(plan: ReplicaTerminationPlan, deleted: readonly string[]): { reason: string; failed: string; message: string } {
  const what = `${deleted.length} PodCliques (${deleted.join(', ')})`;
  switch (plan.action?.kind) {
    case 'group-replicas': {
      const reps = plan.action.replicas.map((r) => `${r.group} replica ${r.replica}`).join(', ');
      return {
        reason: EVENT_PCSG_REPLICA_DELETE_SUCCESSFUL,
        failed: EVENT_PCSG_REPLICA_DELETE_FAILED,
        message: `Gang termination of ${reps} after terminationDelay: deleted ${what}; they are recreated`,
      };
    }
    case 'resume':
      return {
        reason: EVENT_PCS_REPLICA_DELETE_SUCCESSFUL,
        failed: EVENT_PCS_REPLICA_DELETE_FAILED,
        message: `Finished the interrupted gang termination of replica ${plan.replica}: deleted ${what}; they are recreated`,
      };
    default:
      return {
        reason: EVENT_PCS_REPLICA_DELETE_SUCCESSFUL,
        failed: EVENT_PCS_REPLICA_DELETE_FAILED,
        message: `Gang termination of replica ${plan.replica} after terminationDelay: deleted ${what}; they are recreated`,
      };
  }
}

/** Carries out one replica's plan; returns how many writes it made. */
async function execute(ctx: ControllerContext, stored: PodCliqueSet, plan: ReplicaTerminationPlan, key: string, log: Logger, signal: AbortSignal): Promise<number> {
  const pcsObj = { ...stored, apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet' };
  try {
    let marked = 0;
    for (const g of plan.markGroups) if (await markGroup(ctx, g, plan.replica, signal)) marked++;
    const accepted = await deleteExpected(ctx, key, RESOURCES.podCliques, plan.deletePodCliques, signal, (p) => deleteIncarnation(ctx, p, signal));
    const deleted = accepted.map((p) => p.metadata.name ?? '').sort();
    if (deleted.length === 0) return marked;
    const d = describe(plan, deleted);
    // Which incarnation (uid) breached since when: a recycle can be traced to the exact conditions it read.
    log.info({ replica: plan.replica, action: plan.action?.kind, deleted, evidence: plan.evidence }, 'gang termination');
    recordStatusEvents(ctx.events, pcsObj, 'PodCliqueSet', [{ type: 'Normal', reason: d.reason, message: d.message }]);
    return marked + deleted.length;
  } catch (err) {
    if (signal.aborted || (err instanceof KubeError && err.kind === 'Conflict')) throw err;
    const d = describe(plan, []);
    const why = err instanceof Error ? err.message : String(err);
    recordStatusEvents(ctx.events, pcsObj, 'PodCliqueSet', [{ type: 'Warning', reason: d.failed, message: `Gang termination of replica ${plan.replica} failed: ${why}` }]);
    throw err;
  }
}

/** One gang-termination pass over a PodCliqueSet (`pcs` defaulted, `stored` as cached). */
export async function runGangTermination(ctx: ControllerContext, stored: PodCliqueSet, pcs: PodCliqueSet, log: Logger, signal: AbortSignal): Promise<GangTerminationPass> {
  const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
  const plan = planGangTermination(pcs, ctx.informers.pclq.store.byIndex(INDEX_PART_OF, ix), ctx.informers.pcsg.store.byIndex(INDEX_PART_OF, ix), ctx.now().getTime());
  const key = gangTerminationDeletionsKey(ix);
  if (!ctx.expectations.satisfied(key)) {
    // The informer's event for each delete wakes this PodCliqueSet; the requeue is the fallback.
    return { requeueAfterMs: Math.min(plan.requeueAfterMs ?? UNSEEN_DELETE_RETRY_MS, UNSEEN_DELETE_RETRY_MS), pending: plan.pending, writes: 0 };
  }
  let writes = 0;
  for (const r of plan.replicas) {
    if (r.deletePodCliques.length > 0 || r.markGroups.length > 0) writes += await execute(ctx, stored, r, key, log, signal);
  }
  return { requeueAfterMs: plan.requeueAfterMs, pending: plan.pending, writes };
}
