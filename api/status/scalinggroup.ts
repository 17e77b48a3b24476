// PodCliqueScalingGroup status (grove-compat §4.9): per-replica scheduled / available / updated
// counts over its member PodCliques, MinAvailableBreached, the selector and the current generation hash.
//
// Differences from Grove, on purpose:
// - status.replicas counts the group replicas that exist (a replica index with at least one
//   non-terminating member PodClique), not a mirror of spec.replicas (§10.11): the scale subresource
//   then reports what runs, as a Deployment's status.replicas does.
// - Members are matched by their exact generated name `<pcsg>-<j>-<clique>`, never by suffix (§10.9).
// - A replica is scheduled/available from its members' counts (scheduledReplicas / readyReplicas >=
//   minAvailable), which is what PodCliqueScheduled=True means, without waiting for that condition
//   to be written. Member breaches are READY-based (see podclique.ts), so the group's
//   MinAvailableBreached inherits the grove#277 fix.

import { isTerminating, requireName } from '../desired/meta.js';
import type { Condition, LastError, PodClique, PodCliqueScalingGroup, PodCliqueScalingGroupStatus, PodCliqueScalingGroupUpdateProgress } from '../generated/types.js';
import {
  CONDITION_GANG_TERMINATION_IN_PROGRESS,
  CONDITION_MIN_AVAILABLE_BREACHED,
  LABEL_PCSG,
  LABEL_PCSG_REPLICA_INDEX,
  LABEL_POD_TEMPLATE_HASH,
} from '../keys.js';
import { pcsgPodCliqueName, pcsgPodSelector } from '../names.js';
import { conditionStatus, type DesiredCondition, findCondition, mergeConditions } from './conditions.js';
import { breachEvents, scheduledLostEvents, type StatusEvent } from './events.js';
import { dropUndefined, indexLabel, labelOf, partOf, statusChanged } from './objects.js';
import {
  expectedHash,
  isPodCliqueUpdated,
  MESSAGE_UPDATE_IN_PROGRESS,
  podCliqueMinAvailable,
  REASON_UPDATE_IN_PROGRESS,
  withEverAvailable,
} from './podclique.js';

export const REASON_INSUFFICIENT_AVAILABLE_PCSG_REPLICAS = 'InsufficientAvailablePodCliqueScalingGroupReplicas';
export const REASON_SUFFICIENT_AVAILABLE_PCSG_REPLICAS = 'SufficientAvailablePodCliqueScalingGroupReplicas';

export interface ScalingGroupStatusInput {
  pcsg: PodCliqueScalingGroup;
  /** Member PodCliques (label grove.io/podcliquescalinggroup); PodCliques of other groups are ignored. */
  pclqs: readonly PodClique[];
  /** Expected pod template hash per member clique, keyed by template clique name. */
  expectedPodTemplateHashes: Readonly<Record<string, string>>;
  /** The PodCliqueSet's currentGenerationHash; undefined until it has one. */
  pcsGenerationHash: string | undefined;
  /** An automatic (RollingRecreate) update is running on this group. */
  updateInProgress: boolean;
  /** Generation whose spec pass just completed; omitted keeps the previous value. */
  observedGeneration?: number;
  /** Errors of this pass when it did not complete; omitted or empty clears them. */
  lastErrors?: readonly LastError[];
  /** status.updateProgress as the rolling update decided it (api/update/scalinggroup.ts); omitted keeps the previous one. */
  updateProgress?: PodCliqueScalingGroupUpdateProgress;
  /** Status before this pass; defaults to pcsg.status. */
  previous?: PodCliqueScalingGroupStatus;
  /** RFC 3339 time of this pass. */
  now: string;
}

export interface ScalingGroupStatusResult {
  status: PodCliqueScalingGroupStatus;
  events: StatusEvent[];
}

/** What one group replica (index j) looks like. */
export interface GroupReplicaState {
  index: number;
  /** Every member PodClique exists and is not terminating. */
  complete: boolean;
  scheduled: boolean;
  available: boolean;
  updated: boolean;
  /** Complete, and every member has MinAvailableBreached, none of them True. */
  notInBreach: boolean;
}

/** spec.minAvailable, defaulting (as the CRD does) to 1. */
export function scalingGroupMinAvailable(pcsg: PodCliqueScalingGroup): number {
  return pcsg.spec.minAvailable ?? 1;
}

/** Non-terminating member PodCliques by name. */
function membersByName(pcsgName: string, pclqs: readonly PodClique[]): Map<string, PodClique> {
  const out = new Map<string, PodClique>();
  for (const p of pclqs) {
    if (labelOf(p, LABEL_PCSG) === pcsgName && !isTerminating(p)) out.set(requireName('PodClique', p), p);
  }
  return out;
}

