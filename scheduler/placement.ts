// The placement controller: gang scheduling on a stock kube-scheduler. Pods of a gang wait behind
// copse's placement gate; once a gang's minimum is free of every other gate, the planner (pure,
// scheduler/plan) looks for a node for each of them inside the topology domains the gang asks for,
// against the cluster as the informers see it, with every other gang's reservations held back. When
// the whole minimum fits, the gates of all those pods are lifted at once, each pod pinned to its node
// (scheduler/placement-gate.ts); when it does not, nothing is lifted and the planner's reason goes to
// the PodGang's status and an event. kube-scheduler then binds the pods where they were planned; the
// extender keeps other pods off the reserved capacity meanwhile.
//
// A planning unit is one PodCliqueSet replica: its base gang and its scaled gangs share the replica's
// required domain (grove#648). All units are planned in one pass, oldest first, against one snapshot
// that each plan's reservations are added to, so two gangs never count the same free capacity.
// A reservation that kube-scheduler cannot honour (the node went away, another pod took the space)
// expires: its unbound pods are deleted, the PodClique controller recreates them gated, and the gang
// is planned again. A gang left partly bound with no room for the rest is unwound whole after a while
// (scheduler/partial-gang.ts).
import type { Logger } from 'pino';
import type { Node, Pod } from '../api/core/wire.js';
import type { ClusterTopologyBinding, PodClique, PodCliqueSet, PodGang } from '../api/index.js';
import { wasEverAvailable } from '../api/status/ever-available.js';
import { partialGangDecision } from './partial-gang.js';
import { topologyNameOf } from '../api/desired/topology.js';
import { replicaSpreadOf, spreadKey } from '../api/rules/replica-spread.js';
import { LABEL_BASE_PODGANG, LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG } from '../api/keys.js';
import type { PendingReason } from '../api/status/index.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import type { ReconcileResult, Reconciler } from '../controllers/runtime/controller.js';
import type { EventRecorder } from '../controllers/runtime/events.js';
import type { Informer } from '../controllers/runtime/informer.js';
import {
  gangFromPodGang,
  indexCluster,
  pinPlanned,
  planReservations,
  planUnit,
  podRequests,
  type ClusterIndex,
  type GangInput,
  type PlanUnit,
  type Reservation,
  type SpreadConstraint,
  type UnitPlan,
  withExtras,
} from './plan/index.js';
import { ANNOTATION_PLANNED_AT, HOSTNAME_LABEL, isReserved, placementPatch, plannedNode, readyForPlacement } from './placement-gate.js';
import type { NodeUsage } from './usage.js';

export const PLACEMENT_KEY = 'cluster';

export interface PlacementContext {
  client: DynamicClient;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  podGangs: Informer<PodGang>;
  pcs: Informer<PodCliqueSet>;
  topologies: Informer<ClusterTopologyBinding>;
  usage: NodeUsage;
  events: EventRecorder;
  /** A gang's pending reason changed (undefined: cleared); the PodGang status controller shows it. */
  onPendingReason: (gangKey: string) => void;
  reservationTimeoutMs: number;
  /** PodCliques, for whether a gang has ever run (scheduler/partial-gang.ts). */
  podCliques: Informer<PodClique>;
  /** How long a partly bound gang that finds no room for the rest keeps its bound part (0: forever). */
  partialGangTimeoutMs: number;
  now: () => Date;
}

/** The unit (PCS replica) a pod belongs to: its base gang. */
function unitOf(pod: Pod): string | undefined {
  const labels = pod.metadata?.labels;
  const gang = labels?.[LABEL_BASE_PODGANG] ?? labels?.[LABEL_PODGANG];
  return gang ? objectKey(pod.metadata?.namespace, gang) : undefined;
}

/**
 * One pass's pods and gangs grouped once, so that no unit scans every pod or gang of the cluster:
 * with thousands of units waiting that was a pass of seconds (10,000 pods: the event loop blocked
 * for 17 s at a time).
 */
