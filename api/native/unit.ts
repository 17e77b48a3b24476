// The gangs of one PodCliqueSet replica (its "unit": the base gang `<pcs>-<i>` and its scaled gangs
// `<pcs>-<i>-<group>-<k>`), pure. copse's planner places every gang's minimum of a unit before any pod
// beyond a minimum; the native backend keeps the same order by holding the extras of a PodCliqueSet
// behind its gate until every gang of it has its minimum bound (status.ts, podCliqueSetMinimumBound).
import type { PodGang } from '../generated/types.js';
import { LABEL_PART_OF } from '../keys.js';

/**
 * The base gang of `gang`'s unit, from the names alone (a gang's PodCliqueSet is its part-of label):
 * `<pcs>-<i>` for `<pcs>-<i>` and for `<pcs>-<i>-<group>-<k>`. Undefined for a gang not named so.
 */
export function unitBaseName(gang: PodGang): string | undefined {
  const pcs = gang.metadata.labels?.[LABEL_PART_OF];
  const name = gang.metadata.name ?? '';
  if (!pcs || !name.startsWith(`${pcs}-`)) return undefined;
  const replica = /^(\d+)(?:-|$)/.exec(name.slice(pcs.length + 1))?.[1];
  return replica === undefined ? undefined : `${pcs}-${replica}`;
}

/**
 * The gangs of `gang`'s unit among `candidates` (gangs of the same namespace), `gang` included: those
 * of the same PodCliqueSet whose base is the same. A gang whose base cannot be told is a unit alone.
 */
export function unitGangs(gang: PodGang, candidates: readonly PodGang[]): PodGang[] {
  const base = unitBaseName(gang);
  if (base === undefined) return [gang];
  const pcs = gang.metadata.labels?.[LABEL_PART_OF];
  const others = candidates.filter((g) => g.metadata.name !== gang.metadata.name && g.metadata.labels?.[LABEL_PART_OF] === pcs && unitBaseName(g) === base);
  return [gang, ...others];
}
