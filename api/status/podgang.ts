// PodGang status (grove-compat §2.5, §4.6; Grove leaves it at phase Pending + Initialized, §10.11).
// copse fills in what a person and a scheduler need to see:
//   phase        Pending  → Starting (every pod group has >= minReplicas pods bound)
//                         → Running  (every pod group has >= minReplicas pods Ready).
//                The phase follows the pods both ways: a gang that loses bound pods goes back to
//                Pending. It is never Failed: losing pods is reported by MinAvailableBreached on the
//                PodCliques and handled by gang termination, which recreates the pods.
//   Initialized  Grove's reasons and messages; True once every constituent PodClique exists with
//                >= spec.replicas pods labelled with this gang. It is a milestone: once True it stays
//                True (a later scale-out would otherwise flip it back and forth).
//   Scheduled    True when every pod group has >= minReplicas pods bound; otherwise False naming the
//                short pod groups and the cause (pods not created yet, held by scheduling gates, or
//                the scheduler's own message), or the reason a planner passes in.
//   Ready        True when every pod group has >= minReplicas Ready pods; otherwise False naming them.
//   SchedulingBackend  on a cluster with native scheduling: Native or Extender, and why (api/native).
// Conditions written by others (Unhealthy, DisruptionTarget) are kept as they are.

import type { Pod } from '../core/wire.js';
import { requireName } from '../desired/meta.js';
import { gangMembership } from '../desired/podgang.js';
import { isActivePod } from '../desired/pods.js';
import type { PodClique, PodGang, PodGangPhase, PodGangStatus } from '../generated/types.js';
import {
  LABEL_PODCLIQUE,
  LABEL_PODGANG,
  PODGANG_CONDITION_INITIALIZED,
  PODGANG_CONDITION_READY,
  PODGANG_CONDITION_SCHEDULED,
} from '../keys.js';
import { backendCondition } from '../native/decision.js';
import { type DesiredCondition, findCondition, mergeConditions } from './conditions.js';
import { dropUndefined, labelOf, statusChanged } from './objects.js';
import { explainMarkerShortage } from '../desired/extender-marker.js';
import { isPodReady, isPodScheduled, isPodScheduleGated, unschedulableMessage } from '../desired/pods.js';

export const REASON_PODGANG_PODS_CREATION_PENDING = 'PodGangPodsCreationPending';
export const REASON_PODGANG_PODS_CREATED = 'PodGangPodsCreated';
export const MESSAGE_PODGANG_PODS_CREATION_PENDING = 'Not all constituent pods have been created yet';
export const MESSAGE_PODGANG_INITIALIZED = 'PodGang is fully initialized';

export const REASON_ALL_POD_GROUPS_SCHEDULED = 'AllPodGroupsScheduled';
export const REASON_PODS_NOT_CREATED = 'PodsNotCreated';
export const REASON_PODS_SCHEDULING_GATED = 'PodsSchedulingGated';
export const REASON_PODS_UNSCHEDULABLE = 'PodsUnschedulable';
export const REASON_ALL_POD_GROUPS_READY = 'AllPodGroupsReady';
export const REASON_POD_GROUPS_NOT_READY = 'PodGroupsNotReady';

/** At most this many pod groups are named in a message; the rest are counted. */
const MAX_LISTED = 10;

/** Why a gang is not scheduled, as a planner or scheduler extender explains it. */
export interface PendingReason {
  /** CamelCase reason, e.g. InsufficientCapacity. */
  reason: string;
  /** What a person can act on, e.g. "no rack has 8 free nvidia.com/gpu". */
  message: string;
}

export interface PodGangStatusInput {
  podGang: PodGang;
  /** Pods labelled grove.io/podgang=<this gang>; other pods are ignored. */
  pods: readonly Pod[];
  /** At least the constituent PodCliques (one per pod group); others are ignored. */
  pclqs: readonly PodClique[];
  /** The scheduler's explanation while the gang is not scheduled. */
  pendingReason?: PendingReason;
  /** Status before this pass; defaults to podGang.status. */
  previous?: PodGangStatus;
  /** RFC 3339 time of this pass. */
  now: string;
}

/** What one pod group of the gang looks like now. */
export interface PodGroupState {
  name: string;
  minReplicas: number;
  /** Active pods of the group's PodClique labelled with this gang. */
  pods: readonly Pod[];
  scheduled: number;
  ready: number;
  /** The constituent PodClique exists and is not terminating. */
  exists: boolean;
  /** Pods the group must have for the gang to be initialized: its PodClique's spec.replicas. */
  requiredPods: number;
}

/** The state of every pod group of the gang, in spec order. */
export function podGroupStates(podGang: PodGang, pods: readonly Pod[], pclqs: readonly PodClique[]): PodGroupState[] {
  const gang = requireName('PodGang', podGang);
  const members = pods.filter((p) => labelOf(p, LABEL_PODGANG) === gang && isActivePod(p));
  return gangMembership(podGang, pclqs).map((m) => {
    const own = members.filter((p) => labelOf(p, LABEL_PODCLIQUE) === m.podClique);
    return {
      name: m.podClique,
      minReplicas: m.minReplicas,
      pods: own,
      scheduled: own.filter(isPodScheduled).length,
      ready: own.filter(isPodReady).length,
      exists: m.exists,
      requiredPods: m.requiredPods,
    };
  });
}

/** Pending → Starting (minimums bound) → Running (minimums Ready). */
export function podGangPhase(groups: readonly PodGroupState[]): PodGangPhase {
  if (groups.every((g) => g.ready >= g.minReplicas)) return 'Running';
  if (groups.every((g) => g.scheduled >= g.minReplicas)) return 'Starting';
  return 'Pending';
}