interface PassIndex {
  /** Units with a pod waiting only for the placement gate. */
  readonly waitingUnits: ReadonlySet<string>;
  /** Every pod of each unit, by unit key (`ns/base gang`). */
  readonly unitPods: ReadonlyMap<string, readonly Pod[]>;
  /** Pods by PodCliqueSet (`ns/pcs`, the part-of label). */
  readonly pcsPods: ReadonlyMap<string, readonly Pod[]>;
  /** Live gangs by PodCliqueSet (`ns/pcs`). */
  readonly pcsGangs: ReadonlyMap<string, readonly PodGang[]>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function passIndex(pods: readonly Pod[], gangs: readonly PodGang[]): PassIndex {
  const waitingUnits = new Set<string>();
  const unitPods = new Map<string, Pod[]>();
  const pcsPods = new Map<string, Pod[]>();
  const pcsGangs = new Map<string, PodGang[]>();
  for (const p of pods) {
    const u = unitOf(p);
    if (u) {
      push(unitPods, u, p);
      if (readyForPlacement(p)) waitingUnits.add(u);
    }
    const pcs = p.metadata?.labels?.[LABEL_PART_OF];
    if (pcs) push(pcsPods, objectKey(p.metadata?.namespace, pcs), p);
  }
  for (const g of gangs) {
    const pcs = g.metadata.labels?.[LABEL_PART_OF];
    if (pcs && !g.metadata.deletionTimestamp) push(pcsGangs, objectKey(g.metadata.namespace, pcs), g);
  }
  return { waitingUnits, unitPods, pcsPods, pcsGangs };
}

/** The live gangs of `base`'s PodCliqueSet (none when it has no part-of label). */
function gangsOfPodCliqueSet(ix: PassIndex, base: PodGang | undefined): readonly PodGang[] {
  const pcs = base?.metadata.labels?.[LABEL_PART_OF];
  return base && pcs ? (ix.pcsGangs.get(objectKey(base.metadata.namespace, pcs)) ?? []) : [];
}

/** The gangs of the pass the planner could not place (plans[i].gangs follow work[i].gangs). */
function unplacedGangs(work: readonly UnitWork[], plans: readonly UnitPlan[]): PodGang[] {
  const out: PodGang[] = [];
  work.forEach((w, i) =>
    plans[i]?.gangs.forEach((g, j) => {
      const gang = w.gangs[j];
      if (g.status !== 'placed' && gang) out.push(gang);
    }),
  );
  return out;
}

/** The pods of `gangs`, by `ns/gang`. */
function podsOfGangs(pods: readonly Pod[], gangs: readonly PodGang[]): Map<string, Pod[]> {
  const out = new Map(gangs.map((g) => [objectKey(g.metadata.namespace, g.metadata.name ?? ''), [] as Pod[]]));
  for (const p of pods) out.get(objectKey(p.metadata?.namespace, p.metadata?.labels?.[LABEL_PODGANG] ?? ''))?.push(p);
  return out;
}

/** The earlier of two requeues (either may be none). */
function soonestOf(a: ReconcileResult | void, b: ReconcileResult | void): ReconcileResult | void {
  const ms = [a?.requeueAfterMs, b?.requeueAfterMs].filter((x): x is number => x !== undefined);
  return ms.length > 0 ? { requeueAfterMs: Math.min(...ms) } : undefined;
}

function creationOf(obj: { metadata?: { creationTimestamp?: string; name?: string } } | undefined): string {
  return `${obj?.metadata?.creationTimestamp ?? ''}/${obj?.metadata?.name ?? ''}`;
}

/** Pods that hold capacity without being bound: reservations, for the planner's snapshot. */
function reservationsOf(pods: readonly Pod[]): Reservation[] {
  return pods.filter(isReserved).map((p) => ({ nodeName: plannedNode(p) ?? '', requests: p.spec ? podRequests(p.spec) : {} }));
}

/**
 * A reservation kube-scheduler cannot honour: older than `timeoutMs`, and its node is gone or cordoned,
 * or kube-scheduler reports the pod unschedulable there.
 */
export function reservationExpired(pod: Pod, node: Node | undefined, nowMs: number, timeoutMs: number): boolean {
  const at = Date.parse(pod.metadata?.annotations?.[ANNOTATION_PLANNED_AT] ?? '');
  if (!(nowMs - at > timeoutMs)) return false;
  if (!node || node.spec?.unschedulable) return true;
  return pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') ?? false;
}

/** Live pods bound or reserved, counted by `ns/gang/podclique`. */
function heldPerPodGroup(pods: readonly Pod[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const p of pods) {
    const gang = p.metadata?.labels?.[LABEL_PODGANG];
    if (!gang || p.metadata?.deletionTimestamp || !(p.spec?.nodeName || isReserved(p))) continue;
    const key = `${objectKey(p.metadata?.namespace, gang)}/${p.metadata?.labels?.[LABEL_PODCLIQUE] ?? ''}`;
    held.set(key, (held.get(key) ?? 0) + 1);
  }
  return held;
}

/** Whether every pod group of `gang` has minReplicas pods bound or reserved (`held`: heldPerPodGroup). */
function minimumHeld(gang: PodGang, held: ReadonlyMap<string, number>): boolean {
  const key = objectKey(gang.metadata.namespace, gang.metadata.name ?? '');
  return gang.spec.podgroups.every((pg) => (held.get(`${key}/${pg.name}`) ?? 0) >= pg.minReplicas);
}

/** One planning unit of a placement pass. */
export interface PassUnit {
  readonly unit: PlanUnit;
  /** Namespace of the unit's pods: `planned` keys are `namespace/pod`. */
  readonly namespace: string | undefined;
  /** The unit's PodCliqueSet: the replicas of one PodCliqueSet place no extras while one of them waits. */
  readonly group: string;
  /** The unit's replica spread, given the pods planned earlier in the pass (`namespace/pod` → node). */
  readonly spread?: (planned: ReadonlyMap<string, string>) => SpreadConstraint | undefined;
}

/**
 * One placement pass over `units` (oldest first) against one snapshot, pure. First every unit's
 * minimums, each unit's reservations added before the next is planned, so two gangs never count the
 * same free capacity; then the pods beyond the minimums, with the room left, and only for the units
 * of a PodCliqueSet all of whose gangs have their minimum: placed in this pass, or bound or reserved
 * already (`shortGroups` names the PodCliqueSets with a gang outside the pass that lacks it). This is
 * Grove's order across replicas (GS10, GS12): the base gangs of every replica, then their scaled
 * gangs, then the pods beyond; and it does not depend on how the free capacity arrives (nodes
 * uncordoned one by one give the same outcome as all at once).
 */
export function planPass(units: readonly PassUnit[], cluster: ClusterIndex, shortGroups: ReadonlySet<string> = new Set()): UnitPlan[] {
  let index = cluster;
  const planned = new Map<string, string>();
  const record = (u: PassUnit, plan: UnitPlan, extrasOnly: boolean) => {
    for (const g of plan.gangs) {
      if (g.status === 'placed') for (const p of extrasOnly ? g.extras : [...g.placements, ...g.extras]) planned.set(objectKey(u.namespace, p.pod), p.node);
    }
  };
  const minimums = units.map((u) => {
    const spread = u.spread?.(planned);
    const unit = spread ? { ...u.unit, spread } : u.unit;
    const plan = planUnit(unit, index, { extras: false });
    index = index.reserve(planReservations(unit, plan));
    record(u, plan, false);
    return { unit, plan };
  });
  const short = new Set(shortGroups);
  units.forEach((u, i) => {
    if (minimums[i]?.plan.gangs.some((g) => g.status !== 'placed')) short.add(u.group);
  });
  return minimums.map(({ unit, plan }, i) => {
    const u = units[i];
    if (!u || short.has(u.group) || plan.gangs.every((g) => g.status !== 'placed' || g.unplacedExtras.length === 0)) return plan;
    const pinned = pinPlanned(unit, plan);
    const more = planUnit(pinned, index);
    index = index.reserve(planReservations(pinned, more));
    record(u, more, true);
    return withExtras(plan, more);
  });
}

export class PendingReasons {
  private readonly reasons = new Map<string, PendingReason>();

