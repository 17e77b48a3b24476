// The live PodCliqueSet view: "is my system whole, and if not, why". Computed from the PodCliqueSet,
// its PodCliques, scaling groups, PodGangs and pods as they are now (never from a stored status, which
// lags by a reconcile): per replica and per gang, each pod group's pods (placed, ready, minimum), the
// gang phase, whether a pod group is below its minimum (breached), which PodCliques still wait for
// their startsAfter parents, how far a rolling update has got, and for a gang that is not placed the
// scheduler's reason.
//
// The gangs of a replica are the ones api/desired lays out for the current spec (base gang, then one
// per scaled scaling-group replica), so a gang whose PodGang does not exist yet still shows, Pending.
// A pod group's minimum is the PodGang's (what the scheduler sees) once it exists, else the template's.

import type { Pod } from '../core/wire.js';
import { gangLayouts, type GangLayout } from '../desired/podgang.js';
import { isActivePod, isPodReady, isPodScheduled } from '../desired/pods.js';
import { groupMinAvailable, groupReplicas, locatePodCliqueName, pcsReplicas, scalingGroupConfigs, startupType } from '../desired/template.js';
import { resolveStartsAfter } from '../desired/startup.js';
import type {
  CliqueStartupType,
  Condition,
  PodClique,
  PodCliqueScalingGroup,
  PodCliqueSet,
  PodGang,
  PodGangPhase,
  UpdateStrategyType,
} from '../generated/types.js';
import {
  CONDITION_MIN_AVAILABLE_BREACHED,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_PODCLIQUE,
  LABEL_PODGANG,
  PODGANG_CONDITION_SCHEDULED,
} from '../keys.js';
import { podCliqueScalingGroupName } from '../names.js';
import { findCondition } from '../status/conditions.js';
import { podCliqueBreachCondition, targetPodTemplateHash } from '../status/podclique.js';
import { podGangPhase, readyCondition, scheduledCondition, type PodGroupState } from '../status/podgang.js';
import { LIVE_API_VERSION, type ViewObject } from './meta.js';
import { type Amounts, podRequests, quantities, type ViewResource, zeroAmounts, VIEW_RESOURCES } from './quantity.js';

export const KIND_PODCLIQUESET = 'PodCliqueSet';

/** The PodCliqueSet's phase: its least advanced gang's (Empty with no replicas). */
export type LivePhase = PodGangPhase | 'Empty';

export interface PodCliqueSetViewSpec {
  replicas: number;
  cliqueStartupType: CliqueStartupType;
  updateStrategy: UpdateStrategyType;
  /** metadata.generation of the PodCliqueSet this view was computed from. */
  generation?: number;
}

/** A parent a PodClique waits for before its pods start (startsAfter). */
export interface StartupParent {
  podClique: string;
  /** Ready pods of the parent in the waiting PodClique's gang (what the init container counts). */
  ready: number;
  minimum: number;
  satisfied: boolean;
}

export interface Breach {
  /** The pod group is below its minimum (scheduled or ready). */
  breached: boolean;
  reason: string;
  message: string;
  /** lastTransitionTime of the PodClique's MinAvailableBreached=True: the gang-termination clock. */
  since?: string;
}

export interface PodGroupView {
  /** The PodClique. */
  name: string;
  /** Template clique name. */
  clique: string;
  role: string;
  /** Active pods (not terminating, not finished). */
  pods: number;
  /** Bound to a node. */
  placed: number;
  ready: number;
  /** Pods that must be placed and ready together (the pod group's minReplicas). */
  minimum: number;
  /** Pods running the PodClique's target pod template. */
  updated: number;
  breach: Breach;
  /** Parents from spec.startsAfter; absent when the PodClique waits for nobody. */
  startsAfter?: StartupParent[];
  /** Parents not yet satisfied: the pods of this PodClique wait in their init container. */
  waitingFor?: string[];
}

export interface PendingView {
  reason: string;
  message: string;
  /** Pods of the gang not bound to a node, and what they ask for together. */
  unplacedPods: number;
  unplacedRequests: Record<ViewResource, string>;
}

export interface GangView {
  name: string;
  /** The PodGang object exists. */
  exists: boolean;
  /** Set for a scaled gang: the scaling group and group replica it holds. */
  scalingGroup?: { name: string; replica: number };
  phase: PodGangPhase;
  placed: boolean;
  ready: boolean;
  /** Some pod group is below its minimum. */
  breached: boolean;
  podGroups: PodGroupView[];
  /** Why the gang is not placed: the PodGang's Scheduled condition (the planner's words) or, failing that, what the pods show. */
  pending?: PendingView;
  /** Why the gang is placed but not ready. */
  notReady?: string;
}

export interface ReplicaView {
  index: number;
  phase: LivePhase;
  gangs: GangView[];
}

