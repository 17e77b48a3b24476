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
import { LABEL_PART_OF, LABEL_PODGANG } from '../../api/keys.js';
import {
  type CompositePodGroup,
  LABEL_NATIVE_PODGANG,
  NATIVE_GATE,
  type NativeObjects,
  baseGangOf,
  baseGangsPending,
  boundStateChanged,
  pinSelector,
  scaledGangPin,
  type NativePodGroup,
  PODGROUP_PROTECTION_FINALIZER,
  type Workload,
  assumeLifted,
  finalizerReleasable,
  immutableDifferences,
  podCliqueSetMinimumBound,
  nativeExtrasRelease,
  nativeObjects,
  nativePendingReason,
  nativeRelease,
  recordedBackend,
  replacementOf,
  schedulingGroupOf,
  stillLifting,
  waitingExtras,
} from '../../api/native/index.js';
import type { PendingReason } from '../../api/status/index.js';
import { applyIfChanged, deleteExact } from '../../controllers/apply.js';
import { forEachLimit } from '../../controllers/context.js';
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
/**
 * Gangs reconciled at once. Their work is writes (a gang's objects are applied one after another), so
 * it waits on kube-apiserver: with 4, a 500-gang deploy's gangs queued behind each other for ~40 s
 * between their pods' arrival and their release.
 */