  get(gangKey: string): PendingReason | undefined {
    return this.reasons.get(gangKey);
  }

  /** True when it changed. */
  set(gangKey: string, reason: PendingReason | undefined): boolean {
    const prev = this.reasons.get(gangKey);
    if (prev?.message === reason?.message && prev?.reason === reason?.reason) return false;
    if (reason) this.reasons.set(gangKey, reason);
    else this.reasons.delete(gangKey);
    return true;
  }
}

interface UnitWork {
  key: string;
  unit: PlanUnit;
  gangs: PodGang[];
  pods: Map<string, Pod>;
}

export class PlacementReconciler implements Reconciler {
  constructor(
    private readonly ctx: PlacementContext,
    readonly pending: PendingReasons,
  ) {}

  /**
   * Pods this reconciler lifted, as the apiserver returned them, until the informer catches up: a
   * pass that ran on the stale cache would plan those pods a second time and leave their capacity
   * unreserved for other gangs.
   */
  private readonly lifted = new Map<string, Pod>();

  /**
   * The pods as the informer sees them, with this reconciler's own writes laid over stale entries.
   * Called on every pass: only the (few) lifted pods are looked at one by one, never a key per pod.
   */
  private podsView(): Pod[] {
    const cached = this.ctx.pods.store.list();
    if (this.lifted.size === 0) return cached;
    const over = new Map<Pod, Pod>();
    for (const [key, mine] of this.lifted) {
      const p = this.ctx.pods.store.get(key);
      if (p && mine.metadata?.uid === p.metadata?.uid && readyForPlacement(p)) over.set(p, mine);
      else this.lifted.delete(key);
    }
    return over.size === 0 ? cached : cached.map((p) => over.get(p) ?? p);
  }

