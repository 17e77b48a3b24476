// PodClique status (grove-compat §4.9): counts of its pods, the PodCliqueScheduled and
// MinAvailableBreached conditions, current hashes and the events worth emitting.
//
// MinAvailableBreached differs from Grove on purpose (grove#277). Grove breaches when
//   scheduled − (not-ready pods with a container that exited non-zero) − (started-but-not-ready pods) < minAvailable,
// so a bound pod that never starts (ImagePullBackOff, stuck init container, CreateContainerError) or
// sits in an unfailed waiting state counts as available forever, and a clique with no working pod is
// never breached. copse counts what is actually available, READY pods:
//   Unknown/UpdateInProgress   while an automatic rolling update runs on this PodClique (as Grove);
//   True/ScheduledReplicasBelowMinAvailable  scheduled < minAvailable (as Grove; its message);
//   True/InsufficientReadyPods  ready < minAvailable (Grove's reason; message says "ready", not "ready or starting");
//   False/SufficientReadyPods   ready >= minAvailable (Grove's reason and message text; `found` is the ready count).
// A clique whose pods are starting is therefore breached until they are Ready. Startup patience is
// the gang-termination policy's job (terminationDelay counts from the breach's lastTransitionTime),
// not a reason to report pods that do not serve as available.

import type { Pod } from '../core/wire.js';
import { requireName } from '../desired/meta.js';
import { isActivePod } from '../desired/pods.js';
import type { Condition, LastError, PodClique, PodCliqueStatus, PodCliqueUpdateProgress } from '../generated/types.js';
import { CONDITION_CRASH_LOOPING, crashLoopCondition } from '../update/crash-loop.js';
import {
  CONDITION_MIN_AVAILABLE_BREACHED,
  CONDITION_PODCLIQUE_SCHEDULED,
  LABEL_PCSG,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_PODCLIQUE,
} from '../keys.js';
import { podCliquePodSelector } from '../names.js';
import { type DesiredCondition, mergeConditions } from './conditions.js';
import { breachEvents, crashLoopEvents, scheduledLostEvents, type StatusEvent } from './events.js';
import { everAvailableCondition } from './ever-available.js';
import { dropUndefined, labelOf, partOf, statusChanged } from './objects.js';
import { isPodReady, isPodScheduled, isPodScheduleGated } from '../desired/pods.js';

export const REASON_SUFFICIENT_SCHEDULED_PODS = 'SufficientScheduledPods';
export const REASON_INSUFFICIENT_SCHEDULED_PODS = 'InsufficientScheduledPods';
export const REASON_UPDATE_IN_PROGRESS = 'UpdateInProgress';
export const REASON_SCHEDULED_REPLICAS_BELOW_MIN_AVAILABLE = 'ScheduledReplicasBelowMinAvailable';
export const REASON_INSUFFICIENT_READY_PODS = 'InsufficientReadyPods';
export const REASON_SUFFICIENT_READY_PODS = 'SufficientReadyPods';
export const MESSAGE_UPDATE_IN_PROGRESS = 'Update is in progress';

export interface PodCliqueStatusInput {
  pclq: PodClique;
  /** Pods of this PodClique (label grove.io/podclique); pods labelled for another PodClique are ignored. */
  pods: readonly Pod[];
  /**
   * The pod template hash pods should run now: updateProgress.podTemplateHash during an update, else the
   * PodClique's grove.io/pod-template-hash label (see targetPodTemplateHash).
   */
  expectedPodTemplateHash: string;
  /** The PodCliqueSet's currentGenerationHash; undefined until the PodCliqueSet has one. */
  pcsGenerationHash: string | undefined;
  /** An automatic (RollingRecreate) update is running on this PodClique. */
  updateInProgress: boolean;
  /** Generation whose spec pass just completed; omitted keeps the previous value. */
  observedGeneration?: number;
  /** Errors of this pass when it did not complete; omitted or empty clears them. */
  lastErrors?: readonly LastError[];
  /** status.updateProgress as the rolling update decided it (api/update/podclique.ts); omitted keeps the previous one. */
  updateProgress?: PodCliqueUpdateProgress;
  /** copse: restarts of one pod after which CrashLooping=True (api/update/crash-loop.ts); omitted leaves the condition out. */
  crashLoopRestarts?: number;
  /** Status before this pass; defaults to pclq.status. */
  previous?: PodCliqueStatus;
  /** RFC 3339 time of this pass. */
  now: string;
}

export interface PodCliqueStatusResult {
  status: PodCliqueStatus;
  events: StatusEvent[];
}

