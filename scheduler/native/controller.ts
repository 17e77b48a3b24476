// The native backend's shell: per PodGang that the native backend holds (its `scheduling.copse.io/backend`
// annotation), keep the translated Workload, CompositePodGroups and PodGroups (api/native) applied
// top-down under copse's own field manager, lift copse's native gate on the whole gang at once once
// they exist (a scaled gang's pods pinned to its base gang's required domain in the same write,
// api/native/pin.ts), and explain a waiting gang from its leaf PodGroups. PodGroups are also watched for
// their deletion: the PodGroupProtection finalizer is lifted once no pod of the group is left, so a
// deletion never hangs where kube-controller-manager's protection controller does not run.
import type { Logger } from 'pino';
import type { Node, Pod } from '../../api/core/wire.js';
import type { PodGang } from '../../api/index.js';
import { LABEL_PODGANG } from '../../api/keys.js';
import {
  type CompositePodGroup,
  LABEL_NATIVE_PODGANG,
  NATIVE_GATE,
  type NativeObjects,
  baseGangOf,
  pinSelector,
  scaledGangPin,
  type NativePodGroup,
  PODGROUP_PROTECTION_FINALIZER,
  type Workload,
  finalizerReleasable,
  nativeObjects,
  nativePendingReason,
  nativeRelease,
  recordedBackend,
  schedulingGroupOf,
} from '../../api/native/index.js';
import type { PendingReason } from '../../api/status/index.js';
import { applyIfChanged, deleteExact } from '../../controllers/apply.js';
import { removeFinalizer } from '../../controllers/finalizers.js';
import { Controller, type ReconcileResult, type Reconciler } from '../../controllers/runtime/controller.js';
import type { Informer } from '../../controllers/runtime/informer.js';
import type { Manager } from '../../controllers/runtime/manager.js';
import { byLabel } from '../../controllers/runtime/store.js';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import { FIELD_MANAGERS } from '../../kube/dynamic.js';
import { KubeError } from '../../kube/errors.js';
import { RESOURCES, objectKey, type Resource } from '../../kube/resources.js';
import { NATIVE_RESOURCES } from './resources.js';

const INDEX_GANG = 'native-podgang';
const INDEX_GROUP = 'native-podgroup';
const INDEX_POD_GANG = 'native-pod-podgang';

export interface NativeInformers {
  podGangs: Informer<PodGang>;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  workloads: Informer<Workload>;
  composites: Informer<CompositePodGroup>;
  podGroups: Informer<NativePodGroup>;
}

export class NativeGangReconciler implements Reconciler {
  private readonly reasons = new Map<string, PendingReason>();

  constructor(
    private readonly client: DynamicClient,
    private readonly inf: NativeInformers,
    private readonly onPendingReason: (gangKey: string) => void,
  ) {}

  /** Why native gang `ns/name` waits, from its leaf PodGroups (for the PodGang's Scheduled condition). */
  pendingReason(gangKey: string): PendingReason | undefined {
    return this.reasons.get(gangKey);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    await this.releaseFinalizers(key, signal);
    const gang = this.inf.podGangs.store.get(key);
    if (!gang || gang.metadata.deletionTimestamp || recordedBackend(gang)?.backend !== 'native') {
      this.setReason(key, undefined);
      return;
    }
    const desired = nativeObjects(gang);
    const objectsReady = await this.ensureObjects(desired, gang.metadata.namespace, log, signal);
    const waiting = await this.release(key, gang, objectsReady, log, signal);
    const groups = new Map(this.inf.podGroups.store.byIndex(INDEX_GANG, key).map((g) => [g.metadata.name ?? '', g]));
    this.setReason(key, nativePendingReason(gang, groups));
    // The base gang's bound pods are seen by another key's events; look again shortly.
    if (waiting) return { requeueAfterMs: 1_000 };
  }