  async reconcile(_key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const expiredSoon = await this.expireReservations(log, signal);
    const allPods = this.podsView();
    const ix = passIndex(allPods, this.ctx.podGangs.store.list());
    const work = this.units(ix);
    if (work.length === 0) return expiredSoon;
    const index = indexCluster({ nodes: this.ctx.nodes.store.list(), pods: allPods, reservations: reservationsOf(allPods) });
    const pass: PassUnit[] = work.map((w) => {
      const base = w.gangs[0];
      return {
        unit: w.unit,
        namespace: base?.metadata.namespace,
        group: this.groupOf(w),
        spread: (planned) => (base ? this.spreadFor(w.key, base, ix, planned) : undefined),
      };
    });
    const plans = planPass(pass, index, this.shortGroups(work, allPods, ix));
    const patches = work.flatMap((w, i) => {
      const plan = plans[i];
      return plan ? this.outcome(w, plan, log) : [];
    });
    await this.lift(patches, log, signal);
    const unwindSoon = await this.unwindPartialGangs(work, plans, allPods, log, signal);
    return soonestOf(expiredSoon, unwindSoon);
  }

  /** The unit's PodCliqueSet, `ns/name` (the unit alone when its gang has no part-of label). */
  private groupOf(w: UnitWork): string {
    const base = w.gangs[0];
    const pcs = base?.metadata.labels?.[LABEL_PART_OF];
    return pcs ? objectKey(base.metadata.namespace, pcs) : `unit:${w.key}`;
  }

