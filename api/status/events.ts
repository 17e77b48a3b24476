// Events a status pass asks the shell to emit, as data: the shell fills in the involved object,
// source and timestamps and records them (core/v1 Event). Events mark transitions only, so a status
// computed twice from the same state emits nothing the second time.

import type { Condition } from '../generated/types.js';
import { CONDITION_MIN_AVAILABLE_BREACHED } from '../keys.js';
import { conditionTransition, findCondition } from './conditions.js';
import { wasEverAvailable } from './ever-available.js';

export type EventType = 'Normal' | 'Warning';

export interface StatusEvent {
  type: EventType;
  /** CamelCase reason, e.g. AllScheduledReplicasLost. */
  reason: string;
  message: string;
}

/** Scheduled replicas dropped from some to none: the workload is fully down (Grove's reason). */
export const EVENT_ALL_SCHEDULED_REPLICAS_LOST = 'AllScheduledReplicasLost';
/** MinAvailableBreached became True after having been False or Unknown. */
export const EVENT_MIN_AVAILABLE_BREACHED = 'MinAvailableBreached';
/** MinAvailableBreached went from True to False: at startup and after a recovery alike. */
export const EVENT_MIN_AVAILABLE_REACHED = 'MinAvailableReached';
/** TopologyLevelsUnavailable became True. */
export const EVENT_TOPOLOGY_LEVELS_UNAVAILABLE = 'TopologyLevelsUnavailable';
/** copse: CrashLooping became True (a pod of the PodClique restarted copse.io/crash-loop-restarts times). */
export const EVENT_CRASH_LOOPING = 'CrashLooping';
/** copse: CrashLooping went from True to False (the pod was replaced, or its count reset). */
export const EVENT_CRASH_LOOP_ENDED = 'CrashLoopEnded';
/** Every wanted PodCliqueSet replica is available, and before this pass not all were. */
export const EVENT_REPLICAS_AVAILABLE = 'ReplicasAvailable';
/** Fewer PodCliqueSet replicas are available than before and than wanted (not a scale-in). */
export const EVENT_REPLICAS_UNAVAILABLE = 'ReplicasUnavailable';

/**
 * AllScheduledReplicasLost when `previous` > 0 and `next` is 0. `unit` names what was scheduled
 * ("pods" for a PodClique, "replicas" for a scaling group).
 */
export function scheduledLostEvents(previous: number | undefined, next: number, unit: string): StatusEvent[] {
  if (previous === undefined || previous <= 0 || next !== 0) return [];
  return [
    {
      type: 'Warning',
      reason: EVENT_ALL_SCHEDULED_REPLICAS_LOST,
      message: `All scheduled ${unit} lost (was ${previous}); investigate node availability or capacity`,
    },
  ];
}

/**
 * Events for MinAvailableBreached transitions. The first time the condition appears nothing is
 * emitted: at startup nothing is ready yet, and a Warning per new PodClique would be noise. Reaching
 * the minimum is news only as a recovery, after the unit had been available (copse.io/EverAvailable):
 * its first start is the PodCliqueSet's ReplicasAvailable, and one Normal event per PodClique of a
 * 500-replica deploy would be 500 writes telling nobody anything.
 */
export function breachEvents(previous: readonly Condition[] | undefined, next: readonly Condition[] | undefined): StatusEvent[] {
  const t = conditionTransition(previous, next, CONDITION_MIN_AVAILABLE_BREACHED);
  const message = findCondition(next, CONDITION_MIN_AVAILABLE_BREACHED)?.message ?? '';
  if (!t || t.from === undefined) return [];
  if (t.to === 'True') return [{ type: 'Warning', reason: EVENT_MIN_AVAILABLE_BREACHED, message }];
  if (t.from === 'True' && t.to === 'False' && wasEverAvailable(previous)) return [{ type: 'Normal', reason: EVENT_MIN_AVAILABLE_REACHED, message }];
  return [];
}

/**
 * Events for copse's CrashLooping condition. Unlike a breach, a first assessment that is already True
 * is reported: nothing crash-loops at startup, so a True on first sight is real news (a copse upgrade
 * meeting a clique that loops), not noise.
 */
export function crashLoopEvents(previous: readonly Condition[] | undefined, next: readonly Condition[] | undefined, type: string): StatusEvent[] {
  const t = conditionTransition(previous, next, type);
  if (!t) return [];
  const message = findCondition(next, type)?.message ?? '';
  if (t.to === 'True') return [{ type: 'Warning', reason: EVENT_CRASH_LOOPING, message }];
  if (t.from === 'True' && t.to === 'False') return [{ type: 'Normal', reason: EVENT_CRASH_LOOP_ENDED, message }];
  return [];
}

/**
 * PodCliqueSet availability transitions: ReplicasAvailable when the available count reaches the
 * wanted count from below (a new PodCliqueSet coming up, a scale-out or a recovery completing), and
 * ReplicasUnavailable when it drops below both its previous value and the wanted count (a scale-in
 * lowers it on purpose and is not reported).
 */
export function availabilityEvents(previous: number | undefined, next: number, wanted: number): StatusEvent[] {
  if (wanted > 0 && next >= wanted && (previous ?? 0) < wanted) {
    return [{ type: 'Normal', reason: EVENT_REPLICAS_AVAILABLE, message: `All ${wanted} replicas available` }];
  }
  if (previous !== undefined && next < previous && next < wanted) {
    return [{ type: 'Warning', reason: EVENT_REPLICAS_UNAVAILABLE, message: `${next} of ${wanted} replicas available (was ${previous})` }];
  }
  return [];
}