  /** Apply every object; true when all exist (and none is being deleted) in the caches. */
  private async ensureObjects(desired: NativeObjects, ns: string | undefined, log: Logger, signal: AbortSignal): Promise<boolean> {
    // Top-down, one after another: kube-scheduler evaluates siblings in creation order.
    await this.apply(NATIVE_RESOURCES.workloads, this.inf.workloads, desired.workload, log, signal);
    for (const c of desired.composites) await this.apply(NATIVE_RESOURCES.compositePodGroups, this.inf.composites, c, log, signal);
    for (const g of desired.podGroups) await this.apply(NATIVE_RESOURCES.podGroups, this.inf.podGroups, g, log, signal);

    const live = (have: ObjectLike | undefined) => have !== undefined && !have.metadata?.deletionTimestamp;
    const name = (o: ObjectLike) => o.metadata?.name ?? '';
    return (
      live(this.inf.workloads.store.getByName(ns, name(desired.workload))) &&
      desired.composites.every((c) => live(this.inf.composites.store.getByName(ns, name(c)))) &&
      desired.podGroups.every((g) => live(this.inf.podGroups.store.getByName(ns, name(g))))
    );
  }

  /**
   * Lift the native gate on the gang's pods once `nativeRelease` says so, a scaled gang's pods pinned
   * to its base gang's domain; true when they wait for that domain to be known.
   */
  private async release(key: string, gang: PodGang, objectsReady: boolean, log: Logger, signal: AbortSignal): Promise<boolean> {
    const ns = gang.metadata.namespace;
    const pods = this.inf.pods.store.byIndex(INDEX_POD_GANG, key);
    const lift = nativeRelease(gang, pods, objectsReady);
    if (lift.length === 0) return false;
    const baseName = baseGangOf(lift, gang.metadata.name ?? '');
    const pinned = baseName
      ? scaledGangPin(this.inf.podGangs.store.getByName(ns, baseName), this.inf.pods.store.byIndex(INDEX_POD_GANG, objectKey(ns, baseName)), (n) => this.inf.nodes.store.getByName(undefined, n)?.metadata?.labels)
      : { pin: undefined };
    if ('wait' in pinned) {
      log.info({ gang: key, why: pinned.wait }, 'scaled native gang waits for its base gang\'s domain');
      return true;
    }
    for (const pod of lift) {
      const gates = (pod.spec?.schedulingGates ?? []).filter((g) => g.name !== NATIVE_GATE).map((g) => ({ name: g.name }));
      const selector = pinSelector(pod, pinned.pin);
      const spec = Object.keys(selector).length > 0 ? { schedulingGates: gates, nodeSelector: selector } : { schedulingGates: gates };
      try {
        await this.client.patch(RESOURCES.pods, pod.metadata?.name ?? '', ns, { spec }, { signal });
      } catch (err) {
        if (!(err instanceof KubeError && err.kind === 'NotFound')) throw err;
      }
    }
    log.info({ gang: key, pods: lift.length, ...(pinned.pin ? { pin: `${pinned.pin.key}=${pinned.pin.value}` } : {}) }, 'released native gang');
    return false;
  }

  private setReason(key: string, reason: PendingReason | undefined): void {
    const before = this.reasons.get(key);
    if (before?.reason === reason?.reason && before?.message === reason?.message) return;
    if (reason) this.reasons.set(key, reason);
    else this.reasons.delete(key);
    this.onPendingReason(key);
  }

  private async apply<T extends ObjectLike>(r: Resource<T>, inf: Informer<T>, desired: T, log: Logger, signal: AbortSignal): Promise<void> {
    const observed = inf.store.getByName(desired.metadata?.namespace, desired.metadata?.name ?? '');
    // Being deleted (a structural change, or the PodGroup's finalizer): it is recreated once gone.
    if (observed?.metadata?.deletionTimestamp) return;
    try {
      await applyIfChanged(this.client, r, desired, observed, signal);
    } catch (err) {
      // Most of these objects are immutable once created (policy, constraints, parent, the
      // Workload's templates): a changed gang replaces them; the deletion event brings us back.
      if (observed && err instanceof KubeError && err.kind === 'Invalid') {
        log.info({ kind: r.kind, name: desired.metadata?.name, err: err.message }, 'replacing a native object that cannot be changed in place');
        await deleteExact(this.client, r, observed, signal);
        return;
      }
      throw err;
    }
  }