  /**
   * The PodCliqueSets of `work` with a gang outside the pass that lacks its minimum (fewer than
   * minReplicas pods of a pod group bound or reserved): a scaled gang still behind Grove's gate until
   * its base gang is scheduled, a gang whose pods are not all created yet.
   */
  private shortGroups(work: readonly UnitWork[], allPods: readonly Pod[], ix: PassIndex): Set<string> {
    const inPass = new Set(work.flatMap((w) => w.gangs.map((g) => objectKey(g.metadata.namespace, g.metadata.name ?? ''))));
    const held = heldPerPodGroup(allPods);
    const short = new Set<string>();
    // The answer is the PodCliqueSet's, whichever of its units asks: once per PodCliqueSet.
    const checked = new Set<string>();
    for (const w of work) {
      const group = this.groupOf(w);
      if (checked.has(group)) continue;
      checked.add(group);
      const outside = gangsOfPodCliqueSet(ix, w.gangs[0]).filter((g) => !inPass.has(objectKey(g.metadata.namespace, g.metadata.name ?? '')));
      if (outside.some((g) => !minimumHeld(g, held))) short.add(group);
    }
    return short;
  }

  /** Every unit with a pod waiting only for copse's placement gate, oldest base gang first. */
  private units(ix: PassIndex): UnitWork[] {
    const { podGangs } = this.ctx;
    const out: UnitWork[] = [];
    for (const key of ix.waitingUnits) {
      const base = podGangs.store.get(key);
      if (!base || base.metadata.deletionTimestamp) continue;
      const w = this.unitWork(key, base, ix.unitPods.get(key) ?? []);
      if (w) out.push(w);
    }
    return out.sort((a, b) => creationOf(a.gangs[0]).localeCompare(creationOf(b.gangs[0])));
  }

  /** `members`: the unit's pods, every pod of the base gang or of a gang whose base is this one. */
  private unitWork(key: string, base: PodGang, members: readonly Pod[]): UnitWork | undefined {
    const { podGangs } = this.ctx;
    const ns = base.metadata.namespace;
    const gangNames = [...new Set(members.map((p) => p.metadata?.labels?.[LABEL_PODGANG] ?? ''))].filter((g) => g && g !== base.metadata.name).sort();
    const scaled = gangNames.map((g) => podGangs.store.getByName(ns, g)).filter((g): g is PodGang => g !== undefined && !g.metadata.deletionTimestamp);
    // Only pods free of every other gate (or already placed) take part: a gang waits whole otherwise.
    const eligible = new Map(
      members.filter((p) => readyForPlacement(p) || Boolean(p.spec?.nodeName) || isReserved(p)).map((p) => [p.metadata?.name ?? '', p] as const),
    );
    const reserved = new Map([...eligible.values()].filter(isReserved).map((p) => [p.metadata?.name ?? '', plannedNode(p) ?? ''] as const));
    const gangs: GangInput[] = [];
    const kept: PodGang[] = [];
    for (const g of [base, ...scaled]) {
      const input = gangFromPodGang(g, eligible, reserved);
      const complete = input.podGroups.every((pg, i) => pg.pods.length >= (g.spec.podgroups[i]?.minReplicas ?? 0));
      // The base gang anchors the unit: without it whole, nothing is planned.
      if (!complete && g === base) return undefined;
      if (complete) {
        gangs.push(input);
        kept.push(g);
      }
    }
    const pack = gangs[0]?.pack;
    return { key, unit: { name: base.metadata.name ?? key, gangs, ...(pack?.required ? { pack: { required: pack.required } } : {}) }, gangs: kept, pods: eligible };
  }