/** Pod counts of a PodClique, over active pods only (see isActivePod). */
export interface PodCounts {
  replicas: number;
  ready: number;
  scheduled: number;
  scheduleGated: number;
  updated: number;
}

/** spec.minAvailable, defaulting (as the webhook does) to spec.replicas. */
export function podCliqueMinAvailable(pclq: PodClique): number {
  return pclq.spec.minAvailable ?? pclq.spec.replicas;
}

/**
 * The minimum the conditions hold the clique to. A PodClique scaled to zero is idle on purpose
 * (grove#676): it is neither unscheduled nor breached, so its effective minimum is 0.
 */
function effectiveMinAvailable(pclq: PodClique): number {
  return pclq.spec.replicas === 0 ? 0 : podCliqueMinAvailable(pclq);
}

/** The hash pods should carry: the running update's target, else the PodClique's label. */
export function targetPodTemplateHash(pclq: PodClique): string | undefined {
  return pclq.status?.updateProgress?.podTemplateHash ?? labelOf(pclq, LABEL_POD_TEMPLATE_HASH);
}

/** The expected hash of a template clique; an error naming the clique when the caller has none. */
export function expectedHash(hashes: Readonly<Record<string, string>>, clique: string): string {
  const h = hashes[clique];
  if (h === undefined) throw new Error(`expectedPodTemplateHashes: no hash for clique ${JSON.stringify(clique)}`);
  return h;
}

/** Counts over the PodClique's active pods. */
export function countPods(pclqName: string, pods: readonly Pod[], expectedPodTemplateHash: string): PodCounts {
  const active = pods.filter((p) => labelOf(p, LABEL_PODCLIQUE) === pclqName && isActivePod(p));
  return {
    replicas: active.length,
    ready: active.filter(isPodReady).length,
    scheduled: active.filter(isPodScheduled).length,
    scheduleGated: active.filter(isPodScheduleGated).length,
    updated: active.filter((p) => labelOf(p, LABEL_POD_TEMPLATE_HASH) === expectedPodTemplateHash).length,
  };
}

/** PodCliqueScheduled: the gang minimum of this clique is bound to nodes. */
export function podCliqueScheduledCondition(scheduled: number, minAvailable: number): DesiredCondition {
  const ok = scheduled >= minAvailable;
  return {
    type: CONDITION_PODCLIQUE_SCHEDULED,
    status: ok ? 'True' : 'False',
    reason: ok ? REASON_SUFFICIENT_SCHEDULED_PODS : REASON_INSUFFICIENT_SCHEDULED_PODS,
    message: ok
      ? `Sufficient scheduled pods found. expected at least: ${minAvailable}, found: ${scheduled}`
      : `Insufficient scheduled pods. expected at least: ${minAvailable}, found: ${scheduled}`,
  };
}

/** MinAvailableBreached by copse's rule (see the header): READY pods against minAvailable. */
export function podCliqueBreachCondition(
  counts: Pick<PodCounts, 'scheduled' | 'ready'>,
  minAvailable: number,
  updateInProgress: boolean,
): DesiredCondition {
  const type = CONDITION_MIN_AVAILABLE_BREACHED;
  if (updateInProgress) {
    return { type, status: 'Unknown', reason: REASON_UPDATE_IN_PROGRESS, message: MESSAGE_UPDATE_IN_PROGRESS };
  }
  if (counts.scheduled < minAvailable) {
    return {
      type,
      status: 'True',
      reason: REASON_SCHEDULED_REPLICAS_BELOW_MIN_AVAILABLE,
      message: `Scheduled replicas (${counts.scheduled}) below MinAvailable (${minAvailable})`,
    };
  }
  if (counts.ready < minAvailable) {
    return {
      type,
      status: 'True',
      reason: REASON_INSUFFICIENT_READY_PODS,
      message: `Insufficient ready pods. expected at least: ${minAvailable}, found: ${counts.ready}`,
    };
  }
  return {
    type,
    status: 'False',
    reason: REASON_SUFFICIENT_READY_PODS,
    message: `Either sufficient ready or starting pods found. expected at least: ${minAvailable}, found: ${counts.ready}`,
  };
}

/**
 * Current hashes advance once every pod runs the expected template and no automatic update is running
 * (Grove: updated == replicas); until then, and until the PodCliqueSet has a generation hash, they keep
 * their previous values.
 */
