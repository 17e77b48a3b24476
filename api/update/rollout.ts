// Which PodCliqueSet replicas a rolling update works on (grove-compat §4.8), as a pure function of the
// previous progress, the generation hashes, the update policy and what each replica looks like.
//
// Grove's rules, kept:
// - A new generation hash resets status.updateProgress: updateStartedAt = now, updateEndedAt = now
//   for OnDelete only. The first hash a PodCliqueSet gets starts nothing. (Grove also clears
//   currentlyUpdating; copse keeps the replicas in it, see decideRollout.)
// - RollingRecreate works on replicas named in currentlyUpdating; one finished (every standalone
//   PodClique and scaling group updated and available) leaves the list; the next is chosen among the
//   replicas still to update: replicas with no scheduled pod first, then replicas in a MinAvailable
//   breach, then the lowest index. With none left, updateEndedAt = now and the list is cleared.
// - Scaling never starts an update (grove#565): replica counts are not in the hash, and a replica that
//   only lacks pods (a scale-out) has nothing outdated, so it is never chosen.
// copse additions (api/rules/update-policy.ts): up to maxUnavailable replicas at once; replicas with an
// index below the partition are never chosen; and a replica that runs an outdated template while no
// update is running (partition lowered, OnDelete switched to RollingRecreate) starts a new round.
import type { PodCliqueSetReplicaUpdateProgress, PodCliqueSetUpdateProgress } from '../generated/types.js';
import type { UpdatePolicy } from '../rules/update-policy.js';

/** What one PodCliqueSet replica looks like to the rollout. */
export interface ReplicaRolloutState {
  index: number;
  /** Every standalone PodClique and scaling group runs the current generation and is available. */
  updated: boolean;
  /** Some PodClique or active pod of the replica carries a template hash other than the current one. */
  outdated: boolean;
  /** Scheduled pods of the replica (all its PodCliques). */
  scheduledPods: number;
  /** Some standalone PodClique or scaling group of the replica has MinAvailableBreached=True. */
  breached: boolean;
}

export interface RolloutInput {
  /** status.updateProgress before this pass. */
  previous: PodCliqueSetUpdateProgress | undefined;
  /** status.currentGenerationHash before this pass. */
  previousHash: string | undefined;
  /** The generation hash of the spec now. */
  hash: string;
  policy: UpdatePolicy;
  /** Annotations are invalid: keep what runs, start no replica. */
  paused: boolean;
  /** Replicas 0..spec.replicas-1. */
  replicas: readonly ReplicaRolloutState[];
  /** RFC 3339 time of this pass. */
  now: string;
}

/** The orchestration part of status.updateProgress (the counters are the status pass's). */
export type RolloutProgress = Pick<PodCliqueSetUpdateProgress, 'updateStartedAt' | 'updateEndedAt' | 'currentlyUpdating'>;

export interface RolloutDecision {
  progress: RolloutProgress;
  /** Replica indices that joined currentlyUpdating in this pass, in the order chosen. */
  started: number[];
  /** Replica indices that left it, finished. */
  finished: number[];
}

function orchestration(p: PodCliqueSetUpdateProgress | undefined): RolloutProgress {
  return { updateStartedAt: p?.updateStartedAt, updateEndedAt: p?.updateEndedAt, currentlyUpdating: p?.currentlyUpdating };
}

/** Grove's order of the next replica: none scheduled, then breached, then lowest index. */
export function compareCandidates(a: ReplicaRolloutState, b: ReplicaRolloutState): number {
  const rank = (r: ReplicaRolloutState): number[] => [r.scheduledPods === 0 ? 0 : 1, r.breached ? 0 : 1, r.index];
  const x = rank(a);
  const y = rank(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** Whether an automatic update is running: started, not ended. What gang termination waits for. */
export function rolloutInProgress(p: PodCliqueSetUpdateProgress | undefined): boolean {
  return p?.updateStartedAt !== undefined && p.updateEndedAt === undefined;
}

/** The replicas the PodCliqueSet's rollout is working on, by index. */
export function replicasBeingUpdated(p: PodCliqueSetUpdateProgress | undefined): Set<number> {
  return new Set((p?.currentlyUpdating ?? []).map((r) => r.replicaIndex));
}

export function decideRollout(input: RolloutInput): RolloutDecision {
  const { policy, now } = input;
  let progress = orchestration(input.previous);
  if (input.previousHash === undefined) return { progress, started: [], finished: [] };
  if (input.previousHash !== input.hash) {
    // copse, unlike Grove: the replicas being updated stay in the list and go on to the new template.
    // They are already down a pod or a group replica; choosing again (Grove clears the list) takes the
    // lowest index, so a template change while replica 1 updates had replica 0 and replica 1 down at
    // once, beyond maxUnavailable.
    const carried = policy.type === 'RollingRecreate' ? progress.currentlyUpdating : undefined;
    progress = { updateStartedAt: now, updateEndedAt: policy.type === 'OnDelete' ? now : undefined, currentlyUpdating: carried };
  }
  if (policy.type === 'OnDelete') {
    // Switched from RollingRecreate mid-update: whatever was running stops here.
    const finished = (progress.currentlyUpdating ?? []).map((r) => r.replicaIndex);
    const ended = progress.updateStartedAt !== undefined ? (progress.updateEndedAt ?? now) : progress.updateEndedAt;
    return { progress: { ...progress, updateEndedAt: ended, currentlyUpdating: undefined }, started: [], finished };
  }

  const byIndex = new Map(input.replicas.map((r) => [r.index, r]));
  const finished: number[] = [];
  const current: PodCliqueSetReplicaUpdateProgress[] = [];
  for (const entry of progress.currentlyUpdating ?? []) {
    const r = byIndex.get(entry.replicaIndex);
    // A replica scaled away, or done, leaves the list.
    if (r === undefined || (r.updated && !r.outdated)) finished.push(entry.replicaIndex);
    else current.push(entry);
  }
  const busy = new Set(current.map((c) => c.replicaIndex));
  const candidates = input.replicas
    .filter((r) => r.index >= policy.partition && r.outdated && !busy.has(r.index))
    .sort(compareCandidates);

  if (progress.updateStartedAt === undefined || progress.updateEndedAt !== undefined) {
    // No update running: only an outdated replica the policy now allows starts a new round.
    if (candidates.length === 0 || input.paused) return { progress: { ...progress, currentlyUpdating: current.length ? current : undefined }, started: [], finished };
    progress = { updateStartedAt: now, updateEndedAt: undefined, currentlyUpdating: undefined };
  }

  const started: number[] = [];
  if (!input.paused) {
    for (const c of candidates) {
      if (current.length >= policy.maxUnavailable) break;
      current.push({ replicaIndex: c.index, updateStartedAt: now });
      started.push(c.index);
    }
  }
  if (current.length === 0 && candidates.length === 0) {
    return { progress: { ...progress, updateEndedAt: now, currentlyUpdating: undefined }, started, finished };
  }
  return { progress: { ...progress, currentlyUpdating: current.length ? current : undefined }, started, finished };
}
