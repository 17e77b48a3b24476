// copse.io/EverAvailable (copse, not Grove): whether a PodClique or scaling group has reached its
// minimum at least once in its life. Grove guesses "ever scheduled" from timestamps (a breach whose
// lastTransitionTime is more than 5 s after creation); the guess is wrong for a unit that is slow to
// start, and a restart of the operator cannot recover what it saw. The condition makes the fact part
// of the object: set the first time MinAvailableBreached is False, kept unchanged afterwards, and gone
// with the object (a recycled PodClique starts over, so a recycle that never comes up is not recycled
// again and again).

import type { Condition } from '../generated/types.js';
import { CONDITION_EVER_AVAILABLE } from '../keys.js';
import { type DesiredCondition, findCondition } from './conditions.js';

export const REASON_MIN_AVAILABLE_REACHED = 'MinAvailableReached';

/** The EverAvailable condition after a pass whose breach condition is `breach`; undefined while never reached. */
export function everAvailableCondition(previous: readonly Condition[] | undefined, breach: DesiredCondition): DesiredCondition | undefined {
  const had = findCondition(previous, CONDITION_EVER_AVAILABLE);
  if (had?.status === 'True') return { type: had.type, status: 'True', reason: had.reason, message: had.message };
  if (breach.status !== 'False') return undefined;
  return { type: CONDITION_EVER_AVAILABLE, status: 'True', reason: REASON_MIN_AVAILABLE_REACHED, message: `Reached its minimum: ${breach.message}` };
}

/** Whether the unit has reached its minimum at least once. */
export function wasEverAvailable(conditions: readonly Condition[] | undefined): boolean {
  return findCondition(conditions, CONDITION_EVER_AVAILABLE)?.status === 'True';
}
