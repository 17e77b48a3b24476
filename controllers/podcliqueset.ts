// The PodCliqueSet controller (grove-compat §4.2–§4.6, §4.9): the PodCliqueSet's whole object tree
// (ServiceAccount, Role, RoleBinding, token Secret, headless Services, HPAs, standalone PodCliques,
// scaling groups and PodGangs) from one pure function, applied where the cache differs; children
// the spec no longer wants are deleted; then the status.
import type { Logger } from 'pino';
import type { ObjectLike } from '../kube/dynamic.js';
import { desiredPodCliqueSetTree, selectBackend, topologyNameOf, type ChildRef, type PodCliqueSetTree } from '../api/desired/index.js';
import type { ClusterTopologyBinding, LastError, PodCliqueSet } from '../api/index.js';
import { FINALIZER_PODCLIQUESET, LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY_VALUE } from '../api/keys.js';
import { type DesiredCondition, expectedPodTemplateHashes, podCliqueSetStatus, statusChanged } from '../api/status/index.js';
import { RESOURCES, objectKey, type Resource } from '../kube/resources.js';
import { applyIfChanged, deleteExact } from './apply.js';
import { type ControllerContext, INDEX_PART_OF, forEachLimit, pcsInputFingerprint, quietPass, defaultedPodCliqueSet } from './context.js';
import { ensureFinalizer, removeFinalizer } from './finalizers.js';
import { runGangTermination } from './gang-termination.js';
import type { Informer } from './runtime/informer.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';
import { recordStatusEvents } from './status-events.js';
import type { RolloutProgress } from '../api/update/rollout.js';
import { pcsRollout } from './rollout.js';
import { HELD_CHILD_RETRY_MS, ScalableWrites } from './scalable-writes.js';

const APPLY_CONCURRENCY = 16;


/** A pass that held children looks again within HELD_CHILD_RETRY_MS, or sooner if it must anyway. */
function withHeldRetry(held: number, requeueAfterMs: number | undefined): number | undefined {
  return held > 0 ? Math.min(requeueAfterMs ?? HELD_CHILD_RETRY_MS, HELD_CHILD_RETRY_MS) : requeueAfterMs;
}

export class PodCliqueSetReconciler implements Reconciler {
  /**
   * Per PodCliqueSet, the input fingerprint of the last pass that wrote nothing (no child, no status).
   * The tree and the status are pure functions of those inputs (time only stamps transitions), so
   * another pass over the same inputs would write the same nothing: a converged 500-replica
   * PodCliqueSet costs a fingerprint instead of a thousand desired objects. A pass that waits for a
   * deadline (gang termination's terminationDelay) decides from the clock, which the fingerprint does
   * not see: it is never remembered (quietPass), so the pass its requeue brings runs in full.
   */
  private readonly quiet = new Map<string, string>();

  /** Standalone PodCliques and scaling groups: scalable, so applied only over a cache that shows copse's last apply. */
  private readonly scalable = new ScalableWrites();

  constructor(private readonly ctx: ControllerContext) {
    this.scalable.follow(RESOURCES.podCliques.kind, ctx.informers.pclq);
    this.scalable.follow(RESOURCES.podCliqueScalingGroups.kind, ctx.informers.pcsg);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, client } = this.ctx;
    const stored = informers.pcs.store.get(key);
    if (!stored || stored.metadata.deletionTimestamp) this.quiet.delete(key);
    if (!stored) return;
    if (stored.metadata.deletionTimestamp) return this.finalize(stored, signal);
    await ensureFinalizer(client, RESOURCES.podCliqueSets, stored, FINALIZER_PODCLIQUESET, signal);

