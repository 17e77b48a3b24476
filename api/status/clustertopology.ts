// What the ClusterTopologyBinding controller decides (grove-compat §5.3): the backend topology objects
// to create or recreate, and the binding's status (schedulerTopologyStatuses, the SchedulerTopologyDrift
// condition, observedGeneration) with the event of a transition. Pure: the shell (controllers/
// clustertopology.ts) reads the backend objects, runs the actions and writes what this returns.
//
// copse's backends, in name order as Grove walks them:
// - default-scheduler (copse's planner, extender and native backend) is topology-aware but reads the
//   binding's levels directly: there is no backend object to keep in step, so it has no status entry,
//   like Grove's backends without topology management.
// - kai-scheduler counts as enabled exactly when KAI's Topology CRD (topologies.kai.scheduler) is
//   served: copse never schedules for KAI, it only hands KAI what Grove would. Without a binding entry
//   for it the Topology named like the binding is auto-managed (created with the binding as controller
//   owner, deleted and recreated when the levels change, since KAI's levels are immutable; a Topology of
//   that name the binding does not own is never adopted); with an entry it is externally managed and
//   only compared.

import type { CustomResourceDefinition } from '../core/wire.js';
import type { ClusterTopologyBinding, ClusterTopologyBindingStatus, Condition, SchedulerTopologyStatus } from '../generated/types.js';
import { CONDITION_SCHEDULER_TOPOLOGY_DRIFT } from '../keys.js';
import { KAI_SCHEDULER_NAME } from '../rules/podcliqueset/backend.js';
import { conditionTransition, mergeConditions, type DesiredCondition } from './conditions.js';

export const REASON_TOPOLOGY_IN_SYNC = 'InSync';
export const REASON_TOPOLOGY_DRIFT = 'Drift';
export const REASON_TOPOLOGY_NOT_FOUND = 'TopologyNotFound';
export const EVENT_TOPOLOGY_DRIFT_DETECTED = 'TopologyDriftDetected';
export const EVENT_TOPOLOGY_IN_SYNC = 'TopologyInSync';

export const KAI_TOPOLOGY_API_VERSION = 'kai.scheduler/v1alpha1';
export const KAI_TOPOLOGY_CRD = 'topologies.kai.scheduler';
const GROVE_API_VERSION = 'grove.io/v1alpha1';

const KAI_VERSION = KAI_TOPOLOGY_API_VERSION.slice(KAI_TOPOLOGY_API_VERSION.indexOf('/') + 1);

/**
 * Whether KAI's Topology CRD is established and serves the version copse writes: then kai-scheduler
 * counts as an enabled, topology-aware backend, for the controller and for admission alike.
 */
export function kaiTopologyServed(crds: readonly CustomResourceDefinition[]): boolean {
  const crd = crds.find((c) => c.metadata?.name === KAI_TOPOLOGY_CRD);
  if (!crd || crd.metadata?.deletionTimestamp) return false;
  const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  return established && (crd.spec?.versions ?? []).some((v) => v.name === KAI_VERSION && v.served);
}

/** KAI's Topology (kai.scheduler/v1alpha1, cluster-scoped): the node label of each level, broadest first. */
export interface KaiTopology {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    uid?: string;
    generation?: number;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  spec?: { levels?: { nodeLabel: string }[] };
}

/** What the controller knows about KAI: whether its CRD is served, and the Topologies it fetched. */
export interface KaiView {
  served: boolean;
  /** The Topology of this name, undefined when there is none. */
  topology(name: string): KaiTopology | undefined;
}

export type TopologyAction =
  | { kind: 'create'; topology: KaiTopology }
  /** Delete exactly this incarnation (uid precondition), then create the desired one. */
  | { kind: 'recreate'; uid: string; topology: KaiTopology };

export interface TopologyDecision {
  actions: TopologyAction[];
  /** The statuses once every action has succeeded (see actionFailed for one that did not). */
  statuses: SchedulerTopologyStatus[];
  /** A binding entry names a backend that cannot manage topologies here. */
  backendUnavailable: boolean;
}

