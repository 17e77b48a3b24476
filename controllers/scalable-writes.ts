// Children whose spec.replicas a person or an autoscaler may change after copse made them
// (PodCliques, PodCliqueScalingGroups). Their desired replicas come from the cached child
// (api/desired/replicas.ts), and an apply is forced: a pass that runs before the cache shows copse's
// own create sees no child, wants the template's replicas, and would set back a `kubectl scale` made
// in between (GS12 scaled a group right after a PodCliqueSet scale-out and saw it undone). So once
// copse has applied a child, it applies that child again only after the cache shows that write; until
// then the child is held and the pass looks again shortly. The watch delivers every version in order,
// so following the informer's events clears the record even when a later version (the scale) arrives
// in the same breath; a version the watch skips (a relist) holds the child for UNSEEN_WRITE_TTL_MS.
import type { DynamicClient, ObjectLike } from '../kube/dynamic.js';
import type { Resource } from '../kube/resources.js';
import { type ApplyOutcome, applyIfChanged } from './apply.js';
import type { Informer } from './runtime/informer.js';
import { UnseenWrites } from './runtime/unseen-writes.js';

/** How soon a pass that held a child looks again (the watch event usually requeues it sooner). */
export const HELD_CHILD_RETRY_MS = 1_000;

export class ScalableWrites {
  private readonly unseen = new UnseenWrites();

  /** Follow `inf`'s events (once per informer, for every controller that applies its kind). */
  follow<T extends ObjectLike>(kind: string, inf: Informer<T>): void {
    const see = (o: T) => this.unseen.observe(keyOf(kind, o), o.metadata?.resourceVersion);
    inf.on({ add: see, update: (_old, o) => see(o), delete: (o) => this.unseen.forget(keyOf(kind, o)) });
  }

  /**
   * Apply `want` where the cache (`have`) differs, unless copse's last apply of it is not cached yet:
   * then 'held', and nothing is sent.
   */
  async apply<T extends ObjectLike>(client: DynamicClient, r: Resource<T>, want: T, have: T | undefined, signal: AbortSignal): Promise<ApplyOutcome<T> | 'held'> {
    const key = keyOf(r.kind, want);
    if (have) this.unseen.observe(key, have.metadata?.resourceVersion);
    if (this.unseen.waitMs(key) > 0) return 'held';
    const out = await applyIfChanged(client, r, want, have, signal);
    if (out.changed) this.unseen.record(key, out.object.metadata?.resourceVersion);
    return out;
  }
}

function keyOf(kind: string, o: ObjectLike): string {
  return `${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
