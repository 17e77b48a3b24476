// Releasing pods to the scheduler (grove-compat §4.10). The PodClique controller removes only the
// `grove.io/podgang-pending-creation` gate (a backend's gates stay) from a pod once its PodGang lists it,
// and, for a PodClique of a scaled gang (`grove.io/base-podgang`), once the base gang is scheduled:
// every base pod group's PodClique has scheduledReplicas >= minReplicas. So scaled gangs never compete
// with their base gang for capacity.

import type { Pod } from '../core/wire.js';
import type { PodClique, PodGang } from '../generated/types.js';
import { LABEL_BASE_PODGANG, SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../keys.js';
import { isTerminating } from './meta.js';

type SchedulingGate = NonNullable<NonNullable<Pod['spec']>['schedulingGates']>[number];

export function hasGroveGate(pod: Pod): boolean {
  return pod.spec?.schedulingGates?.some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION) ?? false;
}

/** The pod's gates without the one copse added, in order (the patch that releases the pod). */
export function gatesWithoutGroveGate(pod: Pod): SchedulingGate[] {
  return (pod.spec?.schedulingGates ?? []).filter((g) => g.name !== SCHEDULING_GATE_PODGANG_PENDING_CREATION);
}

/** Every pod group of `baseGang` has at least minReplicas scheduled pods (by its PodClique's status). */
export function baseGangScheduled(baseGang: PodGang, podCliques: readonly PodClique[]): boolean {
  const byName = new Map(podCliques.filter((p) => !isTerminating(p)).map((p) => [p.metadata.name ?? '', p]));
  return baseGang.spec.podgroups.every((g) => (byName.get(g.name)?.status?.scheduledReplicas ?? 0) >= g.minReplicas);
}

export interface UngateInput {
  podClique: PodClique;
  /** The PodClique's pods. */
  pods: readonly Pod[];
  /** The gang named by the PodClique's grove.io/podgang label, if it exists. */
  podGang?: PodGang;
  /** For a PodClique with grove.io/base-podgang: that base gang, if it exists. */
  baseGang?: PodGang;
  /** PodCliques of the base gang (their status.scheduledReplicas); may hold more. */
  basePodCliques?: readonly PodClique[];
}

/** The gated pods of the PodClique that may be released now, sorted by name. */
export function podsToUngate(input: UngateInput): Pod[] {
  const { podClique, podGang } = input;
  if (!podGang) return [];
  if (podClique.metadata.labels?.[LABEL_BASE_PODGANG] !== undefined) {
    if (!input.baseGang || !baseGangScheduled(input.baseGang, input.basePodCliques ?? [])) return [];
  }
  const group = podGang.spec.podgroups.find((g) => g.name === podClique.metadata.name);
  const referenced = new Set((group?.podReferences ?? []).map((r) => r.name));
  return input.pods
    .filter((p) => hasGroveGate(p) && !isTerminating(p) && referenced.has(p.metadata?.name ?? ''))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
