// The PodClique controller (grove-compat §4.5, §4.9): keeps `spec.replicas` pods and reports status.
// Releasing the `grove.io/podgang-pending-creation` gate (§4.10) is controllers/gates.ts.
// Pod creates and deletes go through expectations, so a cache that has not yet seen the last
// writes never leads to a second round of creates or deletes.
import type { Logger } from 'pino';
import type { Pod } from '../api/core/wire.js';
import { BackendNotReadyError, desiredPodsToCreate, isActivePod, scaleInVictims, slowStartBatches } from '../api/desired/index.js';
import type { PodClique, PodCliqueSet } from '../api/index.js';
import { FINALIZER_PODCLIQUE, LABEL_PART_OF, LABEL_PODCLIQUE } from '../api/keys.js';
import { podCliqueStatus, statusChanged, targetPodTemplateHash } from '../api/status/index.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES, objectKey, splitKey } from '../kube/resources.js';
import { deleteExact } from './apply.js';
import { type ControllerContext, forEachLimit, defaultedPodCliqueSet } from './context.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';
import { INDEX_OWNER } from './runtime/factory.js';
import { removeFinalizer } from './finalizers.js';
import { recordStatusEvents } from './status-events.js';
import { updatePolicyOf } from '../api/rules/update-policy.js';
import type { PodCliqueUpdateStep } from '../api/update/podclique.js';
import { deleteExpected, podCliqueRollout } from './rollout.js';
import { WrittenValues } from './runtime/written.js';
import { WritePacer } from './runtime/pacer.js';
import { forceDeleteStuckPods } from './stuck-pods.js';

/** The earliest of the requeues asked for, if any. */
function soonest(...waits: (number | undefined)[]): ReconcileResult | undefined {
  const ms = waits.filter((w): w is number => w !== undefined);
  return ms.length > 0 ? { requeueAfterMs: Math.min(...ms) } : undefined;
}

/** A pod create failed (the message carries the apiserver's answer). */
export const EVENT_FAILED_CREATE_POD = 'FailedCreatePod';

/** How soon a PodClique whose pods wait for the scheduler backend looks again without an event. */
const BACKEND_WAIT_MS = 1_000;

/** The least time between two routine status writes of one PodClique (see runtime/pacer.ts). */
export const PODCLIQUE_STATUS_INTERVAL_MS = 1_000;

export class PodCliqueReconciler implements Reconciler {
  private readonly written = new WrittenValues();
  private readonly pacer = new WritePacer(PODCLIQUE_STATUS_INTERVAL_MS);