export interface UpdateView {
  strategy: UpdateStrategyType;
  inProgress: boolean;
  startedAt?: string;
  endedAt?: string;
  /** Replica indexes being updated now. */
  currentlyUpdating: number[];
  updatedPodCliques: number;
  totalPodCliques: number;
  updatedScalingGroups: number;
  totalScalingGroups: number;
  /** Pods running their PodClique's target template, of all active pods. */
  updatedPods: number;
  pods: number;
}

export interface Summary {
  gangs: number;
  gangsPlaced: number;
  gangsReady: number;
  /** Pod groups below their minimum. */
  podGroupsBreached: number;
  /** PodCliques whose pods wait for startsAfter parents. */
  podCliquesWaiting: number;
  pods: number;
  podsPlaced: number;
  podsReady: number;
}

export interface PodCliqueSetViewStatus {
  phase: LivePhase;
  summary: Summary;
  replicas: ReplicaView[];
  update: UpdateView;
  /** The PodCliqueSet's own conditions (e.g. TopologyLevelsUnavailable), as stored. */
  conditions?: Condition[];
}

export type PodCliqueSetView = ViewObject<typeof KIND_PODCLIQUESET, PodCliqueSetViewSpec, PodCliqueSetViewStatus>;

export interface PodCliqueSetViewInput {
  pcs: PodCliqueSet;
  /** The PodCliqueSet's PodCliques (any order; others are ignored by name). */
  pclqs: readonly PodClique[];
  pcsgs: readonly PodCliqueScalingGroup[];
  podGangs: readonly PodGang[];
  /** The PodCliqueSet's pods (label app.kubernetes.io/part-of). */
  pods: readonly Pod[];
}

const PHASE_ORDER: readonly PodGangPhase[] = ['Failed', 'Pending', 'Starting', 'Running', 'Succeeded'];

/** The least advanced phase (Pending before Starting before Running). */
function worstPhase(phases: readonly PodGangPhase[]): PodGangPhase {
  let worst: PodGangPhase = 'Running';
  for (const p of phases) if (PHASE_ORDER.indexOf(p) < PHASE_ORDER.indexOf(worst)) worst = p;
  return worst;
}

/** Pods by PodGang, then by PodClique, active pods only; built once per view. */
type PodIndex = Map<string, Map<string, Pod[]>>;

function indexPods(pods: readonly Pod[]): PodIndex {
  const out: PodIndex = new Map();
  for (const p of pods) {
    if (!isActivePod(p)) continue;
    const gang = p.metadata?.labels?.[LABEL_PODGANG] ?? '';
    const pclq = p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '';
    let byClique = out.get(gang);
    if (!byClique) out.set(gang, (byClique = new Map()));
    const list = byClique.get(pclq);
    if (list) list.push(p);
    else byClique.set(pclq, [p]);
  }
  return out;
}

function podsOf(index: PodIndex, gang: string, pclq: string): Pod[] {
  return index.get(gang)?.get(pclq) ?? [];
}

function updateInProgress(pclq: PodClique | undefined): boolean {
  const u = pclq?.status?.updateProgress;
  return u?.updateStartedAt !== undefined && u.updateEndedAt === undefined;
}

function breachOf(pclq: PodClique | undefined, placed: number, ready: number, minimum: number): Breach {
  // A PodClique scaled to zero is idle on purpose: never breached (as api/status decides).
  const min = pclq?.spec.replicas === 0 ? 0 : minimum;
  const c = podCliqueBreachCondition({ scheduled: placed, ready }, min, updateInProgress(pclq));
  const stored = findCondition(pclq?.status?.conditions, CONDITION_MIN_AVAILABLE_BREACHED);
  const since = c.status === 'True' && stored?.status === 'True' ? stored.lastTransitionTime : undefined;
  return { breached: c.status === 'True', reason: c.reason, message: c.message, ...(since ? { since } : {}) };
}

interface GroupSource {
  name: string;
  minimum: number;
}

function startupOf(
  pcs: PodCliqueSet,
  pclq: PodClique | undefined,
  name: string,
  gang: string,
  index: PodIndex,
  pclqs: ReadonlyMap<string, PodClique>,
): Pick<PodGroupView, 'startsAfter' | 'waitingFor'> {
  let parents = pclq?.spec.startsAfter;
  if (parents === undefined) {
    // The PodClique does not exist yet: its parents are what the spec will give it.
    const where = locatePodCliqueName(pcs, name);
    parents = where ? resolveStartsAfter(pcs, where.replica, where.clique.name, where.group?.replica) : [];
  }
  if (parents.length === 0) return {};
  const startsAfter = parents.map((parent) => {
    const p = pclqs.get(parent);
    const where = p ? undefined : locatePodCliqueName(pcs, parent);
    const minimum = p ? (p.spec.minAvailable ?? p.spec.replicas) : (where?.clique.spec.minAvailable ?? where?.clique.spec.replicas ?? 1);
    const ready = podsOf(index, gang, parent).filter(isPodReady).length;
    return { podClique: parent, ready, minimum, satisfied: ready >= minimum };
  });
  const waitingFor = startsAfter.filter((s) => !s.satisfied).map((s) => s.podClique);
  return { startsAfter, ...(waitingFor.length > 0 ? { waitingFor } : {}) };
}