/** The state of replica j from its member PodCliques. */
export function groupReplicaState(
  pcsg: PodCliqueScalingGroup,
  members: ReadonlyMap<string, PodClique>,
  index: number,
  expectedPodTemplateHashes: Readonly<Record<string, string>>,
  pcsGenerationHash: string | undefined,
): GroupReplicaState {
  const pcsgName = requireName('PodCliqueScalingGroup', pcsg);
  const found = pcsg.spec.cliqueNames.map((c) => ({ clique: c, pclq: members.get(pcsgPodCliqueName(pcsgName, index, c)) }));
  const present = found.flatMap((f) => (f.pclq ? [{ clique: f.clique, pclq: f.pclq }] : []));
  const complete = present.length === found.length;
  const atLeastMin = (field: 'scheduledReplicas' | 'readyReplicas'): boolean =>
    present.every((m) => (m.pclq.status?.[field] ?? 0) >= podCliqueMinAvailable(m.pclq));
  const scheduled = complete && atLeastMin('scheduledReplicas');
  const available = scheduled && atLeastMin('readyReplicas');
  const updated =
    available &&
    present.every((m) => isPodCliqueUpdated(m.pclq, expectedHash(expectedPodTemplateHashes, m.clique), pcsGenerationHash));
  // A member its controller has not assessed yet (no MinAvailableBreached: just created, or recreated
  // by a gang termination) is not known to be out of breach. Counting it as healthy made the group
  // report False for the moment between a recycle and its members' first status, which dropped the
  // GangTerminationInProgress mark and set EverAvailable; the members' breach a second later then
  // recycled the replica a second time.
  const notInBreach =
    complete &&
    present.every((m) => {
      const breach = conditionStatus(m.pclq.status?.conditions, CONDITION_MIN_AVAILABLE_BREACHED);
      return breach !== undefined && breach !== 'True';
    });
  return { index, complete, scheduled, available, updated, notInBreach };
}

/** MinAvailableBreached of the group: fewer complete, unbreached replicas than minAvailable. */
export function scalingGroupBreachCondition(notInBreach: number, minAvailable: number, updateInProgress: boolean): DesiredCondition {
  const type = CONDITION_MIN_AVAILABLE_BREACHED;
  if (updateInProgress) {
    return { type, status: 'Unknown', reason: REASON_UPDATE_IN_PROGRESS, message: MESSAGE_UPDATE_IN_PROGRESS };
  }
  if (notInBreach < minAvailable) {
    return {
      type,
      status: 'True',
      reason: REASON_INSUFFICIENT_AVAILABLE_PCSG_REPLICAS,
      message: `PCSG replicas not in breach (${notInBreach}) below MinAvailable (${minAvailable})`,
    };
  }
  return {
    type,
    status: 'False',
    reason: REASON_SUFFICIENT_AVAILABLE_PCSG_REPLICAS,
    message: `PCSG replicas not in breach (${notInBreach}) meets MinAvailable (${minAvailable})`,
  };
}

/** Distinct replica indices among the non-terminating members: the replicas that exist. */
function existingReplicaCount(members: ReadonlyMap<string, PodClique>): number {
  return new Set([...members.values()].map((p) => indexLabel(p, LABEL_PCSG_REPLICA_INDEX, 'PodClique'))).size;
}

/** The member's clique name: its generated name minus `<pcsg>-<j>-`. */
function cliqueOf(pcsgName: string, pclq: PodClique): string {
  const prefix = `${pcsgName}-${indexLabel(pclq, LABEL_PCSG_REPLICA_INDEX, 'PodClique')}-`;
  const name = requireName('PodClique', pclq);
  return name.startsWith(prefix) ? name.slice(prefix.length) : '';
}

/**
 * The group runs the PodCliqueSet's generation once no update runs, no member carries a stale
 * template hash label, and every expected member exists with converged hashes (grove-compat §4.9).
 */