  constructor(private readonly ctx: ControllerContext) {}

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, expectations } = this.ctx;
    const pclq = informers.pclq.store.get(key);
    if (!pclq) {
      expectations.forget(key);
      this.written.forget(key);
      this.pacer.forget(key);
      return;
    }
    const pods = informers.pods.store.byIndex(INDEX_OWNER, pclq.metadata.uid ?? '');
    if (pclq.metadata.deletionTimestamp) return this.finalize(pclq, pods, signal);

    const pcsName = pclq.metadata.labels?.[LABEL_PART_OF];
    const stored = pcsName ? informers.pcs.store.getByName(pclq.metadata.namespace, pcsName) : undefined;
    // The PodCliqueSet is gone or not in the cache yet: its deletion (or arrival) brings us back.
    if (!stored || stored.metadata.deletionTimestamp) return;
    const pcs = defaultedPodCliqueSet(stored);

    // Rolling update (controllers/rollout.ts): the selection is in status before its pod is deleted.
    const rollout = podCliqueRollout(this.ctx, pclq, pcs, pods);
    // The step reads its own last selection from status: never decide on a cache that lacks it.
    const selectionSeen = this.written.seen(key, pclq.status?.updateProgress);
    if (rollout.step.delete.length > 0 && !selectionSeen) return { requeueAfterMs: 500 };
    if (rollout.step.delete.length > 0 && expectations.satisfied(key)) {
      this.written.record(key, rollout.step.progress);
      // Unpaced: the selection must be in status before its pods go.
      await this.writeStatus(key, pclq, pcs, pods, signal, rollout.step, false).catch((err: unknown) => {
        this.written.forget(key);
        throw err;
      });
      await deleteExpected(this.ctx, key, RESOURCES.pods, rollout.step.delete, signal);
      log.info({ deleted: rollout.step.delete.map((p) => p.metadata?.name), waiting: rollout.step.waiting }, 'rolling update: deleted pods');
    }
    const backendWait = expectations.satisfied(key) ? await this.scale(key, pclq, pcs, pods, log, signal, rollout.holdCreatesFor) : undefined;
    const paced = await this.writeStatus(key, pclq, pcs, pods, signal, rollout.step, true);
    const stuck = await forceDeleteStuckPods(this.ctx, pclq, pods, log, signal);
    // A coherent update waits for other roles' pods, whose going does not wake this PodClique.
    return soonest(stuck, rollout.holdCreatesFor.length > 0 ? 1000 : undefined, paced, backendWait);
  }

  /**
   * Creates or deletes pods towards spec.replicas. Answers a requeue delay when the scheduler backend
   * cannot prepare the pods yet (the PodGang's arrival wakes this PodClique; the delay is a fallback).
   */
  private async scale(key: string, pclq: PodClique, pcs: PodCliqueSet, pods: readonly Pod[], log: Logger, signal: AbortSignal, holdCreatesFor: readonly string[]): Promise<number | undefined> {
    const { client, expectations, config } = this.ctx;
    const active = pods.filter(isActivePod);
    const missing = pclq.spec.replicas - active.length;
    if (missing > 0 && holdCreatesFor.length > 0) {
      log.debug({ missing, outdated: holdCreatesFor }, 'coherent update: no new pod while the replica runs outdated ones');
    } else if (missing > 0) {
      const backend = config.backends.find((b) => b.name === (pclq.spec.podSpec.schedulerName || config.defaultSchedulerName)) ?? config.backends[0];
      if (!backend) throw new KubeError('Invalid', 0, 'no scheduler backend is configured', undefined, undefined);
      // Pods created in this pass hold indices the next batch must not hand out again.
      const createdNow: Pod[] = [];
      let backendWait: number | undefined;
      for (const batch of slowStartBatches(missing)) {
        let toCreate: Pod[];
        try {
          toCreate = desiredPodsToCreate(pclq, pcs, [...active, ...createdNow], batch, { backend });
        } catch (err) {
          if (!(err instanceof BackendNotReadyError)) throw err;
          log.debug({ why: err.message }, 'pods wait for the scheduler backend');
          backendWait = BACKEND_WAIT_MS;
          break;
        }
        expectations.expectCreations(key, toCreate.length);
        let failed: unknown;
        await forEachLimit(toCreate, 16, async (pod) => {
          try {
            createdNow.push(await client.create(RESOURCES.pods, pod, { signal }));
          } catch (err) {
            // This create will never be observed.
            expectations.creationObserved(key);
            failed ??= err;
          }
        });
        if (failed !== undefined) {
          // As the ReplicaSet controller does: a person sees why pods are missing (a quota, a
          // broken template, admission) on the PodClique itself; repeats fold into one Event.
          const why = failed instanceof Error ? failed.message : String(failed);
          if (!signal.aborted) recordStatusEvents(this.ctx.events, pclq, 'PodClique', [{ type: 'Warning', reason: EVENT_FAILED_CREATE_POD, message: `Error creating pod: ${why}` }]);
          throw failed;
        }
      }
      if (createdNow.length > 0) log.info({ created: createdNow.length, replicas: pclq.spec.replicas }, 'created pods');
      return backendWait;
    } else if (missing < 0) {
      const victims = scaleInVictims(pods, pclq.spec.replicas, targetPodTemplateHash(pclq) ?? '');
      expectations.expectDeletions(key, victims.map((p) => p.metadata?.uid ?? ''));
      await forEachLimit(victims, 16, async (pod) => {
        const gone = await deleteExact(client, RESOURCES.pods, pod, signal).catch((err: unknown) => {
          expectations.deletionObserved(key, pod.metadata?.uid ?? '');
          throw err;
        });
        if (!gone) expectations.deletionObserved(key, pod.metadata?.uid ?? '');
      });
      log.info({ deleted: victims.map((p) => p.metadata?.name), replicas: pclq.spec.replicas }, 'deleted pods (scale-in)');
    }
  }

  /**
   * Writes the computed status if it changed. A paced write inside the interval after the last one
   * is put off: the answer is how long, and the pass that comes then writes (and reports the events
   * of) the state of that moment.
   */
  private async writeStatus(
    key: string,
    pclq: PodClique,
    pcs: PodCliqueSet,
    pods: readonly Pod[],
    signal: AbortSignal,
    rollout: PodCliqueUpdateStep,
    paced: boolean,
  ): Promise<number | undefined> {
    const { client } = this.ctx;
    const withProgress: PodClique = { ...pclq, status: pclq.status ? { ...pclq.status, updateProgress: rollout.progress } : pclq.status };
    const result = podCliqueStatus({
      pclq,
      pods,
      expectedPodTemplateHash: targetPodTemplateHash(withProgress) ?? '',
      pcsGenerationHash: pcs.status?.currentGenerationHash,
      updateInProgress: rollout.inProgress,
      ...(rollout.progress ? { updateProgress: rollout.progress } : {}),
      crashLoopRestarts: updatePolicyOf(pcs).policy.crashLoopRestarts,
      ...(pclq.metadata.generation !== undefined ? { observedGeneration: pclq.metadata.generation } : {}),
      now: this.ctx.now().toISOString(),
    });
    const changed = statusChanged(pclq.status, result.status);
    const wait = changed && paced ? this.pacer.waitMs(key) : 0;
    if (wait > 0) return wait;
    recordStatusEvents(this.ctx.events, pclq, 'PodClique', result.events);
    if (!changed) return undefined;
    await client.applyStatus(RESOURCES.podCliques, {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodClique',
      // uid: a status computed from a stale copy of a deleted PodClique must never land on its
      // recreated namesake (gang termination recreates PodCliques under the same names).
      metadata: { name: pclq.metadata.name, namespace: pclq.metadata.namespace, uid: pclq.metadata.uid },
      status: result.status,
    } as PodClique, { signal });
    // The interval counts from the answer: a write that waited seconds in the rate limiter's low lane
    // (a busy deploy) is followed by one that folds every change made meanwhile, not by a second at once.
    this.pacer.wrote(key);
    return undefined;
  }

  /** A PodClique being deleted takes its pods with it (one request), then lets go. */
  private async finalize(pclq: PodClique, pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    const { client } = this.ctx;
    const ns = pclq.metadata.namespace;
    if (pods.some((p) => !p.metadata?.deletionTimestamp)) {
      await client.deleteCollection(RESOURCES.pods, ns, { labelSelector: `${LABEL_PODCLIQUE}=${pclq.metadata.name ?? ''}`, signal });
    }
    await removeFinalizer(client, RESOURCES.podCliques, pclq, FINALIZER_PODCLIQUE, signal);
  }
}

/** The PodClique key of a pod (its controller owner). */
export function podCliqueKeyOfPod(pod: Pod): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'PodClique');
  return ref ? objectKey(pod.metadata?.namespace, ref.name) : undefined;
}

export { splitKey };