function podGroupView(pcs: PodCliqueSet, src: GroupSource, gang: string, index: PodIndex, pclqs: ReadonlyMap<string, PodClique>): PodGroupView {
  const pclq = pclqs.get(src.name);
  const pods = podsOf(index, gang, src.name);
  const placed = pods.filter(isPodScheduled).length;
  const ready = pods.filter(isPodReady).length;
  const target = pclq ? targetPodTemplateHash(pclq) : undefined;
  const clique = locatePodCliqueName(pcs, src.name)?.clique;
  return {
    name: src.name,
    clique: clique?.name ?? '',
    role: pclq?.spec.roleName ?? clique?.spec.roleName ?? '',
    pods: pods.length,
    placed,
    ready,
    minimum: src.minimum,
    updated: target === undefined ? 0 : pods.filter((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] === target).length,
    breach: breachOf(pclq, placed, ready, src.minimum),
    ...startupOf(pcs, pclq, src.name, gang, index, pclqs),
  };
}

function sumRequests(pods: readonly Pod[]): Amounts {
  const total = zeroAmounts();
  for (const p of pods) {
    const r = podRequests(p);
    for (const k of VIEW_RESOURCES) total[k] += r[k];
  }
  return total;
}

function pendingOf(gang: PodGang | undefined, groups: readonly PodGroupState[], unplaced: readonly Pod[]): PendingView {
  const stored = findCondition(gang?.status?.conditions, PODGANG_CONDITION_SCHEDULED);
  // The stored condition carries the planner's reason; when it is missing or stale (it says placed),
  // explain from the pods as the PodGang controller would.
  const live = gang
    ? scheduledCondition(groups, undefined)
    : { reason: 'PodGangNotCreated', message: 'The PodGang does not exist yet; its pods stay behind their scheduling gate.' };
  const source = stored?.status === 'False' ? stored : live;
  return { reason: source.reason, message: source.message, unplacedPods: unplaced.length, unplacedRequests: quantities(sumRequests(unplaced)) };
}

function gangView(pcs: PodCliqueSet, layout: GangLayout, gangs: ReadonlyMap<string, PodGang>, index: PodIndex, pclqs: ReadonlyMap<string, PodClique>): GangView {
  const gang = gangs.get(layout.name);
  const sources: GroupSource[] = gang
    ? gang.spec.podgroups.map((g) => ({ name: g.name, minimum: g.minReplicas }))
    : layout.groups.map((g) => ({ name: g.podClique, minimum: g.minReplicas }));
  const podGroups = sources.map((s) => podGroupView(pcs, s, layout.name, index, pclqs));
  const states: PodGroupState[] = podGroups.map((g) => ({
    name: g.name,
    minReplicas: g.minimum,
    pods: podsOf(index, layout.name, g.name),
    scheduled: g.placed,
    ready: g.ready,
    exists: pclqs.has(g.name),
    requiredPods: pclqs.get(g.name)?.spec.replicas ?? 0,
  }));
  const phase = gang ? podGangPhase(states) : 'Pending';
  const placed = gang !== undefined && phase !== 'Pending';
  const ready = gang !== undefined && phase === 'Running';
  const scaled = layout.scaledGroup;
  const groupReplica = scaledGroupReplica(pcs, layout);
  const unplaced = states.flatMap((s) => s.pods.filter((p) => !isPodScheduled(p)));
  return {
    name: layout.name,
    exists: gang !== undefined,
    ...(scaled && groupReplica !== undefined ? { scalingGroup: { name: scaled.name, replica: groupReplica } } : {}),
    phase,
    placed,
    ready,
    breached: podGroups.some((g) => g.breach.breached),
    podGroups,
    ...(placed ? {} : { pending: pendingOf(gang, states, unplaced) }),
    ...(placed && !ready ? { notReady: readyCondition(states).message } : {}),
  };
}

/** The group replica j of a scaled gang `<pcsg>-<j - minAvailable>`. */
function scaledGroupReplica(pcs: PodCliqueSet, layout: GangLayout): number | undefined {
  const group = layout.scaledGroup;
  if (!group) return undefined;
  const fqn = podCliqueScalingGroupName(pcs.metadata.name ?? '', layout.replica, group.name);
  return Number(layout.name.slice(fqn.length + 1)) + groupMinAvailable(group);
}

