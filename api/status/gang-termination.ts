// Gang termination (grove-compat §4.11), the decision alone: for one PodCliqueSet replica, given the
// breach state of its PodCliques and scaling groups, which scaling-group replicas and whether the
// whole PodCliqueSet replica are recycled now, and when to look again. The controllers turn the
// decision into deletes, conditions and events; this module reads no clock and no cluster.
//
// Grove's rules, with its gaps closed:
//  - A unit (a PodClique or a scaling group) counts only when MinAvailableBreached has been True for
//    terminationDelay. Its breach counts READY pods (grove#277; api/status/podclique.ts).
//  - A unit that was never healthy is never terminated (Grove guesses "ever scheduled" from timestamps);
//    the caller says whether it ever was, and the decision says why it waits.
//  - Nothing is terminated during an automatic rolling update of the replica (§10.4); the breach is
//    reported as waiting instead.
//  - Scaling-group level: the breached PodCliques are grouped by group replica. If the group would keep
//    fewer than minAvailable healthy replicas, the group level does nothing and the PodCliqueSet level
//    decides; otherwise each breached group replica past the delay is recycled on its own.
//  - PodCliqueSet level: any standalone PodClique, or any scaling group, breached past the delay
//    recycles the whole replica, unless a gang termination of it is already in progress or one of
//    its standalone PodCliques does not exist yet. A PodCliqueSet recycle supersedes group recycles.

/** A unit's breach: since when MinAvailableBreached is True (epoch ms; undefined: not breached). */
export interface BreachState {
  name: string;
  breachedSinceMs: number | undefined;
  /** MinAvailableBreached was False at least once: the unit has been healthy. */
  everHealthy: boolean;
}

export interface CliqueBreach extends BreachState {
  /** Set for a scaling-group member: its group and group replica index. */
  group?: { name: string; replica: number };
}

export interface GroupBreach extends BreachState {
  replicas: number;
  minAvailable: number;
  /** A rolling update runs on this group: Grove skips group-level recycles then. */
  updateInProgress: boolean;
  /** GangTerminationInProgress=True: a PodCliqueSet-level recycle already started. */
  gangTerminationInProgress: boolean;
}

export interface ReplicaBreachInput {
  replica: number;
  cliques: readonly CliqueBreach[];
  groups: readonly GroupBreach[];
  /** Some expected standalone PodClique does not exist yet. */
  missingStandalone: boolean;
  /** An automatic rolling update runs on this PodCliqueSet replica. */
  rollingUpdate: boolean;
  terminationDelayMs: number;
  nowMs: number;
}

export interface GangTerminationDecision {
  /** Scaling-group replicas whose PodCliques are deleted and recreated now. */
  recycleGroupReplicas: { group: string; replica: number }[];
  /** Delete every PodClique of this PodCliqueSet replica now. */
  recycleReplica: boolean;
  /** Look again after this long (the earliest pending breach); undefined: nothing pending. */
  requeueAfterMs: number | undefined;
  /** Why a breach does not lead to termination (yet), for status and events. */
  waiting: string[];
}

interface Counted {
  /** Remaining wait; <= 0 means due. */
  waitMs: number;
}

/** A breach that counts, with its remaining wait; or undefined, with the reason added to `waiting`. */
function counted(unit: BreachState, what: string, input: ReplicaBreachInput, waiting: string[]): Counted | undefined {
  if (unit.breachedSinceMs === undefined) return undefined;
  if (!unit.everHealthy) {
    waiting.push(`${what} ${unit.name} is below its minimum but was never healthy; it is not terminated`);
    return undefined;
  }
  return { waitMs: input.terminationDelayMs - (input.nowMs - unit.breachedSinceMs) };
}

function earliest(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

function groupLevel(input: ReplicaBreachInput, waiting: string[]): { recycle: { group: string; replica: number }[]; pendingMs: number[] } {
  const recycle: { group: string; replica: number }[] = [];
  const pendingMs: number[] = [];
  for (const g of input.groups) {
    const byReplica = new Map<number, number>();
    for (const c of input.cliques) {
      if (c.group?.name !== g.name) continue;
      const b = counted(c, 'PodClique', input, waiting);
      if (!b) continue;
      // A group replica waits from its first breached member.
      byReplica.set(c.group.replica, Math.min(byReplica.get(c.group.replica) ?? Infinity, b.waitMs));
    }
    if (byReplica.size === 0) continue;
    if (g.updateInProgress) {
      waiting.push(`PodCliqueScalingGroup ${g.name} is being updated; its breached replicas are not recycled`);
      continue;
    }
    // Too few healthy replicas left: the PodCliqueSet level decides.
    if (g.replicas - byReplica.size < g.minAvailable) continue;
    for (const [replica, waitMs] of [...byReplica].sort((a, b) => a[0] - b[0])) {
      if (waitMs <= 0) recycle.push({ group: g.name, replica });
      else pendingMs.push(waitMs);
    }
  }
  return { recycle, pendingMs };
}

export function decideGangTermination(input: ReplicaBreachInput): GangTerminationDecision {
  const waiting: string[] = [];
  const standalone = input.cliques.filter((c) => !c.group).flatMap((c) => counted(c, 'PodClique', input, waiting) ?? []);
  const groups = input.groups.flatMap((g) => {
    if (g.gangTerminationInProgress) return [];
    return counted(g, 'PodCliqueScalingGroup', input, waiting) ?? [];
  });
  const group = groupLevel(input, waiting);
  const replicaDue = [...standalone, ...groups].filter((b) => b.waitMs <= 0).length > 0;
  const pending = [...standalone, ...groups].filter((b) => b.waitMs > 0).map((b) => b.waitMs);

  if (input.rollingUpdate) {
    if (replicaDue || pending.length > 0 || group.recycle.length > 0 || group.pendingMs.length > 0) {
      waiting.push(`PodCliqueSet replica ${input.replica} is being updated; gang termination waits until the update is done`);
    }
    return { recycleGroupReplicas: [], recycleReplica: false, requeueAfterMs: undefined, waiting };
  }
  if (replicaDue && input.missingStandalone) {
    waiting.push(`PodCliqueSet replica ${input.replica} is missing a PodClique; gang termination waits until it exists`);
    return { recycleGroupReplicas: [], recycleReplica: false, requeueAfterMs: earliest([...pending, ...group.pendingMs]), waiting };
  }
  if (replicaDue) return { recycleGroupReplicas: [], recycleReplica: true, requeueAfterMs: undefined, waiting };
  return { recycleGroupReplicas: group.recycle, recycleReplica: false, requeueAfterMs: earliest([...pending, ...group.pendingMs]), waiting };
}