/** Grove's Initialized rule (§4.6), sticky once True. */
export function initializedCondition(groups: readonly PodGroupState[], previous: PodGangStatus | undefined): DesiredCondition {
  const type = PODGANG_CONDITION_INITIALIZED;
  const created = groups.every((g) => g.exists && g.pods.length >= g.requiredPods);
  if (created || findCondition(previous?.conditions, type)?.status === 'True') {
    return { type, status: 'True', reason: REASON_PODGANG_PODS_CREATED, message: MESSAGE_PODGANG_INITIALIZED };
  }
  return { type, status: 'False', reason: REASON_PODGANG_PODS_CREATION_PENDING, message: MESSAGE_PODGANG_PODS_CREATION_PENDING };
}

/** `a 0/1, b 1/2` (at most MAX_LISTED names, then `and N more`). */
function listShort(groups: readonly PodGroupState[], count: (g: PodGroupState) => number): string {
  const named = groups.slice(0, MAX_LISTED).map((g) => `${g.name} ${count(g)}/${g.minReplicas}`);
  const more = groups.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/** The first cause that explains the short pod groups, from creation to placement. */
function schedulingCause(short: readonly PodGroupState[]): PendingReason {
  const uncreated = short.filter((g) => g.pods.length < g.minReplicas);
  if (uncreated.length > 0) {
    return {
      reason: REASON_PODS_NOT_CREATED,
      message: `Pods not created yet (pods/minReplicas): ${listShort(uncreated, (g) => g.pods.length)}.`,
    };
  }
  const waiting = short.flatMap((g) => g.pods.filter((p) => !isPodScheduled(p)));
  const gated = waiting.filter(isPodScheduleGated);
  if (gated.length > 0) {
    const gates = [...new Set(gated.flatMap((p) => (p.spec?.schedulingGates ?? []).map((s) => s.name)))];
    const which = gates.length > 0 ? `: ${gates.join(', ')}` : '';
    return { reason: REASON_PODS_SCHEDULING_GATED, message: `${gated.length} pod(s) held by scheduling gates${which}.` };
  }
  const explained = waiting.find((p) => unschedulableMessage(p) !== undefined);
  return {
    reason: REASON_PODS_UNSCHEDULABLE,
    message: explained
      ? `Pod ${explained.metadata?.name ?? ''}: ${explainMarkerShortage(unschedulableMessage(explained) ?? '')}`
      : 'Waiting for the scheduler to place the pods.',
  };
}

/** Scheduled: every pod group has its minimum bound; otherwise who is short and why. */
export function scheduledCondition(groups: readonly PodGroupState[], pendingReason: PendingReason | undefined): DesiredCondition {
  const type = PODGANG_CONDITION_SCHEDULED;
  const short = groups.filter((g) => g.scheduled < g.minReplicas);
  if (short.length === 0) {
    return {
      type,
      status: 'True',
      reason: REASON_ALL_POD_GROUPS_SCHEDULED,
      message: `All ${groups.length} pod groups have at least minReplicas pods scheduled`,
    };
  }
  const cause = pendingReason ?? schedulingCause(short);
  return {
    type,
    status: 'False',
    reason: cause.reason,
    message: `${SCHEDULED_SHORT_PREFIX}${listShort(short, (g) => g.scheduled)}. ${cause.message}`,
  };
}

const SCHEDULED_SHORT_PREFIX = 'Pod groups below minReplicas scheduled (scheduled/minReplicas): ';

/**
 * The cause part of a Scheduled=False message (what follows the list of short pod groups), for a
 * place too narrow for the whole message; a message in another form is returned as it is. Pod group
 * names and counts hold no ". ", so the first one ends the list.
 */
export function scheduledCause(message: string): string {
  if (!message.startsWith(SCHEDULED_SHORT_PREFIX)) return message;
  const end = message.indexOf('. ', SCHEDULED_SHORT_PREFIX.length);
  return end < 0 ? message : message.slice(end + 2);
}

/** Ready: every pod group has its minimum Ready. */
export function readyCondition(groups: readonly PodGroupState[]): DesiredCondition {
  const type = PODGANG_CONDITION_READY;
  const short = groups.filter((g) => g.ready < g.minReplicas);
  if (short.length === 0) {
    return {
      type,
      status: 'True',
      reason: REASON_ALL_POD_GROUPS_READY,
      message: `All ${groups.length} pod groups have at least minReplicas pods ready`,
    };
  }
  return {
    type,
    status: 'False',
    reason: REASON_POD_GROUPS_NOT_READY,
    message: `Pod groups below minReplicas ready (ready/minReplicas): ${listShort(short, (g) => g.ready)}.`,
  };
}

/** The status of one PodGang after a pass. */
export function podGangStatus(input: PodGangStatusInput): PodGangStatus {
  const { podGang } = input;
  const previous = input.previous ?? podGang.status;
  const groups = podGroupStates(podGang, input.pods, input.pclqs);
  const backend = backendCondition(podGang);
  const conditions = mergeConditions(
    previous?.conditions,
    [initializedCondition(groups, previous), scheduledCondition(groups, input.pendingReason), readyCondition(groups), ...(backend ? [backend] : [])],
    [],
    { observedGeneration: podGang.metadata.generation, now: input.now },
  );
  return dropUndefined({ phase: podGangPhase(groups), conditions, placementScore: previous?.placementScore });
}

/** Whether the status changed (the shell skips the write when it did not). */
export const podGangStatusChanged: (prev: PodGangStatus | undefined, next: PodGangStatus) => boolean = statusChanged;