function generationConverged(input: ScalingGroupStatusInput, members: ReadonlyMap<string, PodClique>): boolean {
  const { pcsg, pcsGenerationHash, expectedPodTemplateHashes } = input;
  if (input.updateInProgress || pcsGenerationHash === undefined) return false;
  const pcsgName = requireName('PodCliqueScalingGroup', pcsg);
  for (const m of members.values()) {
    const clique = cliqueOf(pcsgName, m);
    if (!pcsg.spec.cliqueNames.includes(clique)) continue;
    if (labelOf(m, LABEL_POD_TEMPLATE_HASH) !== expectedHash(expectedPodTemplateHashes, clique)) return false;
  }
  for (let j = 0; j < pcsg.spec.replicas; j++) {
    for (const c of pcsg.spec.cliqueNames) {
      const m = members.get(pcsgPodCliqueName(pcsgName, j, c));
      const hash = expectedHash(expectedPodTemplateHashes, c);
      if (!m || m.status?.currentPodTemplateHash !== hash || m.status.currentPodCliqueSetGenerationHash !== pcsGenerationHash) {
        return false;
      }
    }
  }
  return true;
}

/**
 * Whether a GangTerminationInProgress mark (if any) has been carried out: every live member was
 * created at or after the mark (second precision, as both timestamps are).
 */
export function recycleSettled(conditions: readonly Condition[] | undefined, members: ReadonlyMap<string, PodClique>): boolean {
  const mark = findCondition(conditions, CONDITION_GANG_TERMINATION_IN_PROGRESS);
  if (mark?.status !== 'True') return true;
  const at = Date.parse(mark.lastTransitionTime ?? '');
  if (Number.isNaN(at)) return true;
  return ![...members.values()].some((m) => Date.parse(m.metadata.creationTimestamp ?? '') < at);
}

function groupConditions(
  input: ScalingGroupStatusInput,
  previous: PodCliqueScalingGroupStatus | undefined,
  notInBreach: number,
  members: ReadonlyMap<string, PodClique>,
): Condition[] | undefined {
  const { pcsg } = input;
  // An idle group (scaled to zero on purpose, grove#676) is held to no minimum.
  const min = pcsg.spec.replicas === 0 ? 0 : scalingGroupMinAvailable(pcsg);
  const breach = scalingGroupBreachCondition(notInBreach, min, input.updateInProgress);
  // A group that is no longer breached is no longer being gang-terminated (grove-compat §4.9), but
  // only once the recycle has happened: right after the mark the group is often not breached yet (a
  // standalone clique triggered the recycle), and dropping the mark then would let the group's own
  // breach, moments later, recycle the replica a second time (grove#798).
  const remove = breach.status === 'False' && recycleSettled(previous?.conditions, members) ? [CONDITION_GANG_TERMINATION_IN_PROGRESS] : [];
  return mergeConditions(previous?.conditions, withEverAvailable(previous?.conditions, [breach], min), remove, { observedGeneration: pcsg.metadata.generation, now: input.now });
}

/** The status of one PodCliqueScalingGroup after a pass, and the events to emit. */
export function scalingGroupStatus(input: ScalingGroupStatusInput): ScalingGroupStatusResult {
  const { pcsg } = input;
  const name = requireName('PodCliqueScalingGroup', pcsg);
  const pcs = partOf(pcsg, 'PodCliqueScalingGroup');
  const previous = input.previous ?? pcsg.status;
  const members = membersByName(name, input.pclqs);
  const replicas = Array.from({ length: pcsg.spec.replicas }, (_, j) =>
    groupReplicaState(pcsg, members, j, input.expectedPodTemplateHashes, input.pcsGenerationHash),
  );
  const count = (f: (r: GroupReplicaState) => boolean): number => replicas.filter(f).length;
  const scheduledReplicas = count((r) => r.scheduled);
  const conditions = groupConditions(input, previous, count((r) => r.notInBreach), members);

  const status: PodCliqueScalingGroupStatus = {
    replicas: existingReplicaCount(members),
    scheduledReplicas,
    availableReplicas: count((r) => r.available),
    updatedReplicas: count((r) => r.updated),
    selector: pcsgPodSelector(pcs, name),
    observedGeneration: input.observedGeneration ?? previous?.observedGeneration,
    lastErrors: input.lastErrors && input.lastErrors.length > 0 ? [...input.lastErrors] : undefined,
    conditions,
    currentPodCliqueSetGenerationHash: generationConverged(input, members)
      ? input.pcsGenerationHash
      : previous?.currentPodCliqueSetGenerationHash,
    updateProgress: input.updateProgress ?? previous?.updateProgress,
  };
  const events = [
    ...scheduledLostEvents(previous?.scheduledReplicas, scheduledReplicas, 'replicas'),
    ...breachEvents(previous?.conditions, conditions),
  ];
  return { status: dropUndefined(status), events };
}

/** Whether the status changed (the shell skips the write when it did not). */
export const scalingGroupStatusChanged: (
  prev: PodCliqueScalingGroupStatus | undefined,
  next: PodCliqueScalingGroupStatus,
) => boolean = statusChanged;