  /**
   * The PodCliqueSet's replica spread (scheduling.copse.io/replica-spread-*) as the planner's
   * constraint: the domains of the spread level that the other replicas' bound, reserved or (earlier
   * in this pass) planned pods use.
   */
  private spreadFor(unitKey: string, base: PodGang, ix: PassIndex, planned: ReadonlyMap<string, string>): SpreadConstraint | undefined {
    const ns = base.metadata.namespace;
    const pcsName = base.metadata.labels?.[LABEL_PART_OF];
    const pcs = pcsName ? this.ctx.pcs.store.getByName(ns, pcsName) : undefined;
    const spread = pcs ? replicaSpreadOf(pcs) : undefined;
    if (!pcs || !pcsName || !spread) return undefined;
    const topologyName = topologyNameOf(pcs);
    const key = spreadKey(spread, topologyName ? this.ctx.topologies.store.getByName(undefined, topologyName) : undefined);
    if (!key) return undefined;
    // Other replicas: the other units of the same PodCliqueSet.
    const siblings = (ix.pcsPods.get(objectKey(ns, pcsName)) ?? []).filter((p) => unitOf(p) !== unitKey && !p.metadata?.deletionTimestamp);
    return { key, required: spread.required, usedDomains: this.domainsOf(siblings, key, planned) };
  }

  /** Values of `key` on the nodes the pods are bound, reserved or planned to. */
  private domainsOf(pods: readonly Pod[], key: string, planned: ReadonlyMap<string, string>): string[] {
    const used = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName ?? plannedNode(p) ?? planned.get(objectKey(p.metadata?.namespace, p.metadata?.name ?? ''));
      const value = node ? this.ctx.nodes.store.getByName(undefined, node)?.metadata?.labels?.[key] : undefined;
      if (value) used.add(value);
    }
    return [...used].sort();
  }


  /** Pods to lift for placed gangs; reasons for the others. */
  private outcome(w: UnitWork, plan: UnitPlan, log: Logger): { pod: Pod; node: string }[] {
    const lifts: { pod: Pod; node: string }[] = [];
    plan.gangs.forEach((g, i) => {
      const gang = w.gangs[i];
      if (!gang) return;
      const gangKey = objectKey(gang.metadata.namespace, gang.metadata.name ?? '');
      if (g.status === 'placed') {
        for (const p of [...g.placements, ...g.extras]) {
          const pod = w.pods.get(p.pod);
          if (pod && readyForPlacement(pod)) lifts.push({ pod, node: p.node });
        }
        if (g.placements.length) {
          const where = g.domains.map((d) => `${d.key}=${d.value}`).join(', ');
          log.info({ gang: gangKey, pods: g.placements.length, extras: g.extras.length, domains: where }, 'gang placed');
          this.event(gang, 'Normal', 'GangPlaced', `placed ${g.placements.length} pods of PodGang ${gang.metadata.name ?? ''}${where ? ` in ${where}` : ''}`);
        }
        this.setReason(gangKey, undefined);
      } else {
        this.event(gang, 'Warning', 'GangUnschedulable', `PodGang ${gang.metadata.name ?? ''}: ${g.reason}`);
        this.setReason(gangKey, { reason: 'Unschedulable', message: g.reason });
      }
    });
    return lifts;
  }

  /**
   * Gangs the planner could not place that are partly bound: their bound pods are deleted once the
   * gang has waited `partialGangTimeoutMs` without progress (partial-gang.ts says why and when).
   * Returns when to look again for the gangs still waiting for that.
   */
  private async unwindPartialGangs(work: readonly UnitWork[], plans: readonly UnitPlan[], allPods: readonly Pod[], log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const failed = unplacedGangs(work, plans);
    if (failed.length === 0 || this.ctx.partialGangTimeoutMs <= 0) return undefined;
    const podsByGang = podsOfGangs(allPods, failed);
    let soonest: number | undefined;
    for (const gang of failed) {
      const ns = gang.metadata.namespace;
      const d = partialGangDecision({
        gang,
        pods: podsByGang.get(objectKey(ns, gang.metadata.name ?? '')) ?? [],
        everAvailable: (name) => wasEverAvailable(this.ctx.podCliques.store.getByName(ns, name)?.status?.conditions),
        nowMs: this.ctx.now().getTime(),
        timeoutMs: this.ctx.partialGangTimeoutMs,
      });
      if (d.action === 'wait') soonest = Math.min(soonest ?? Infinity, d.afterMs);
      if (d.action !== 'unwind') continue;
      log.warn({ gang: objectKey(ns, gang.metadata.name ?? ''), pods: d.pods.map((p) => p.metadata?.name) }, 'unwinding a partly bound gang');
      this.event(gang, 'Warning', 'PartialGangUnwound', d.message);
      for (const p of d.pods) await this.deletePod(p, signal);
    }
    return soonest === undefined ? undefined : { requeueAfterMs: Math.max(1000, soonest) };
  }

