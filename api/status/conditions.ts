// metav1.Condition bookkeeping, the Kubernetes way (apimachinery meta.SetStatusCondition): a pure
// function of the previous conditions, the decided ones and `now`. lastTransitionTime moves only when
// the status changes, so a reason or message update never restarts timers that read it (gang
// termination waits terminationDelay from the breach's lastTransitionTime).

import type { Condition } from '../generated/types.js';
import { jsonEqual } from '../json.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** What a status computation decides about one condition; time and generation are stamped by setCondition. */
export interface DesiredCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** When and for which generation a condition is being set. */
export interface ConditionStamp {
  /** metadata.generation of the object the condition was computed from. */
  observedGeneration: number | undefined;
  /** RFC 3339 time of this pass (see conditionTime). */
  now: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `now` as metav1.Time writes it: UTC at second precision. Go controllers write that form, so copse's
 * timestamps compare equal to theirs and a millisecond difference never counts as a status change.
 */
export function conditionTime(now: string): string {
  const ms = RFC3339.test(now) ? Date.parse(now) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`now: ${JSON.stringify(now)} is not an RFC 3339 timestamp`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The condition of a type, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The status of a condition type ("True", "False", "Unknown"), or undefined when it is absent. */
export function conditionStatus(conditions: readonly Condition[] | undefined, type: string): string | undefined {
  return findCondition(conditions, type)?.status;
}

/**
 * Sets one condition and returns the new list (the input is not modified). An existing condition keeps
 * its position (stable order: new types are appended), and its lastTransitionTime unless the status
 * changed; reason, message and observedGeneration always take the new values.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  desired: DesiredCondition,
  stamp: ConditionStamp,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === desired.type);
  const existing = i === -1 ? undefined : list[i];
  const next: Condition = {
    type: desired.type,
    status: desired.status,
    reason: desired.reason,
    message: desired.message,
    lastTransitionTime:
      existing && existing.status === desired.status ? existing.lastTransitionTime : conditionTime(stamp.now),
  };
  if (stamp.observedGeneration !== undefined) next.observedGeneration = stamp.observedGeneration;
  if (existing) list[i] = next;
  else list.push(next);
  return list;
}

/** The list without conditions of the given type. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Applies decided conditions in order (set) and removes the listed types. Conditions of other types,
 * written by other controllers (a scheduler's Unhealthy, the PCS controller's GangTerminationInProgress),
 * are kept untouched. Returns undefined for an empty list, as the field is omitted on the wire.
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  desired: readonly DesiredCondition[],
  remove: readonly string[],
  stamp: ConditionStamp,
): Condition[] | undefined {
  let list: Condition[] = [...(previous ?? [])];
  for (const d of desired) list = setCondition(list, d, stamp);
  for (const type of remove) list = removeCondition(list, type);
  return list.length > 0 ? list : undefined;
}

/**
 * Whether two condition lists say the same thing: the same types with identical fields. Order is not
 * compared (the apiserver keeps ours; another writer may append elsewhere), and absent equals empty.
 */
export function conditionsEqual(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c) => jsonEqual(c, findCondition(y, c.type)));
}

/** How a condition's status moved in this pass; `from` is undefined when the condition is new. */
export interface ConditionTransition {
  from: string | undefined;
  to: string | undefined;
}

/** The status transition of one condition type between two lists, or undefined when it did not change. */
export function conditionTransition(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[] | undefined,
  type: string,
): ConditionTransition | undefined {
  const from = conditionStatus(previous, type);
  const to = conditionStatus(next, type);
  return from === to ? undefined : { from, to };
}