const NATIVE_CONCURRENCY = 16;
/** Gate lifts of one gang in flight at once. */
const LIFT_CONCURRENCY = 16;
const INDEX_GROUP = 'native-podgroup';
const INDEX_POD_GANG = 'native-pod-podgang';
/** PodGangs by their PodCliqueSet (part-of label): where a gang's unit (api/native/unit.ts) is looked up. */
const INDEX_GANG_PCS = 'native-podgang-pcs';

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
  /** Per gang, the uids of pods whose gate this process lifted and the cache does not show yet. */
  private readonly lifted = new Map<string, ReadonlySet<string>>();
  /**
   * Gangs whose next step depends on the other gangs of their PodCliqueSet: a scaled gang waiting for
   * every replica's base gang, a gang whose extras wait for the whole unit's minimum. Only these are
   * woken by a binding elsewhere in the unit; waking every gang of a 500-replica PodCliqueSet on each
   * pod event made a 1000-pod deploy run ~840,000 passes.
   */
  private readonly unitWaiters = new Set<string>();

  constructor(
    private readonly client: DynamicClient,
    private readonly inf: NativeInformers,
    private readonly onPendingReason: (gangKey: string) => void,
  ) {}

  /** Whether gang `key` waits on the other gangs of its PodCliqueSet (their bindings should wake it). */
  waitsOnUnit(key: string): boolean {
    return this.unitWaiters.has(key);
  }

  /** Why native gang `ns/name` waits, from its leaf PodGroups (for the PodGang's Scheduled condition). */
  pendingReason(gangKey: string): PendingReason | undefined {
    return this.reasons.get(gangKey);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const gang = this.inf.podGangs.store.get(key);
    const held = gang && !gang.metadata.deletionTimestamp && recordedBackend(gang)?.backend === 'native' ? gang : undefined;
    const desired = held ? nativeObjects(held) : undefined;
    await this.releaseFinalizers(key, new Set(desired?.podGroups.map((g) => g.metadata.name ?? '')), signal);
    if (!held || !desired) {
      this.setReason(key, undefined);
      this.lifted.delete(key);
      this.unitWaiters.delete(key);
      return;
    }
    const objectsReady = await this.ensureObjects(key, desired, held.metadata.namespace, log, signal);
    const { waiting, baseGangs } = await this.release(key, held, objectsReady, log, signal);
    const groups = new Map(this.inf.podGroups.store.byIndex(INDEX_GANG, key).map((g) => [g.metadata.name ?? '', g]));
    this.setReason(key, baseGangs ?? nativePendingReason(held, groups));
    // The base gang's bound pods are seen by another key's events; look again shortly.
    if (waiting) return { requeueAfterMs: 1_000 };
  }

  /**
   * Apply every object; true when all exist (none being deleted) in the caches with the immutable
   * fields the gang asks for, or with those its bound pods were placed under (replace.ts).
   */
  private async ensureObjects(key: string, desired: NativeObjects, ns: string | undefined, log: Logger, signal: AbortSignal): Promise<boolean> {
    const gangPods = this.inf.pods.store.byIndex(INDEX_POD_GANG, key);
    // Top-down, one after another: kube-scheduler evaluates siblings in creation order.
    await this.apply(NATIVE_RESOURCES.workloads, this.inf.workloads, desired.workload, log, signal);
    let settled = true;
    for (const c of desired.composites) settled = (await this.ensure(NATIVE_RESOURCES.compositePodGroups, this.inf.composites, c, gangPods, log, signal)) && settled;
    for (const g of desired.podGroups) settled = (await this.ensure(NATIVE_RESOURCES.podGroups, this.inf.podGroups, g, gangPods, log, signal)) && settled;

    const live = (have: ObjectLike | undefined) => have !== undefined && !have.metadata?.deletionTimestamp;
    const name = (o: ObjectLike) => o.metadata?.name ?? '';
    return (
      settled &&
      live(this.inf.workloads.store.getByName(ns, name(desired.workload))) &&
      desired.composites.every((c) => live(this.inf.composites.store.getByName(ns, name(c)))) &&
      desired.podGroups.every((g) => live(this.inf.podGroups.store.getByName(ns, name(g))))
    );
  }

  /**
   * A CompositePodGroup or PodGroup: replaced while its immutable fields differ from the desired ones
   * and no pod of the gang is bound, kept as it is once one is, else applied. False while it is
   * being replaced.
   */
  private async ensure<T extends CompositePodGroup | NativePodGroup>(r: Resource<T>, inf: Informer<T>, desired: T, gangPods: readonly Pod[], log: Logger, signal: AbortSignal): Promise<boolean> {
    const observed = inf.store.getByName(desired.metadata.namespace, desired.metadata.name ?? '');
    if (observed && !observed.metadata.deletionTimestamp) {
      const decision = replacementOf(immutableDifferences(observed, desired), gangPods);
      if (decision.action === 'replace') {
        log.info({ kind: r.kind, name: desired.metadata.name, why: decision.why }, 'replacing a native object whose immutable fields the gang no longer matches');
        await deleteExact(this.client, r, observed, signal);
        return false;
      }
      if (decision.action === 'keep') {
        log.debug({ kind: r.kind, name: desired.metadata.name, why: decision.why }, 'keeping a native object the gang was placed under');
        return true;
      }
    }
    await this.apply(r, inf, desired, log, signal);
    return true;
  }

  /**
   * Lift the native gate on the members of the gang's PodGroups once `nativeRelease` says so, and on
   * its extras once `nativeExtrasRelease` does (pinned to their PodClique's domains); a scaled gang's
   * pods are pinned to its base gang's domain too, and wait until the base gang of every replica has
   * its minimum (`baseGangs` says so). `waiting` when some wait for a domain to be known.
   */
  private async release(key: string, gang: PodGang, objectsReady: boolean, log: Logger, signal: AbortSignal): Promise<{ waiting: boolean; baseGangs?: PendingReason }> {
    const ns = gang.metadata.namespace;
    const pods = this.podsAssumingLifts(key);
    const nodeLabels = (n: string) => this.inf.nodes.store.getByName(undefined, n)?.metadata?.labels;
    const baseGangs = this.baseGangsPending(gang, pods);
    if (baseGangs) {
      this.unitWaiters.add(key);
      log.debug({ gang: key, why: baseGangs.message }, 'scaled native gang waits for the base gangs of its PodCliqueSet');
      return { waiting: false, baseGangs };
    }
    const members = nativeRelease(gang, pods, objectsReady);
    // The unit's gangs are read only for a gang with extras to release: for most gangs of a large
    // PodCliqueSet there are none, and reading the unit costs all of its pods.
    const hasExtras = objectsReady && waitingExtras(gang, pods).length > 0;
    const unitBound = hasExtras && this.unitMinimumBound(gang);
    if (hasExtras && !unitBound) this.unitWaiters.add(key);
    else this.unitWaiters.delete(key);
    const extras = unitBound ? nativeExtrasRelease(gang, pods, true, nodeLabels) : [];
    const lift: { pod: Pod; selector: Record<string, string> }[] = members.map((pod) => ({ pod, selector: {} }));
    let waiting = false;
    for (const e of extras) {
      if ('selector' in e) lift.push(e);
      else {
        waiting = true;
        log.info({ gang: key, pod: e.pod.metadata?.name, why: e.wait }, 'native extra pod waits for its domain');
      }
    }
    if (lift.length === 0) return { waiting };
    const baseName = baseGangOf(
      lift.map((l) => l.pod),
      gang.metadata.name ?? '',
    );
    const pinned = baseName ? scaledGangPin(this.inf.podGangs.store.getByName(ns, baseName), this.inf.pods.store.byIndex(INDEX_POD_GANG, objectKey(ns, baseName)), nodeLabels) : { pin: undefined };
    if ('wait' in pinned) {
      log.info({ gang: key, why: pinned.wait }, "scaled native gang waits for its base gang's domain");
      return { waiting: true };
    }
    // Together, not one after another: kube-scheduler pops the gang's root with the members queued at
    // that moment, and a gang caught half-released fails its cycle and waits out a backoff.
    await forEachLimit(lift, LIFT_CONCURRENCY, ({ pod, selector }) => this.lift(key, pod, { ...pinSelector(pod, pinned.pin), ...selector }, signal));
    log.info(
      { gang: key, pods: members.length, extras: lift.length - members.length, ...(pinned.pin ? { pin: `${pinned.pin.key}=${pinned.pin.value}` } : {}) },
      'released native gang',
    );
    return { waiting };
  }

  /** For a scaled gang, why it waits for the base gangs of the other replicas (api/native/status.ts). */
  private baseGangsPending(gang: PodGang, pods: readonly Pod[]): PendingReason | undefined {
    const pcs = gang.metadata.labels?.[LABEL_PART_OF];
    if (!pcs || baseGangOf(pods, gang.metadata.name ?? '') === undefined) return undefined;
    return baseGangsPending(pcs, gangsOfSamePodCliqueSet(this.inf.podGangs, gang), (g) => this.podsOf(g));
  }

  /** The gang's pods from the cache, with the lifts this process sent and the cache does not show yet applied. */
  private podsAssumingLifts(key: string): Pod[] {
    const cached = this.inf.pods.store.byIndex(INDEX_POD_GANG, key);
    const lifting = stillLifting(cached, this.lifted.get(key) ?? new Set());
    if (lifting.size > 0) this.lifted.set(key, lifting);
    else this.lifted.delete(key);
    return assumeLifted(cached, lifting);
  }

  /** Lift the native gate on `pod`, adding `selector` to its nodeSelector in the same write. */
  private async lift(key: string, pod: Pod, selector: Record<string, string>, signal: AbortSignal): Promise<void> {
    const gates = (pod.spec?.schedulingGates ?? []).filter((g) => g.name !== NATIVE_GATE).map((g) => ({ name: g.name }));
    const spec = Object.keys(selector).length > 0 ? { schedulingGates: gates, nodeSelector: selector } : { schedulingGates: gates };
    try {
      await this.client.patch(RESOURCES.pods, pod.metadata?.name ?? '', pod.metadata?.namespace, { spec }, { signal, priority: 'release' });
      const uid = pod.metadata?.uid;
      if (uid) this.lifted.set(key, new Set([...(this.lifted.get(key) ?? []), uid]));
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'NotFound')) throw err;
    }
  }

  /** Whether every gang of `gang`'s PodCliqueSet (all replicas) has its minimum bound: its extras may go. */
  private unitMinimumBound(gang: PodGang): boolean {
    return podCliqueSetMinimumBound(gangsOfSamePodCliqueSet(this.inf.podGangs, gang), (g) => this.podsOf(g));
  }

  private podsOf(gang: PodGang): Pod[] {
    return this.inf.pods.store.byIndex(INDEX_POD_GANG, objectKey(gang.metadata.namespace, gang.metadata.name ?? ''));
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

  /**
   * Lift PodGroupProtection from this gang's PodGroups being deleted once their pods are gone, or,
   * for one the gang still wants (`wanted`: copse replaces it), once none of its pods is bound.
   */
  private async releaseFinalizers(key: string, wanted: ReadonlySet<string>, signal: AbortSignal): Promise<void> {
    for (const pg of this.inf.podGroups.store.byIndex(INDEX_GANG, key)) {
      const name = pg.metadata.name ?? '';
      const members = this.inf.pods.store.byIndex(INDEX_GROUP, objectKey(pg.metadata.namespace, name));
      if (finalizerReleasable(pg, members, wanted.has(name))) await removeFinalizer(this.client, NATIVE_RESOURCES.podGroups, pg, PODGROUP_PROTECTION_FINALIZER, signal);
    }
  }
}