  /** Delete exactly this pod (its uid): gone or replaced already is fine. */
  private async deletePod(p: Pod, signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.client.delete(RESOURCES.pods, p.metadata?.name ?? '', p.metadata?.namespace, { uid: p.metadata?.uid, signal });
    } catch (err) {
      if (!(err instanceof KubeError && (err.kind === 'NotFound' || err.kind === 'Conflict'))) throw err;
    }
  }

  private setReason(gangKey: string, reason: PendingReason | undefined): void {
    if (this.pending.set(gangKey, reason)) this.ctx.onPendingReason(gangKey);
  }

  private event(gang: PodGang, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const pcsName = gang.metadata.labels?.[LABEL_PART_OF];
    const pcs = pcsName ? this.ctx.pcs.store.getByName(gang.metadata.namespace, pcsName) : undefined;
    this.ctx.events.record(pcs ? { ...pcs, apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet' } : { ...gang, apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang' }, type, reason, message);
  }

  /** Lift the placement gate of every planned pod, in parallel, each pinned to its node. */
  private async lift(patches: readonly { pod: Pod; node: string }[], log: Logger, signal: AbortSignal): Promise<void> {
    if (patches.length === 0) return;
    const now = this.ctx.now().toISOString();
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      for (let p = patches[next++]; p; p = patches[next++]) {
        try {
          await this.liftOne(p.pod, p.node, now, signal);
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, patches.length) }, worker));
    log.info({ pods: patches.length }, 'lifted placement gates');
    if (failure !== undefined) throw failure;
  }

  private async liftOne(pod: Pod, node: string, now: string, signal: AbortSignal): Promise<void> {
    const hostname = this.ctx.nodes.store.getByName(undefined, node)?.metadata?.labels?.[HOSTNAME_LABEL];
    try {
      const updated = await this.ctx.client.patch(RESOURCES.pods, pod.metadata?.name ?? '', pod.metadata?.namespace, placementPatch(pod, { name: node, hostname }, now), { signal, priority: 'release' });
      // Count the reservation at once: the extender and the next pass must not wait for the informer.
      this.ctx.usage.setPod(updated);
      this.lifted.set(objectKey(updated.metadata?.namespace, updated.metadata?.name ?? ''), updated);
    } catch (err) {
      // Gone, or changed since it was read (the patch carries its resourceVersion): the informer
      // brings the new state and the next pass plans from it.
      if (err instanceof KubeError && (err.kind === 'NotFound' || err.kind === 'Conflict')) return;
      throw err;
    }
  }

  /**
   * Reservations kube-scheduler could not honour within the timeout: the planned node is gone or
   * cordoned, or kube-scheduler reports the pod unschedulable there. Their pods are deleted so the
   * gang is planned again; returns when to look again while reservations are outstanding.
   */
  private async expireReservations(log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const now = this.ctx.now().getTime();
    const reserved = this.ctx.pods.store.list().filter(isReserved);
    const expired = reserved.filter((p) => reservationExpired(p, this.ctx.nodes.store.getByName(undefined, plannedNode(p) ?? ''), now, this.ctx.reservationTimeoutMs));
    for (const p of expired) {
      log.warn({ pod: `${p.metadata?.namespace}/${p.metadata?.name}`, node: plannedNode(p) }, 'reservation expired; the gang is planned again');
      await this.deletePod(p, signal);
    }
    return reserved.length ? { requeueAfterMs: Math.max(1000, Math.min(this.ctx.reservationTimeoutMs, 5000)) } : undefined;
  }
}