/** The names KAI Topologies the decision reads: the binding's own name, and every one it references. */
export function kaiTopologyNames(ctb: ClusterTopologyBinding): string[] {
  return [...new Set([ctb.metadata.name ?? '', ...(ctb.spec.schedulerTopologyBindings ?? []).filter((b) => b.schedulerName === KAI_SCHEDULER_NAME).map((b) => b.topologyReference)])];
}

/** The KAI Topology copse keeps for an auto-managed binding: its name, its level keys, owned by the binding. */
export function desiredKaiTopology(ctb: ClusterTopologyBinding): KaiTopology {
  const name = ctb.metadata.name ?? '';
  return {
    apiVersion: KAI_TOPOLOGY_API_VERSION,
    kind: 'Topology',
    metadata: {
      name,
      ownerReferences: [{ apiVersion: GROVE_API_VERSION, kind: 'ClusterTopologyBinding', name, uid: ctb.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { levels: ctb.spec.levels.map((l) => ({ nodeLabel: l.key })) },
  };
}

const levelsOf = (t: KaiTopology): string[] => (t.spec?.levels ?? []).map((l) => l.nodeLabel);
const sameLevels = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

/** Why a KAI Topology's levels differ from the binding's, in words (undefined when they match). */
export function levelMismatch(ctb: ClusterTopologyBinding, t: KaiTopology): string | undefined {
  const want = ctb.spec.levels.map((l) => l.key);
  const have = levelsOf(t);
  if (have.length !== want.length) return `level count mismatch: ClusterTopologyBinding has ${want.length} levels, KAI Topology has ${have.length}`;
  const i = want.findIndex((k, j) => k !== have[j]);
  return i === -1 ? undefined : `level ${i} mismatch: ClusterTopologyBinding key ${JSON.stringify(want[i])} != KAI Topology nodeLabel ${JSON.stringify(have[i])}`;
}

const unavailable = (schedulerName: string, topologyReference: string): SchedulerTopologyStatus => ({
  schedulerName,
  topologyReference,
  inSync: false,
  message: `scheduler backend ${JSON.stringify(schedulerName)} is not available for topology management`,
});

/** The auto-managed KAI Topology: create, recreate, leave, or refuse one the binding does not own. */
function autoManaged(ctb: ClusterTopologyBinding, kai: KaiView): { action?: TopologyAction; status: SchedulerTopologyStatus } {
  const name = ctb.metadata.name ?? '';
  const existing = kai.topology(name);
  const desired = desiredKaiTopology(ctb);
  const status: SchedulerTopologyStatus = { schedulerName: KAI_SCHEDULER_NAME, topologyReference: name, inSync: true };
  if (!existing) return { action: { kind: 'create', topology: desired }, status };
  if (!existing.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === ctb.metadata.uid)) {
    return { status: { ...status, inSync: false, message: `KAI Topology ${name} is not owned by ClusterTopologyBinding ${name}; copse does not adopt a Topology it did not create` } };
  }
  if (!sameLevels(levelsOf(existing), levelsOf(desired))) return { action: { kind: 'recreate', uid: existing.metadata.uid ?? '', topology: desired }, status };
  return { status };
}

/** An externally managed KAI Topology: compared, never written. */
function externallyManaged(ctb: ClusterTopologyBinding, reference: string, kai: KaiView): SchedulerTopologyStatus {
  const t = kai.topology(reference);
  const mismatch = t ? levelMismatch(ctb, t) : `KAI Topology ${JSON.stringify(reference)} not found`;
  return {
    schedulerName: KAI_SCHEDULER_NAME,
    topologyReference: reference,
    inSync: mismatch === undefined,
    ...(t?.metadata.generation !== undefined ? { schedulerBackendTopologyObservedGeneration: t.metadata.generation } : {}),
    ...(mismatch !== undefined ? { message: mismatch } : {}),
  };
}

/** The actions and statuses for one binding, given what KAI has. */
export function decideBackendTopologies(ctb: ClusterTopologyBinding, kai: KaiView): TopologyDecision {
  const refs = ctb.spec.schedulerTopologyBindings ?? [];
  const actions: TopologyAction[] = [];
  const statuses: SchedulerTopologyStatus[] = [];
  if (kai.served) {
    const ref = refs.find((r) => r.schedulerName === KAI_SCHEDULER_NAME);
    if (ref) statuses.push(externallyManaged(ctb, ref.topologyReference, kai));
    else {
      const auto = autoManaged(ctb, kai);
      if (auto.action) actions.push(auto.action);
      statuses.push(auto.status);
    }
  }
  // Entries naming a backend without topology objects here: default-scheduler (copse reads the
  // binding itself), kai-scheduler without its CRD, or anything else.
  const unmanaged = refs.filter((r) => !(kai.served && r.schedulerName === KAI_SCHEDULER_NAME));
  statuses.push(...unmanaged.map((r) => unavailable(r.schedulerName, r.topologyReference)));
  return { actions, statuses, backendUnavailable: unmanaged.length > 0 };
}

/** The statuses after `action` failed with `message`: its topology is not in sync. */
export function actionFailed(statuses: readonly SchedulerTopologyStatus[], action: TopologyAction, message: string): SchedulerTopologyStatus[] {
  return statuses.map((s) => (s.schedulerName === KAI_SCHEDULER_NAME && s.topologyReference === action.topology.metadata.name ? { ...s, inSync: false, message } : s));
}

/** SchedulerTopologyDrift as Grove words it; undefined (removed) when no backend has a status. */
export function driftCondition(statuses: readonly SchedulerTopologyStatus[], backendUnavailable: boolean): DesiredCondition | undefined {
  if (statuses.length === 0) return undefined;
  const c = (status: DesiredCondition['status'], reason: string, message: string): DesiredCondition => ({ type: CONDITION_SCHEDULER_TOPOLOGY_DRIFT, status, reason, message });
  if (backendUnavailable) return c('Unknown', REASON_TOPOLOGY_NOT_FOUND, 'One or more referenced scheduler backends are unavailable for topology management');
  if (statuses.every((s) => s.inSync)) return c('False', REASON_TOPOLOGY_IN_SYNC, 'All scheduler backend topologies are in sync');
  return c('True', REASON_TOPOLOGY_DRIFT, 'One or more scheduler backend topologies have drifted');
}

export interface TopologyEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * The binding's next status and the event of its drift transition. `reconciled` is false when an action
 * or a read failed: observedGeneration then stays where it was, as Grove leaves it, so a reader can
 * tell that this generation's backend topologies are not known to be in place.
 */
export function clusterTopologyStatus(
  ctb: ClusterTopologyBinding,
  decided: { statuses: readonly SchedulerTopologyStatus[]; backendUnavailable: boolean },
  reconciled: boolean,
  now: string,
): { status: ClusterTopologyBindingStatus; event?: TopologyEvent } {
  const prev = ctb.status;
  const desired = driftCondition(decided.statuses, decided.backendUnavailable);
  const conditions: Condition[] | undefined = mergeConditions(prev?.conditions, desired ? [desired] : [], desired ? [] : [CONDITION_SCHEDULER_TOPOLOGY_DRIFT], {
    observedGeneration: ctb.metadata.generation,
    now,
  });
  const observedGeneration = reconciled ? ctb.metadata.generation : prev?.observedGeneration;
  const status: ClusterTopologyBindingStatus = {
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    ...(conditions ? { conditions } : {}),
    ...(decided.statuses.length > 0 ? { schedulerTopologyStatuses: [...decided.statuses] } : {}),
  };
  const moved = conditionTransition(prev?.conditions, conditions, CONDITION_SCHEDULER_TOPOLOGY_DRIFT);
  if (moved?.to === 'True') return { status, event: { type: 'Warning', reason: EVENT_TOPOLOGY_DRIFT_DETECTED, message: 'One or more scheduler backend topologies have drifted' } };
  if (moved?.to === 'False') return { status, event: { type: 'Normal', reason: EVENT_TOPOLOGY_IN_SYNC, message: 'All scheduler backend topologies are in sync' } };
  return { status };
}
