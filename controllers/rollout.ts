// The shell of rolling updates (grove-compat §4.8; decisions in api/update/): reads the caches, asks
// the pure steps what to do, records the decision in status BEFORE deleting anything, then deletes
// through expectations. Recording first means a restart between the two finds the recorded pod or
// group replica and deletes that one, never picks another; expectations mean a cache that has not
// yet seen a delete never leads to a second one.
import type { Logger } from 'pino';
import type { Pod } from '../api/core/wire.js';
import { locatePodClique, locatePodCliqueName } from '../api/desired/template.js';
import { podTemplateHash } from '../api/desired/hash.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../api/index.js';
import { LABEL_PCS_REPLICA_INDEX, LABEL_PCSG } from '../api/keys.js';
import { updatePolicyOf } from '../api/rules/update-policy.js';
import { expectedPodTemplateHashes } from '../api/status/index.js';
import { coherentBlockers } from '../api/update/coherent.js';
import { podCliqueUpdateStep, type PodCliqueUpdateStep } from '../api/update/podclique.js';
import { replicaRolloutStates } from '../api/update/replicas.js';
import { decideRollout, replicasBeingUpdated, type RolloutProgress } from '../api/update/rollout.js';
import { scalingGroupUpdateStep, type ScalingGroupUpdateStep } from '../api/update/scalinggroup.js';
import { RESOURCES, objectKey, type Resource } from '../kube/resources.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { deleteExact } from './apply.js';
import { type ControllerContext, INDEX_PART_OF, forEachLimit } from './context.js';

/** Expectations key of a scaling group's member deletions (PodClique uids). */
export function scalingGroupDeletionsKey(pcsgKey: string): string {
  return `pcsg-members/${pcsgKey}`;
}

/** The rollout's part of the PodCliqueSet's status.updateProgress for this pass. */
export function pcsRollout(ctx: ControllerContext, stored: PodCliqueSet, pcs: PodCliqueSet, hash: string, log: Logger): RolloutProgress {
  const { informers } = ctx;
  const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
  const { policy, errors } = updatePolicyOf(pcs);
  const replicas = replicaRolloutStates({
    pcs,
    pclqs: informers.pclq.store.byIndex(INDEX_PART_OF, ix),
    pcsgs: informers.pcsg.store.byIndex(INDEX_PART_OF, ix),
    pods: informers.pods.store.byIndex(INDEX_PART_OF, ix),
    expectedPodTemplateHashes: expectedPodTemplateHashes(pcs),
    generationHash: hash,
  });
  const d = decideRollout({
    previous: stored.status?.updateProgress,
    previousHash: stored.status?.currentGenerationHash,
    hash,
    policy,
    paused: errors.length > 0,
    replicas,
    now: ctx.now().toISOString(),
  });
  if (d.started.length || d.finished.length) log.info({ started: d.started, finished: d.finished, hash }, 'rolling update: replicas');
  return d.progress;
}

function replicaIndexOf(o: { metadata?: { labels?: Record<string, string> } }): number {
  return Number(o.metadata?.labels?.[LABEL_PCS_REPLICA_INDEX] ?? -1);
}

/** What the PodClique's rolling update decides now, plus whether a coherent update holds its creates. */
export interface PodCliqueRollout {
  step: PodCliqueUpdateStep;
  /** Pods of the replica that still run an outdated template (coherent updates wait for them). */
  holdCreatesFor: string[];
}

/** The template hash the PodCliqueSet wants for a PodClique, by name (memoized per call). */
function expectedHashOf(pcs: PodCliqueSet): (podClique: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (name) => {
    if (!memo.has(name)) {
      const loc = locatePodCliqueName(pcs, name);
      memo.set(name, loc ? podTemplateHash(pcs, loc.clique.name) : undefined);
    }
    return memo.get(name);
  };
}

export function podCliqueRollout(ctx: ControllerContext, pclq: PodClique, pcs: PodCliqueSet, pods: readonly Pod[]): PodCliqueRollout {
  const { policy } = updatePolicyOf(pcs);
  const loc = locatePodClique(pcs, pclq);
  const replica = replicaIndexOf(pclq);
  const updating = replicasBeingUpdated(pcs.status?.updateProgress).has(replica);
  const standalone = pclq.metadata.labels?.[LABEL_PCSG] === undefined;
  const step = loc
    ? podCliqueUpdateStep({
        pclq,
        pods,
        expectedHash: podTemplateHash(pcs, loc.clique.name),
        pcsGenerationHash: pcs.status?.currentGenerationHash,
        strategy: policy.type,
        replicaBeingUpdated: standalone && updating,
        coherent: policy.coherent,
        now: ctx.now().toISOString(),
      })
    : { progress: pclq.status?.updateProgress, inProgress: false, delete: [] };
  let holdCreatesFor: string[] = [];
  if (policy.type === 'RollingRecreate' && policy.coherent && updating) {
    const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
    const replicaPods = ctx.informers.pods.store.byIndex(INDEX_PART_OF, ix).filter((p) => replicaIndexOf(p) === replica);
    const cliques = new Map(ctx.informers.pclq.store.byIndex(INDEX_PART_OF, ix).map((p) => [p.metadata.name ?? '', p]));
    holdCreatesFor = coherentBlockers(replicaPods, cliques, expectedHashOf(pcs));
  }
  return { step, holdCreatesFor };
}

/**
 * Deletes `objs` of `key`'s expectations (by uid), lowering them for deletes that will never be
 * observed; returns the objects the server accepted a delete for. `del` deletes one (default: this
 * incarnation, deleteExact) and says whether it did.
 */
export async function deleteExpected<T extends ObjectLike>(
  ctx: ControllerContext,
  key: string,
  r: Resource,
  objs: readonly T[],
  signal: AbortSignal,
  del: (o: T) => Promise<boolean> = (o) => deleteExact(ctx.client, r, o, signal),
): Promise<T[]> {
  const { expectations } = ctx;
  expectations.expectDeletions(key, objs.map((o) => o.metadata?.uid ?? ''));
  const deleted: T[] = [];
  await forEachLimit(objs, 16, async (o) => {
    const uid = o.metadata?.uid ?? '';
    const accepted = await del(o).catch((err: unknown) => {
      expectations.deletionObserved(key, uid);
      throw err;
    });
    if (accepted) deleted.push(o);
    else expectations.deletionObserved(key, uid);
  });
  return deleted;
}

export function scalingGroupRollout(ctx: ControllerContext, pcsg: PodCliqueScalingGroup, pcs: PodCliqueSet, members: readonly PodClique[]): ScalingGroupUpdateStep {
  const { policy } = updatePolicyOf(pcs);
  return scalingGroupUpdateStep({
    pcsg,
    members,
    expectedPodTemplateHashes: expectedPodTemplateHashes(pcs),
    pcsGenerationHash: pcs.status?.currentGenerationHash,
    strategy: policy.type,
    replicaBeingUpdated: replicasBeingUpdated(pcs.status?.updateProgress).has(replicaIndexOf(pcsg)),
    coherent: policy.coherent,
    now: ctx.now().toISOString(),
  });
}

export { RESOURCES };