    const pcs = defaultedPodCliqueSet(stored);
    // The binding is named by the first constraint that names one (PodCliqueSet, then scaling groups, then
    // cliques; admission makes them agree): a PodCliqueSet may constrain only its cliques.
    const topologyName = topologyNameOf(pcs);
    const binding = topologyName ? informers.ctbs.store.getByName(undefined, topologyName) : undefined;
    // Read in the same synchronous stretch as the tree's inputs below, so it describes exactly them.
    const fingerprint = pcsInputFingerprint(informers, stored, binding);
    if (this.quiet.get(key) === fingerprint) return;
    this.quiet.delete(key);
    let tree: PodCliqueSetTree;
    try {
      tree = desiredPodCliqueSetTree({
        pcs,
        existing: this.existing(pcs),
        topology: { enabled: this.ctx.config.topologyAwareScheduling, ...(binding ? { binding } : {}) },
        backend: selectBackend(this.ctx.config.backends, pcs, this.ctx.config.defaultSchedulerName),
      });
    } catch (err) {
      // A spec the builders cannot turn into objects (only possible without admission): say so in status.
      await this.writeStatus(stored, pcs, binding, [lastError('ERR_INVALID_SPEC', err)], signal);
      this.ctx.events.record({ ...stored, apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet' }, 'Warning', 'InvalidSpec', errorText(err));
      return;
    }

    const { changed, held } = await this.applyTree(tree, log, signal);
    const deleted = await this.deleteExcess(pcs, tree, signal);
    if (changed.length || deleted.length) log.info({ applied: changed, deleted }, 'synced children');
    const after = await this.rolloutGangAndStatus(stored, pcs, binding, tree.generationHash, log, signal);
    const requeueAfterMs = withHeldRetry(held.length, after.requeueAfterMs);
    if (quietPass({ writes: changed.length + held.length + deleted.length + after.writes, requeueAfterMs })) this.quiet.set(key, fingerprint);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** The rolling update's replicas, the gang-termination pass and the status, after the children are synced. */
  private async rolloutGangAndStatus(
    stored: PodCliqueSet,
    pcs: PodCliqueSet,
    binding: ClusterTopologyBinding | undefined,
    generationHash: string,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ writes: number; requeueAfterMs: number | undefined }> {
    // Which replicas the rolling update works on (controllers/rollout.ts); written with the hash.
    const rollout = pcsRollout(this.ctx, stored, pcs, generationHash, log);
    // Gang termination sees the replicas the update works on from this pass, not only the stored ones.
    const updating: PodCliqueSet = pcs.status ? { ...pcs, status: { ...pcs.status, updateProgress: { ...pcs.status.updateProgress, ...rollout } } } : pcs;
    const gang = await runGangTermination(this.ctx, stored, updating, log, signal);
    const statusWritten = await this.writeStatus(stored, pcs, binding, [], signal, generationHash, rollout, gang.pending ?? null);
    return { writes: gang.writes + (statusWritten ? 1 : 0), requeueAfterMs: gang.requeueAfterMs };
  }

  /** What the PodCliqueSet has now: its children from the part-of index. */
  private existing(pcs: PodCliqueSet) {
    const { informers } = this.ctx;
    const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
    const of = <T extends ObjectLike>(inf: Informer<T>): T[] => inf.store.byIndex(INDEX_PART_OF, ix);
    return {
      podCliques: of(informers.pclq),
      scalingGroups: of(informers.pcsg),
      podGangs: of(informers.podGangs),
      services: of(informers.services),
      hpas: of(informers.hpas),
      secrets: of(informers.secrets),
      pods: of(informers.pods),
    };
  }

  private async applyTree(tree: PodCliqueSetTree, log: Logger, signal: AbortSignal): Promise<{ changed: string[]; held: string[] }> {
    const { informers, client } = this.ctx;
    const changed: string[] = [];
    const held: string[] = [];
    const step = async <T extends ObjectLike>(r: Resource<T>, inf: Informer<T>, objs: readonly T[], scalable = false): Promise<void> => {
      await forEachLimit(objs, APPLY_CONCURRENCY, async (want) => {
        const have = inf.store.getByName(want.metadata?.namespace, want.metadata?.name ?? '');
        const res = scalable ? await this.scalable.apply(client, r, want, have, signal) : await applyIfChanged(client, r, want, have, signal);
        const name = `${r.kind}/${want.metadata?.name ?? ''}`;
        if (res === 'held') held.push(name);
        else if (res.changed) changed.push(name);
      });
    };
    // Grove's order: identity and plumbing, then PodCliques, then groups and gangs.
    await Promise.all([
      step(RESOURCES.serviceAccounts, informers.serviceAccounts, [tree.serviceAccount]),
      step(RESOURCES.roles, informers.roles, [tree.role]),
      step(RESOURCES.roleBindings, informers.roleBindings, [tree.roleBinding]),
      step(RESOURCES.secrets, informers.secrets, [tree.tokenSecret]),
      step(RESOURCES.services, informers.services, tree.services),
      step(RESOURCES.hpas, informers.hpas, tree.hpas),
    ]);
    await step(RESOURCES.podCliques, informers.pclq, tree.podCliques, true);
    await Promise.all([step(RESOURCES.podCliqueScalingGroups, informers.pcsg, tree.scalingGroups, true), step(RESOURCES.podGangs, informers.podGangs, tree.podGangs)]);
    if (held.length) log.debug({ held }, 'children whose last apply the cache does not show yet: applied on a later pass');
    return { changed, held };
  }

  private async deleteExcess(pcs: PodCliqueSet, tree: PodCliqueSetTree, signal: AbortSignal): Promise<string[]> {
    const { informers, client } = this.ctx;
    const ns = pcs.metadata.namespace;
    const deleted: string[] = [];
    const drop = async <T extends ObjectLike>(r: Resource<T>, inf: Informer<T>, refs: readonly ChildRef[]): Promise<void> => {
      await forEachLimit(refs, APPLY_CONCURRENCY, async (ref) => {
        const obj = inf.store.getByName(ns, ref.name);
        if (obj && (await deleteExact(client, r, obj, signal))) deleted.push(`${r.kind}/${ref.name}`);
      });
    };
    await Promise.all([
      drop(RESOURCES.podCliques, informers.pclq, tree.excess.podCliques),
      drop(RESOURCES.podCliqueScalingGroups, informers.pcsg, tree.excess.scalingGroups),
      drop(RESOURCES.podGangs, informers.podGangs, tree.excess.podGangs),
      drop(RESOURCES.services, informers.services, tree.excess.services),
      drop(RESOURCES.hpas, informers.hpas, tree.excess.hpas),
      drop(RESOURCES.secrets, informers.secrets, tree.excess.secrets),
    ]);
    return deleted;
  }

  private async writeStatus(
    stored: PodCliqueSet,
    pcs: PodCliqueSet,
    binding: ClusterTopologyBinding | undefined,
    lastErrors: LastError[],
    signal: AbortSignal,
    generationHash?: string,
    rollout?: RolloutProgress,
    gangTerminationPending?: DesiredCondition | null,
  ): Promise<boolean> {
    const { informers, client } = this.ctx;
    const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
    const result = podCliqueSetStatus({
      pcs,
      pclqs: informers.pclq.store.byIndex(INDEX_PART_OF, ix),
      pcsgs: informers.pcsg.store.byIndex(INDEX_PART_OF, ix),
      podGangs: informers.podGangs.store.byIndex(INDEX_PART_OF, ix),
      expectedPodTemplateHashes: expectedPodTemplateHashes(pcs),
      topology: { enabled: this.ctx.config.topologyAwareScheduling, ...(binding ? { binding } : {}) },
      ...(generationHash ? { generationHash } : {}),
      ...(rollout ? { rollout } : {}),
      ...(gangTerminationPending !== undefined ? { gangTerminationPending } : {}),
      ...(lastErrors.length === 0 && stored.metadata.generation !== undefined ? { observedGeneration: stored.metadata.generation } : {}),
      lastErrors,
      now: this.ctx.now().toISOString(),
    });
    recordStatusEvents(this.ctx.events, stored, 'PodCliqueSet', result.events);
    if (!statusChanged(stored.status, result.status)) return false;
    await client.applyStatus(
      RESOURCES.podCliqueSets,
      { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name: stored.metadata.name, namespace: stored.metadata.namespace }, status: result.status } as PodCliqueSet,
      { signal },
    );
    return true;
  }

  /**
   * Deletion: children go by garbage collection (controller ownerReferences), but the pods are
   * removed with one collection delete first, so a 1000-pod system is gone in one request instead
   * of waiting for the garbage collector to walk PodClique → pod one by one.
   */
  private async finalize(pcs: PodCliqueSet, signal: AbortSignal): Promise<void> {
    const { client, informers } = this.ctx;
    const ns = pcs.metadata.namespace;
    const ix = objectKey(ns, pcs.metadata.name ?? '');
    if (informers.pods.store.byIndex(INDEX_PART_OF, ix).some((p) => !p.metadata?.deletionTimestamp)) {
      await client.deleteCollection(RESOURCES.pods, ns, { labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_PART_OF}=${pcs.metadata.name ?? ''}`, signal });
    }
    await removeFinalizer(client, RESOURCES.podCliqueSets, pcs, FINALIZER_PODCLIQUESET, signal);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function lastError(code: string, err: unknown): LastError {
  return { code, description: errorText(err), observedAt: new Date().toISOString() };
}
