// Releasing Grove's gate (grove-compat §4.10) in a controller of its own. Grove does it in the
// PodClique reconcile, behind that clique's pod creates, status and rolling-update work: during a
// 1000-pod deploy a gang whose pods were all referenced waited in that queue behind hundreds of
// PodCliques still creating pods (p50 52 s from reference to lift, measured). Here a pass is one
// decision from the cache and at most a few small patches, on the rate limiter's `release` lane,
// so a gang reaches the scheduler while the rest of the deploy is still being created.
import type { Logger } from 'pino';
import type { PodClique } from '../api/index.js';
import { LABEL_BASE_PODGANG, LABEL_PODGANG } from '../api/keys.js';
import { gateDecision } from '../api/status/index.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES } from '../kube/resources.js';
import { type ControllerContext, forEachLimit } from './context.js';
import type { ReconcileResult, Reconciler } from './runtime/controller.js';
import { INDEX_OWNER } from './runtime/factory.js';

/**
 * How long a lift we sent counts as done while the cache still shows the gate: the pod's update
 * event normally arrives within milliseconds, and sending the same patch again meanwhile is a write
 * for nothing. Past it, a gate still seen is lifted again (a lost answer, a relist).
 */
export const GATE_LIFT_TTL_MS = 5_000;

export class GateReconciler implements Reconciler {
  /** Pod uid → when our lift of its gate was answered. */
  private readonly lifted = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { informers, client } = this.ctx;
    const pclq = informers.pclq.store.get(key);
    if (!pclq || pclq.metadata.deletionTimestamp) return;
    const ns = pclq.metadata.namespace;
    const pods = informers.pods.store.byIndex(INDEX_OWNER, pclq.metadata.uid ?? '');
    const gangName = pclq.metadata.labels?.[LABEL_PODGANG];
    const baseName = pclq.metadata.labels?.[LABEL_BASE_PODGANG];
    const gang = gangName ? informers.podGangs.store.getByName(ns, gangName) : undefined;
    const base = baseName ? informers.podGangs.store.getByName(ns, baseName) : undefined;
    const basePodCliques = base ? base.spec.podgroups.map((g) => informers.pclq.store.getByName(ns, g.name)).filter((p): p is PodClique => p !== undefined) : [];
    const decision = gateDecision({ podClique: pclq, pods, podGang: gang, baseGang: base, basePodCliques });
    if (decision.lift.length === 0) return;

    const t = this.now();
    const uidOf = new Map(pods.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? '']));
    let recheckMs: number | undefined;
    const todo = decision.lift.filter((l) => {
      const at = this.lifted.get(uidOf.get(l.pod) ?? '');
      if (at === undefined || t - at >= GATE_LIFT_TTL_MS) return true;
      recheckMs = Math.min(recheckMs ?? Infinity, Math.ceil(at + GATE_LIFT_TTL_MS - t));
      return false;
    });
    await forEachLimit(todo, 16, async (lift) => {
      try {
        // Strategic merge: removes Grove's gate from the pod as it is now, never re-adds another.
        await client.patch(RESOURCES.pods, lift.pod, ns, { ...lift.patch }, { signal, type: 'strategic', priority: 'release' });
        this.lifted.set(uidOf.get(lift.pod) ?? '', this.now());
      } catch (err) {
        // The pod went away meanwhile: nothing to release.
        if (!(err instanceof KubeError && err.kind === 'NotFound')) throw err;
      }
    });
    if (todo.length > 0) log.debug({ pods: todo.map((l) => l.pod) }, 'released gang gates');
    this.prune(t);
    // A lift answered but not yet seen: look again once it may be called lost.
    return recheckMs !== undefined ? { requeueAfterMs: recheckMs } : undefined;
  }

  /** Drops lifts older than the TTL (their pods' events have long arrived, or they will be lifted again). */
  private prune(t: number): void {
    if (this.lifted.size < 1024) return;
    for (const [uid, at] of this.lifted) if (t - at >= GATE_LIFT_TTL_MS) this.lifted.delete(uid);
  }
}
