// Gang termination from the objects (grove-compat §4.11): the inputs of decideGangTermination for each
// PodCliqueSet replica, read from the PodCliques' and scaling groups' conditions; the exact objects a
// decision deletes; and the copse.io/GangTerminationPending condition that says why a breach waits.
// Pure: the shell (controllers/gang-termination.ts) passes the cached objects and the time.
//
// Level-triggered and restart-safe by construction:
//  - The deadline is the breach condition's lastTransitionTime + terminationDelay, recomputed on every
//    pass, so a restarted copse fires at the same moment the old one would have.
//  - A PodCliqueSet-replica recycle first marks every scaling group of the replica
//    GangTerminationInProgress=True (Grove marks after deleting; marking first is what lets a restart
//    finish an interrupted recycle), then deletes the replica's PodCliques, each by name and uid. A
//    PodClique of the replica created before the mark and still alive is a leftover of a recycle that
//    was interrupted, and is deleted on the next pass; the new ones are created after the mark and
//    never match. Deleting by uid means a stale cache can never hit a recreated PodClique.
//  - Recreated PodCliques have not reached their minimum yet (copse.io/EverAvailable), so they are
//    not terminated again until they have been healthy once.

import { isTerminating, requireName } from '../desired/meta.js';
import { pcsReplicas, scalingGroupConfigs, standaloneCliques } from '../desired/template.js';
import type { Condition, PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../generated/types.js';
import {
  CONDITION_GANG_TERMINATION_IN_PROGRESS,
  CONDITION_GANG_TERMINATION_PENDING,
  CONDITION_MIN_AVAILABLE_BREACHED,
  LABEL_PART_OF,
  LABEL_PCS_REPLICA_INDEX,
  LABEL_PCSG,
  LABEL_PCSG_REPLICA_INDEX,
} from '../keys.js';
import { podCliqueName } from '../names.js';
import { parseGoDuration } from '../rules/untyped.js';
import { type DesiredCondition, findCondition } from './conditions.js';
import { wasEverAvailable } from './ever-available.js';
import { decideGangTermination, type GangTerminationDecision, type ReplicaBreachInput } from './gang-termination.js';
import { indexLabel, labelOf } from './objects.js';
import { scalingGroupMinAvailable } from './scalinggroup.js';

export const REASON_GANG_TERMINATION_ACTIVE = 'GangTerminationActive';
export const EVENT_PCS_REPLICA_DELETE_SUCCESSFUL = 'PodCliqueSetReplicaDeleteSuccessful';
export const EVENT_PCS_REPLICA_DELETE_FAILED = 'PodCliqueSetReplicaDeleteFailed';
/** copse: the PodCliques of one scaling-group replica were deleted to be recreated. */
export const EVENT_PCSG_REPLICA_DELETE_SUCCESSFUL = 'PodCliqueScalingGroupReplicaDeleteSuccessful';
export const EVENT_PCSG_REPLICA_DELETE_FAILED = 'PodCliqueScalingGroupReplicaDeleteFailed';

/** One unit's breach as the decision saw it, for the log line of a recycle (which incarnation, since when). */
export interface BreachEvidence {
  kind: 'PodClique' | 'PodCliqueScalingGroup';
  name: string;
  uid: string | undefined;
  created: string | undefined;
  /** MinAvailableBreached as `<status>@<lastTransitionTime>`, or undefined when absent. */
  breach: string | undefined;
  everAvailable: boolean;
  /** GangTerminationInProgress's lastTransitionTime when True (groups). */
  markedAt?: string;
}

/** What the shell does for one PodCliqueSet replica in this pass. */
export interface ReplicaTerminationPlan {
  replica: number;
  decision: GangTerminationDecision;
  /** The replica's breached or marked units as read for this decision. */
  evidence: BreachEvidence[];
  /** Scaling groups to mark GangTerminationInProgress=True before anything is deleted. */
  markGroups: PodCliqueScalingGroup[];
  /** PodCliques to delete (by name and uid), in name order. */
  deletePodCliques: PodClique[];
  /** What the deletion is, for events and logs; undefined when nothing is deleted. */
  action: { kind: 'replica' } | { kind: 'group-replicas'; replicas: { group: string; replica: number }[] } | { kind: 'resume' } | undefined;
}

export interface GangTerminationPlan {
  replicas: ReplicaTerminationPlan[];
  /** Look again after this long: the earliest pending deadline. */
  requeueAfterMs: number | undefined;
  /** copse.io/GangTerminationPending for the PodCliqueSet; undefined removes it (nothing waits). */
  pending: DesiredCondition | undefined;
}

/** terminationDelay in milliseconds; an error naming the field when it is missing or malformed. */
export function terminationDelayMs(pcs: PodCliqueSet): number {
  const raw = pcs.spec.template.terminationDelay;
  const ns = raw === undefined ? undefined : parseGoDuration(raw);
  if (ns === undefined || ns <= 0n) {
    throw new Error(`PodCliqueSet ${pcs.metadata.name ?? '<unnamed>'}: spec.template.terminationDelay ${JSON.stringify(raw ?? null)} is not a positive Go duration`);
  }
  return Number(ns / 1_000_000n);
}

function timeMs(t: string | undefined): number | undefined {
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Since when MinAvailableBreached is True (epoch ms), or undefined. */
function breachedSince(conditions: readonly Condition[] | undefined): number | undefined {
  const c = findCondition(conditions, CONDITION_MIN_AVAILABLE_BREACHED);
  return c?.status === 'True' ? timeMs(c.lastTransitionTime) : undefined;
}

/** An automatic rolling update runs on PodCliqueSet replica `i` (Grove: it is in updateProgress.currentlyUpdating). */
export function replicaUpdating(pcs: PodCliqueSet, i: number): boolean {
  return (pcs.status?.updateProgress?.currentlyUpdating ?? []).some((u) => u.replicaIndex === i && !u.updateEndedAt);
}

function running(p: { updateStartedAt?: string; updateEndedAt?: string } | undefined): boolean {
  return p?.updateStartedAt !== undefined && p.updateEndedAt === undefined;
}

/** Since when GangTerminationInProgress is True on a group (epoch ms), or undefined. */
function markedSince(pcsg: PodCliqueScalingGroup): number | undefined {
  const c = findCondition(pcsg.status?.conditions, CONDITION_GANG_TERMINATION_IN_PROGRESS);
  return c?.status === 'True' ? timeMs(c.lastTransitionTime) : undefined;
}

interface ReplicaObjects {
  pclqs: PodClique[];
  pcsgs: PodCliqueScalingGroup[];
}

function byReplica(pcs: PodCliqueSet, pclqs: readonly PodClique[], pcsgs: readonly PodCliqueScalingGroup[]): ReplicaObjects[] {
  const name = requireName('PodCliqueSet', pcs);
  const out: ReplicaObjects[] = Array.from({ length: pcsReplicas(pcs) }, () => ({ pclqs: [], pcsgs: [] }));
  for (const p of pclqs) {
    if (labelOf(p, LABEL_PART_OF) !== name || isTerminating(p)) continue;
    out[indexLabel(p, LABEL_PCS_REPLICA_INDEX, 'PodClique')]?.pclqs.push(p);
  }
  for (const g of pcsgs) {
    if (labelOf(g, LABEL_PART_OF) !== name || isTerminating(g)) continue;
    out[indexLabel(g, LABEL_PCS_REPLICA_INDEX, 'PodCliqueScalingGroup')]?.pcsgs.push(g);
  }
  return out;
}

/** The decision input of replica `i` from its live (non-terminating) children. */
export function replicaBreachInput(pcs: PodCliqueSet, i: number, objs: ReplicaObjects, nowMs: number): ReplicaBreachInput {
  const pcsName = requireName('PodCliqueSet', pcs);
  const names = new Set(objs.pclqs.map((p) => p.metadata.name));
  const groupNames = new Set(objs.pcsgs.map((g) => g.metadata.name));
  return {
    replica: i,
    // A member whose group is gone (being deleted) belongs to no live group: it is not a standalone clique either.
    cliques: objs.pclqs.filter((p) => labelOf(p, LABEL_PCSG) === undefined || groupNames.has(labelOf(p, LABEL_PCSG) ?? '')).map((p) => {
      const group = labelOf(p, LABEL_PCSG);
      return {
        name: requireName('PodClique', p),
        breachedSinceMs: breachedSince(p.status?.conditions),
        everHealthy: wasEverAvailable(p.status?.conditions),
        ...(group !== undefined ? { group: { name: group, replica: indexLabel(p, LABEL_PCSG_REPLICA_INDEX, 'PodClique') } } : {}),
      };
    }),
    groups: objs.pcsgs.map((g) => ({
      name: requireName('PodCliqueScalingGroup', g),
      breachedSinceMs: breachedSince(g.status?.conditions),
      everHealthy: wasEverAvailable(g.status?.conditions),
      replicas: g.spec.replicas,
      minAvailable: scalingGroupMinAvailable(g),
      updateInProgress: running(g.status?.updateProgress),
      gangTerminationInProgress: markedSince(g) !== undefined,
    })),
    missingStandalone: standaloneCliques(pcs).some((c) => !names.has(podCliqueName(pcsName, i, c.name))),
    rollingUpdate: replicaUpdating(pcs, i) || objs.pclqs.some((p) => running(p.status?.updateProgress)),
    terminationDelayMs: terminationDelayMs(pcs),
    nowMs,
  };
}

const byName = (a: { metadata: { name?: string } }, b: { metadata: { name?: string } }): number => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/** PodCliques created before the earliest GangTerminationInProgress mark: leftovers of an interrupted recycle. */
function leftovers(objs: ReplicaObjects): PodClique[] {
  const marks = objs.pcsgs.map(markedSince).filter((m): m is number => m !== undefined);
  if (marks.length === 0) return [];
  const mark = Math.min(...marks);
  return objs.pclqs.filter((p) => (timeMs(p.metadata.creationTimestamp) ?? Infinity) < mark);
}

function evidenceOf(kind: BreachEvidence['kind'], o: PodClique | PodCliqueScalingGroup): BreachEvidence | undefined {
  const breach = findCondition(o.status?.conditions, CONDITION_MIN_AVAILABLE_BREACHED);
  const mark = findCondition(o.status?.conditions, CONDITION_GANG_TERMINATION_IN_PROGRESS);
  if (breach?.status === 'False' && mark?.status !== 'True') return undefined;
  return {
    kind,
    name: o.metadata.name ?? '',
    uid: o.metadata.uid,
    created: o.metadata.creationTimestamp,
    breach: breach ? `${breach.status}@${breach.lastTransitionTime ?? '?'}` : undefined,
    everAvailable: wasEverAvailable(o.status?.conditions),
    ...(mark?.status === 'True' ? { markedAt: mark.lastTransitionTime } : {}),
  };
}

/** The replica's units that are breached, unassessed or marked, as the decision read them. */
export function breachEvidence(objs: ReplicaObjects): BreachEvidence[] {
  return [
    ...[...objs.pclqs].sort(byName).map((p) => evidenceOf('PodClique', p)),
    ...[...objs.pcsgs].sort(byName).map((g) => evidenceOf('PodCliqueScalingGroup', g)),
  ].filter((e): e is BreachEvidence => e !== undefined);
}

function planReplica(pcs: PodCliqueSet, i: number, objs: ReplicaObjects, nowMs: number): ReplicaTerminationPlan {
  const decision = decideGangTermination(replicaBreachInput(pcs, i, objs, nowMs));
  const evidence = breachEvidence(objs);
  if (decision.recycleReplica) {
    return { replica: i, decision, evidence, markGroups: [...objs.pcsgs].sort(byName), deletePodCliques: [...objs.pclqs].sort(byName), action: { kind: 'replica' } };
  }
  const rest = leftovers(objs);
  if (rest.length > 0) return { replica: i, decision, evidence, markGroups: [], deletePodCliques: rest.sort(byName), action: { kind: 'resume' } };
  if (decision.recycleGroupReplicas.length > 0) {
    const hit = (p: PodClique): boolean =>
      decision.recycleGroupReplicas.some((r) => labelOf(p, LABEL_PCSG) === r.group && labelOf(p, LABEL_PCSG_REPLICA_INDEX) === String(r.replica));
    return {
      replica: i,
      decision,
      evidence,
      markGroups: [],
      deletePodCliques: objs.pclqs.filter(hit).sort(byName),
      action: { kind: 'group-replicas', replicas: decision.recycleGroupReplicas },
    };
  }
  return { replica: i, decision, evidence, markGroups: [], deletePodCliques: [], action: undefined };
}

/** The GangTerminationPending condition: why breached units wait, or undefined when none waits. */
export function gangTerminationPendingCondition(plans: readonly ReplicaTerminationPlan[], nowMs: number): DesiredCondition | undefined {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(...p.decision.waiting);
    if (p.action === undefined && p.decision.requeueAfterMs !== undefined) {
      const at = new Date(nowMs + p.decision.requeueAfterMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
      lines.push(`PodCliqueSet replica ${p.replica} is below its minimum; gang termination is due at ${at} (terminationDelay)`);
    }
  }
  if (lines.length === 0) return undefined;
  const blocked = plans.some((p) => p.decision.waiting.length > 0);
  return {
    type: CONDITION_GANG_TERMINATION_PENDING,
    status: 'True',
    reason: blocked ? 'GangTerminationBlocked' : 'TerminationDelayPending',
    message: lines.join('; '),
  };
}

/** The whole pass for a PodCliqueSet (defaulted): one plan per replica, the requeue and the pending condition. */
export function planGangTermination(pcs: PodCliqueSet, pclqs: readonly PodClique[], pcsgs: readonly PodCliqueScalingGroup[], nowMs: number): GangTerminationPlan {
  if (scalingGroupConfigs(pcs).length === 0 && standaloneCliques(pcs).length === 0) return { replicas: [], requeueAfterMs: undefined, pending: undefined };
  const replicas = byReplica(pcs, pclqs, pcsgs).map((objs, i) => planReplica(pcs, i, objs, nowMs));
  const waits = replicas.map((r) => r.decision.requeueAfterMs).filter((w): w is number => w !== undefined);
  return {
    replicas,
    requeueAfterMs: waits.length > 0 ? Math.max(0, Math.min(...waits)) : undefined,
    pending: gangTerminationPendingCondition(replicas, nowMs),
  };
}

/** The condition a PodCliqueSet-replica recycle writes on each scaling group of the replica (Grove's reason). */
export function gangTerminationInProgressCondition(replica: number): DesiredCondition {
  return {
    type: CONDITION_GANG_TERMINATION_IN_PROGRESS,
    status: 'True',
    reason: REASON_GANG_TERMINATION_ACTIVE,
    message: `PodCliqueSet replica ${replica} is being gang-terminated: its PodCliques are deleted and recreated`,
  };
}
