// The PodCliqueScalingGroup controller (grove-compat §4.4, §4.9): the member PodCliques of every
// group replica (scale-out creates, scale-in removes the highest indices) and the group's status.
import type { Logger } from 'pino';
import { desiredScalingGroupMembers } from '../api/desired/index.js';
import type { PodClique, PodCliqueScalingGroup } from '../api/index.js';
import { FINALIZER_PODCLIQUESCALINGGROUP, LABEL_PART_OF } from '../api/keys.js';
import { expectedPodTemplateHashes, scalingGroupStatus, statusChanged } from '../api/status/index.js';
import { RESOURCES } from '../kube/resources.js';
import { deleteExact } from './apply.js';
import { type ControllerContext, forEachLimit, defaultedPodCliqueSet } from './context.js';
import { removeFinalizer } from './finalizers.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';
import { INDEX_OWNER } from './runtime/factory.js';
import { recordStatusEvents } from './status-events.js';
import type { PodCliqueSet } from '../api/index.js';
import type { ScalingGroupUpdateStep } from '../api/update/scalinggroup.js';
import { deleteExpected, scalingGroupDeletionsKey, scalingGroupRollout } from './rollout.js';
import { WrittenValues } from './runtime/written.js';
import { HELD_CHILD_RETRY_MS, ScalableWrites } from './scalable-writes.js';

export class ScalingGroupReconciler implements Reconciler {
  private readonly written = new WrittenValues();
  /** Member PodCliques are scalable: applied only over a cache that shows copse's last apply of them. */
  private readonly scalable = new ScalableWrites();

  constructor(private readonly ctx: ControllerContext) {
    this.scalable.follow(RESOURCES.podCliques.kind, ctx.informers.pclq);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, client } = this.ctx;
    const pcsg = informers.pcsg.store.get(key);
    if (!pcsg) return;
    if (pcsg.metadata.deletionTimestamp) {
      // Members go by garbage collection (their controller owner is this group).
      await removeFinalizer(client, RESOURCES.podCliqueScalingGroups, pcsg, FINALIZER_PODCLIQUESCALINGGROUP, signal);
      return;
    }
    const pcsName = pcsg.metadata.labels?.[LABEL_PART_OF];
    const stored = pcsName ? informers.pcs.store.getByName(pcsg.metadata.namespace, pcsName) : undefined;
    if (!stored || stored.metadata.deletionTimestamp) return;
    const pcs = defaultedPodCliqueSet(stored);

    const owned = informers.pclq.store.byIndex(INDEX_OWNER, pcsg.metadata.uid ?? '');
    const members = desiredScalingGroupMembers(pcsg, pcs, owned);
    const byName = new Map(owned.map((p) => [p.metadata.name, p]));
    let applied = 0;
    let held = 0;
    await forEachLimit(members.podCliques, 8, async (want) => {
      const r = await this.scalable.apply(client, RESOURCES.podCliques, want, byName.get(want.metadata.name), signal);
      if (r === 'held') held++;
      else if (r.changed) applied++;
    });
    await forEachLimit(members.excess, 8, (ref) => {
      const obj = byName.get(ref.name);
      return obj ? deleteExact(client, RESOURCES.podCliques, obj, signal) : Promise.resolve(false);
    });
    if (applied || members.excess.length) log.info({ applied, deleted: members.excess.map((r) => r.name) }, 'synced scaling group members');

    // Rolling update (controllers/rollout.ts): the selected group replica is in status before its
    // members are deleted; the next pass makes them again from the new template.
    const rollout = scalingGroupRollout(this.ctx, pcsg, pcs, owned);
    const deletions = scalingGroupDeletionsKey(key);
    if (rollout.delete.length > 0) {
      if (!this.written.seen(key, pcsg.status?.updateProgress)) return { requeueAfterMs: 500 };
      if (this.ctx.expectations.satisfied(deletions)) {
        this.written.record(key, rollout.progress);
        await this.writeStatus(pcsg, pcs, owned, rollout, signal).catch((err: unknown) => {
          this.written.forget(key);
          throw err;
        });
        await deleteExpected(this.ctx, deletions, RESOURCES.podCliques, rollout.delete, signal);
        log.info({ recreate: rollout.recreate, deleted: rollout.delete.map((p) => p.metadata.name), waiting: rollout.waiting }, 'rolling update: recreating group replicas');
      }
    }
    await this.writeStatus(pcsg, pcs, owned, rollout, signal);
    if (held) return { requeueAfterMs: HELD_CHILD_RETRY_MS };
  }

  private async writeStatus(pcsg: PodCliqueScalingGroup, pcs: PodCliqueSet, owned: readonly PodClique[], rollout: ScalingGroupUpdateStep, signal: AbortSignal): Promise<void> {
    const { client } = this.ctx;
    const result = scalingGroupStatus({
      pcsg,
      pclqs: owned,
      expectedPodTemplateHashes: expectedPodTemplateHashes(pcs),
      pcsGenerationHash: pcs.status?.currentGenerationHash,
      updateInProgress: rollout.inProgress,
      ...(rollout.progress ? { updateProgress: rollout.progress } : {}),
      ...(pcsg.metadata.generation !== undefined ? { observedGeneration: pcsg.metadata.generation } : {}),
      now: this.ctx.now().toISOString(),
    });
    recordStatusEvents(this.ctx.events, pcsg, 'PodCliqueScalingGroup', result.events);
    if (statusChanged(pcsg.status, result.status)) {
      await client.applyStatus(
        RESOURCES.podCliqueScalingGroups,
        {
          apiVersion: 'grove.io/v1alpha1',
          kind: 'PodCliqueScalingGroup',
          // resourceVersion is a precondition: the condition list is written whole, and a stale copy
          // must not drop GangTerminationInProgress set by the gang-termination pass meanwhile.
          metadata: { name: pcsg.metadata.name, namespace: pcsg.metadata.namespace, resourceVersion: pcsg.metadata.resourceVersion },
          status: result.status,
        } as PodCliqueScalingGroup,
        { signal },
      );
    }
  }
}

export type { PodClique };
