// Unwinding a partly bound gang (pure). copse lifts a gang's gates only when its whole minimum fits,
// but kube-scheduler binds each pinned pod on its own. If another pod takes a planned slot first, part
// of the gang binds and the rest cannot. That happens when copse was down (the extender is ignorable),
// or when a pod that skips the extender took the slot (on a cluster with `--extender-marker on`). The
// reservation of the pods left over then expires. They are recreated, and the planner looks for room for
// them next to their bound siblings. If none is left there, the gang would hold its bound part forever
// without ever running: the opposite of all-or-nothing. So once nothing has changed for `timeoutMs`, the
// bound part is deleted too. The whole gang then waits, gated, and is planned again as one.
//
// A gang that has run (one of its PodCliques reached its minimum: copse.io/EverAvailable) is never
// unwound. Losing a pod there is a breach of a running workload, and that belongs to gang termination
// (terminationDelay), which the user controls. Everything here is read from the objects: the clock
// starts at the latest binding or pod creation of the gang, so a restart of copse neither resets nor
// loses it.
import type { Pod } from '../api/core/wire.js';
import type { PodGang } from '../api/generated/types.js';
import { isActivePod } from '../api/desired/pods.js';
import { LABEL_PODCLIQUE } from '../api/keys.js';
import { isReserved } from './placement-gate.js';

export type PartialGangDecision =
  | { action: 'none' }
  | { action: 'wait'; afterMs: number }
  | { action: 'unwind'; pods: Pod[]; message: string };

export interface PartialGangInput {
  gang: PodGang;
  /** The gang's pods as cached (any state). */
  pods: readonly Pod[];
  /** Whether PodClique `name` (a pod group of the gang) has ever reached its minimum. */
  everAvailable: (podClique: string) => boolean;
  nowMs: number;
  /** 0: never unwind. */
  timeoutMs: number;
}

function boundAt(p: Pod): number {
  const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'True');
  return Date.parse(c?.lastTransitionTime ?? p.metadata?.creationTimestamp ?? '');
}

/**
 * What to do with a gang the planner could not place this pass: nothing (no pod bound, its minimum
 * held, a reservation still pending, or it has run), wait (partly bound, not for long enough yet), or
 * unwind (delete its bound pods).
 */
export function partialGangDecision(i: PartialGangInput): PartialGangDecision {
  if (i.timeoutMs <= 0) return { action: 'none' };
  const pods = i.pods.filter(isActivePod);
  const bound = pods.filter((p) => Boolean(p.spec?.nodeName));
  if (bound.length === 0 || pods.some(isReserved)) return { action: 'none' };
  const groups = i.gang.spec.podgroups;
  const boundIn = (name: string) => bound.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === name).length;
  const short = groups.filter((g) => boundIn(g.name) < g.minReplicas);
  if (short.length === 0 || groups.some((g) => i.everAvailable(g.name))) return { action: 'none' };
  const times = [...bound.map(boundAt), ...pods.filter((p) => !p.spec?.nodeName).map((p) => Date.parse(p.metadata?.creationTimestamp ?? ''))].filter(Number.isFinite);
  const since = times.length > 0 ? Math.max(...times) : i.nowMs;
  const left = since + i.timeoutMs - i.nowMs;
  if (left > 0) return { action: 'wait', afterMs: left };
  const shortList = short.map((g) => `${g.name} ${boundIn(g.name)}/${g.minReplicas}`).join(', ');
  return {
    action: 'unwind',
    pods: bound,
    message:
      `PodGang ${i.gang.metadata.name ?? ''} was partly bound (bound/minReplicas: ${shortList}) and the rest found no room for ${Math.round(i.timeoutMs / 1000)}s; ` +
      `deleting its ${bound.length} bound pod(s) so the whole gang is placed again`,
  };
}