function scalingGroupReplicas(pcs: PodCliqueSet, replica: number, pcsgs: ReadonlyMap<string, PodCliqueScalingGroup>): Map<string, number> {
  const pcsName = pcs.metadata.name ?? '';
  return new Map(
    scalingGroupConfigs(pcs).map((g) => [g.name, pcsgs.get(podCliqueScalingGroupName(pcsName, replica, g.name))?.spec.replicas ?? groupReplicas(g)]),
  );
}

function byName<T extends { metadata: { name?: string; deletionTimestamp?: string } }>(objs: readonly T[]): Map<string, T> {
  return new Map(objs.filter((o) => !o.metadata.deletionTimestamp).map((o) => [o.metadata.name ?? '', o]));
}

function updateView(pcs: PodCliqueSet, replicas: readonly ReplicaView[]): UpdateView {
  const p = pcs.status?.updateProgress;
  const groups = replicas.flatMap((r) => r.gangs.flatMap((g) => g.podGroups));
  return {
    strategy: pcs.spec.updateStrategy?.type ?? 'RollingRecreate',
    inProgress: p?.updateStartedAt !== undefined && p.updateEndedAt === undefined,
    ...(p?.updateStartedAt ? { startedAt: p.updateStartedAt } : {}),
    ...(p?.updateEndedAt ? { endedAt: p.updateEndedAt } : {}),
    currentlyUpdating: (p?.currentlyUpdating ?? []).filter((u) => u.updateEndedAt === undefined).map((u) => u.replicaIndex),
    updatedPodCliques: p?.updatedPodCliquesCount ?? 0,
    totalPodCliques: p?.totalPodCliquesCount ?? 0,
    updatedScalingGroups: p?.updatedPodCliqueScalingGroupsCount ?? 0,
    totalScalingGroups: p?.totalPodCliqueScalingGroupsCount ?? 0,
    updatedPods: groups.reduce((n, g) => n + g.updated, 0),
    pods: groups.reduce((n, g) => n + g.pods, 0),
  };
}

function summaryOf(replicas: readonly ReplicaView[]): Summary {
  const gangs = replicas.flatMap((r) => r.gangs);
  const groups = gangs.flatMap((g) => g.podGroups);
  return {
    gangs: gangs.length,
    gangsPlaced: gangs.filter((g) => g.placed).length,
    gangsReady: gangs.filter((g) => g.ready).length,
    podGroupsBreached: groups.filter((g) => g.breach.breached).length,
    podCliquesWaiting: groups.filter((g) => (g.waitingFor?.length ?? 0) > 0).length,
    pods: groups.reduce((n, g) => n + g.pods, 0),
    podsPlaced: groups.reduce((n, g) => n + g.placed, 0),
    podsReady: groups.reduce((n, g) => n + g.ready, 0),
  };
}

/** The live view of one PodCliqueSet. */
export function podCliqueSetView(input: PodCliqueSetViewInput): PodCliqueSetView {
  const { pcs } = input;
  const index = indexPods(input.pods);
  const pclqs = byName(input.pclqs);
  const pcsgs = byName(input.pcsgs);
  const gangs = byName(input.podGangs);
  const replicas: ReplicaView[] = [];
  for (let i = 0; i < pcsReplicas(pcs); i++) {
    const layouts = gangLayouts(pcs, i, scalingGroupReplicas(pcs, i, pcsgs));
    const views = layouts.map((l) => gangView(pcs, l, gangs, index, pclqs));
    replicas.push({ index: i, phase: worstPhase(views.map((g) => g.phase)), gangs: views });
  }
  const conditions = pcs.status?.conditions;
  return {
    apiVersion: LIVE_API_VERSION,
    kind: KIND_PODCLIQUESET,
    metadata: {
      name: pcs.metadata.name ?? '',
      ...(pcs.metadata.namespace ? { namespace: pcs.metadata.namespace } : {}),
      ...(pcs.metadata.labels ? { labels: { ...pcs.metadata.labels } } : {}),
      ...(pcs.metadata.creationTimestamp ? { creationTimestamp: pcs.metadata.creationTimestamp } : {}),
    },
    spec: {
      replicas: pcsReplicas(pcs),
      cliqueStartupType: startupType(pcs),
      updateStrategy: pcs.spec.updateStrategy?.type ?? 'RollingRecreate',
      ...(pcs.metadata.generation !== undefined ? { generation: pcs.metadata.generation } : {}),
    },
    status: {
      phase: replicas.length === 0 ? 'Empty' : worstPhase(replicas.map((r) => (r.phase === 'Empty' ? 'Running' : r.phase))),
      summary: summaryOf(replicas),
      replicas,
      update: updateView(pcs, replicas),
      ...(conditions && conditions.length > 0 ? { conditions } : {}),
    },
  };
}