  /** Lift PodGroupProtection from this gang's PodGroups being deleted once their pods are gone. */
  private async releaseFinalizers(key: string, signal: AbortSignal): Promise<void> {
    for (const pg of this.inf.podGroups.store.byIndex(INDEX_GANG, key)) {
      const name = pg.metadata.name ?? '';
      const members = this.inf.pods.store.byIndex(INDEX_GROUP, objectKey(pg.metadata.namespace, name));
      if (finalizerReleasable(pg, members)) await removeFinalizer(this.client, NATIVE_RESOURCES.podGroups, pg, PODGROUP_PROTECTION_FINALIZER, signal);
    }
  }
}

export interface NativeScheduling {
  controller: Controller;
  pendingReason(gang: PodGang): PendingReason | undefined;
}

/** Registers the native controller on `manager`'s shared informers (call only on a native cluster). */
export function registerNativeScheduling(manager: Manager, opts: { onPendingReason: (gangKey: string) => void; log: Logger }): NativeScheduling {
  const factory = manager.informers;
  const selector = { labelSelector: LABEL_NATIVE_PODGANG };
  const inf: NativeInformers = {
    podGangs: factory.informer<PodGang>(RESOURCES.podGangs),
    pods: factory.informer<Pod>(RESOURCES.pods),
    nodes: factory.informer<Node>(RESOURCES.nodes),
    workloads: factory.informer<Workload>(NATIVE_RESOURCES.workloads, selector),
    composites: factory.informer<CompositePodGroup>(NATIVE_RESOURCES.compositePodGroups, selector),
    podGroups: factory.informer<NativePodGroup>(NATIVE_RESOURCES.podGroups, selector),
  };
  inf.pods.store.addIndex(INDEX_POD_GANG, byLabel(LABEL_PODGANG));
  inf.pods.store.addIndex(INDEX_GROUP, (p) => {
    const g = schedulingGroupOf(p as Pod);
    return g ? [objectKey(p.metadata?.namespace, g)] : [];
  });
  inf.workloads.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));
  inf.composites.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));
  inf.podGroups.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));

  const reconciler = new NativeGangReconciler(factory.client.as(FIELD_MANAGERS.native), inf, opts.onPendingReason);
  const controller = new Controller(reconciler, { name: 'native-gang', concurrency: 4, initialKeys: () => inf.podGangs.store.keys(), log: opts.log });
  manager.add(controller);

  const byGangLabel = (o: ObjectLike) => {
    const g = o.metadata?.labels?.[LABEL_NATIVE_PODGANG];
    if (g) controller.enqueue(objectKey(o.metadata?.namespace, g));
  };
  const onAny = <T>(fn: (o: T) => void) => ({ add: fn, update: (_o: T, n: T) => fn(n), delete: fn });
  inf.podGangs.on(onAny((g: PodGang) => controller.enqueue(objectKey(g.metadata.namespace, g.metadata.name ?? ''))));
  inf.workloads.on(onAny<Workload>(byGangLabel));
  inf.composites.on(onAny<CompositePodGroup>(byGangLabel));
  inf.podGroups.on(onAny<NativePodGroup>(byGangLabel));
  inf.pods.on(
    onAny((p: Pod) => {
      // Only pods of native groups matter here: a gate to lift, or a PodGroup finalizer to release.
      if (!schedulingGroupOf(p)) return;
      const g = p.metadata?.labels?.[LABEL_PODGANG];
      if (g) controller.enqueue(objectKey(p.metadata?.namespace, g));
    }),
  );
  return { controller, pendingReason: (gang) => reconciler.pendingReason(objectKey(gang.metadata.namespace, gang.metadata.name ?? '')) };
}