function currentHashes(
  input: PodCliqueStatusInput,
  counts: PodCounts,
  previous: PodCliqueStatus | undefined,
): Pick<PodCliqueStatus, 'currentPodTemplateHash' | 'currentPodCliqueSetGenerationHash'> {
  if (input.updateInProgress || counts.updated !== counts.replicas || input.pcsGenerationHash === undefined) {
    return {
      currentPodTemplateHash: previous?.currentPodTemplateHash,
      currentPodCliqueSetGenerationHash: previous?.currentPodCliqueSetGenerationHash,
    };
  }
  return {
    currentPodTemplateHash: input.expectedPodTemplateHash,
    currentPodCliqueSetGenerationHash: input.pcsGenerationHash,
  };
}

/**
 * The decided conditions plus copse.io/EverAvailable, which follows the breach condition. A unit held
 * to a minimum of 0 (scaled to zero) reaches nothing by being idle: `minAvailable` 0 never sets it.
 */
export function withEverAvailable(previous: readonly Condition[] | undefined, decided: DesiredCondition[], minAvailable: number): DesiredCondition[] {
  const breach = decided.find((d) => d.type === CONDITION_MIN_AVAILABLE_BREACHED);
  const ever = breach && (minAvailable > 0 || breach.status !== 'False') ? everAvailableCondition(previous, breach) : undefined;
  return ever ? [...decided, ever] : decided;
}

/** The status of one PodClique after a pass, and the events to emit. */
export function podCliqueStatus(input: PodCliqueStatusInput): PodCliqueStatusResult {
  const { pclq } = input;
  const name = requireName('PodClique', pclq);
  const pcs = partOf(pclq, 'PodClique');
  const previous = input.previous ?? pclq.status;
  const counts = countPods(name, input.pods, input.expectedPodTemplateHash);
  const observedGeneration = input.observedGeneration ?? previous?.observedGeneration;
  const min = effectiveMinAvailable(pclq);
  const previousConditions = previous?.conditions;

  // Like Grove, conditions wait for the first completed spec pass: before it the pods the conditions
  // count may not exist yet, and a premature breach would start the termination clock.
  const conditions =
    observedGeneration === undefined
      ? previousConditions
      : mergeConditions(
          previousConditions,
          withEverAvailable(
            previousConditions,
            [
              podCliqueScheduledCondition(counts.scheduled, min),
              podCliqueBreachCondition(counts, min, input.updateInProgress),
              ...(input.crashLoopRestarts !== undefined ? [crashLoopCondition(input.pods, input.crashLoopRestarts)] : []),
            ],
            min,
          ),
          [],
          { observedGeneration: pclq.metadata.generation, now: input.now },
        );

  const status: PodCliqueStatus = {
    observedGeneration,
    lastErrors: input.lastErrors && input.lastErrors.length > 0 ? [...input.lastErrors] : undefined,
    replicas: counts.replicas,
    readyReplicas: counts.ready,
    updatedReplicas: counts.updated,
    scheduleGatedReplicas: counts.scheduleGated,
    scheduledReplicas: counts.scheduled,
    // Only standalone cliques are scaled on their own; PCSG members scale with their group.
    hpaPodSelector: labelOf(pclq, LABEL_PCSG) === undefined ? podCliquePodSelector(pcs, name) : undefined,
    conditions,
    ...currentHashes(input, counts, previous),
    updateProgress: input.updateProgress ?? previous?.updateProgress,
  };
  const events = [
    ...scheduledLostEvents(previous?.scheduledReplicas, counts.scheduled, 'pods'),
    ...breachEvents(previousConditions, conditions),
    ...crashLoopEvents(previousConditions, conditions, CONDITION_CRASH_LOOPING),
  ];
  return { status: dropUndefined(status), events };
}

/** Whether the status changed (the shell skips the write when it did not). */
export const podCliqueStatusChanged: (prev: PodCliqueStatus | undefined, next: PodCliqueStatus) => boolean = statusChanged;

/**
 * Whether a PodClique runs the current generation (grove-compat §4.8): labelled and converged on the
 * expected template hash, synced to the PodCliqueSet's generation hash, and at least minAvailable pods
 * both updated and ready.
 */
export function isPodCliqueUpdated(
  pclq: PodClique,
  expectedPodTemplateHash: string | undefined,
  pcsGenerationHash: string | undefined,
): boolean {
  const s = pclq.status;
  const min = podCliqueMinAvailable(pclq);
  return (
    expectedPodTemplateHash !== undefined &&
    pcsGenerationHash !== undefined &&
    labelOf(pclq, LABEL_POD_TEMPLATE_HASH) === expectedPodTemplateHash &&
    s?.currentPodTemplateHash === expectedPodTemplateHash &&
    s.currentPodCliqueSetGenerationHash === pcsGenerationHash &&
    s.updatedReplicas >= min &&
    s.readyReplicas >= min
  );
}