function gangsOfSamePodCliqueSet(podGangs: Informer<PodGang>, gang: PodGang): PodGang[] {
  const pcs = gang.metadata.labels?.[LABEL_PART_OF];
  return pcs ? podGangs.store.byIndex(INDEX_GANG_PCS, objectKey(gang.metadata.namespace, pcs)) : [gang];
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
  inf.podGangs.store.addIndex(INDEX_GANG_PCS, byLabel(LABEL_PART_OF));
  inf.pods.store.addIndex(INDEX_GROUP, (p) => {
    const g = schedulingGroupOf(p as Pod);
    return g ? [objectKey(p.metadata?.namespace, g)] : [];
  });
  inf.workloads.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));
  inf.composites.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));
  inf.podGroups.store.addIndex(INDEX_GANG, byLabel(LABEL_NATIVE_PODGANG));

  const reconciler = new NativeGangReconciler(factory.client.as(FIELD_MANAGERS.native), inf, opts.onPendingReason);
  const controller = new Controller(reconciler, { name: 'native-gang', concurrency: NATIVE_CONCURRENCY, initialKeys: () => inf.podGangs.store.keys(), log: opts.log });
  manager.add(controller);

  const byGangLabel = (o: ObjectLike) => {
    const g = o.metadata?.labels?.[LABEL_NATIVE_PODGANG];
    if (g) controller.enqueue(objectKey(o.metadata?.namespace, g));
  };
  const onAny = <T>(fn: (o: T) => void) => ({ add: fn, update: (_o: T, n: T) => fn(n), delete: fn });
  // A gang's own changes wake it; one that goes or starts going changes its unit's minimum too.
  const wakeUnitWaiters = (ns: string | undefined, unit: readonly PodGang[]) => {
    for (const other of unit) {
      const key = objectKey(ns, other.metadata.name ?? '');
      if (reconciler.waitsOnUnit(key)) controller.enqueue(key);
    }
  };
  inf.podGangs.on({
    add: (g) => controller.enqueue(objectKey(g.metadata.namespace, g.metadata.name ?? '')),
    update: (old, g) => {
      controller.enqueue(objectKey(g.metadata.namespace, g.metadata.name ?? ''));
      if (!old.metadata.deletionTimestamp && g.metadata.deletionTimestamp) wakeUnitWaiters(g.metadata.namespace, gangsOfSamePodCliqueSet(inf.podGangs, g));
    },
    delete: (g) => {
      controller.enqueue(objectKey(g.metadata.namespace, g.metadata.name ?? ''));
      wakeUnitWaiters(g.metadata.namespace, gangsOfSamePodCliqueSet(inf.podGangs, g));
    },
  });
  inf.workloads.on(onAny<Workload>(byGangLabel));
  inf.composites.on(onAny<CompositePodGroup>(byGangLabel));
  inf.podGroups.on(onAny<NativePodGroup>(byGangLabel));
  // `p` is the pod as last seen; `before`/`after` are its states around the event (undefined: absent).
  const onPod = (p: Pod, before: Pod | undefined, after: Pod | undefined) => {
    // Only pods of native gangs matter here: members of their groups (a gate to lift, a PodGroup
    // finalizer to release, even once the gang is gone) and extras (a gate to lift; their binding
    // counts for the unit's minimum).
    const g = p.metadata?.labels?.[LABEL_PODGANG];
    if (!g) return;
    const ns = p.metadata?.namespace;
    const gang = inf.podGangs.store.getByName(ns, g);
    if (!schedulingGroupOf(p) && (!gang || recordedBackend(gang)?.backend !== 'native')) return;
    controller.enqueue(objectKey(ns, g));
    // A pod bound (or gone) in one gang may free the gangs of its PodCliqueSet that wait on the unit.
    if (gang && boundStateChanged(before, after)) wakeUnitWaiters(ns, gangsOfSamePodCliqueSet(inf.podGangs, gang));
  };
  inf.pods.on({
    add: (p) => onPod(p, undefined, p),
    update: (old, p) => onPod(p, old, p),
    delete: (p) => onPod(p, p, undefined),
  });
  return { controller, pendingReason: (gang) => reconciler.pendingReason(objectKey(gang.metadata.namespace, gang.metadata.name ?? '')) };
}
