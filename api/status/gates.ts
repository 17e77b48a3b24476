// Gang scheduling gate lifting (grove-compat §4.10). Pods are born with the scheduling gate
// grove.io/podgang-pending-creation; the PodClique controller removes that gate, and only that one
// (other gates belong to other components, e.g. a later copse planner gate), when
//   1. the pod is referenced by its gang: its name is in podgroups[name=<pclq>].podReferences, and
//   2. for a scaled gang (the PodClique carries grove.io/base-podgang), the base gang is scheduled:
//      every pod group of the base gang has its PodClique's status.scheduledReplicas >= minReplicas.
// Effect: a scaled gang's pods reach the scheduler only after the base gang is placed (e2e GS5–GS12).
// Pods that must wait say why, as data, so status and events can show it.

import type { Pod } from '../core/wire.js';
import type { PodClique, PodGang } from '../generated/types.js';
import { LABEL_BASE_PODGANG, LABEL_PODGANG, SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../keys.js';
import { isTerminating, labelOf, nameOf } from './objects.js';

/** A pod scheduling gate as it appears in spec.schedulingGates. */
export interface SchedulingGate {
  name: string;
}

/** A pod group of the base gang that is not scheduled yet. */
export interface UnscheduledPodGroup {
  name: string;
  scheduled: number;
  minReplicas: number;
}

/** Why a pod keeps its gate. */
export type GateWait =
  | { reason: 'PodGangLabelMissing' }
  | { reason: 'PodGangNotFound'; podGang: string }
  | { reason: 'NotReferencedByPodGang'; podGang: string; podGroup: string }
  | { reason: 'BasePodGangNotFound'; podGang: string; basePodGang: string }
  | { reason: 'BasePodGangNotScheduled'; podGang: string; basePodGang: string; podGroups: UnscheduledPodGroup[] };

/** A pod whose gate comes off: its full new gate list (every other gate kept, in order). */
export interface GateLift {
  pod: string;
  schedulingGates: SchedulingGate[];
}

export interface GateWaiting {
  pod: string;
  why: GateWait;
}

export interface GateDecision {
  lift: GateLift[];
  wait: GateWaiting[];
  /** When no pod can be lifted but some wait: the first pod's reason, for a condition or event. */
  blocked: GateWait | undefined;
}

export interface GateInput {
  pclq: PodClique;
  /** The PodClique's pods; pods without the gate and terminating pods are left alone. */
  pods: readonly Pod[];
  /** At least the PodClique's gang and, for a scaled gang, its base gang. */
  podGangs: readonly PodGang[];
  /** At least the PodCliques of the base gang's pod groups (their scheduledReplicas are read). */
  pclqs: readonly PodClique[];
}

function hasPendingCreationGate(pod: Pod): boolean {
  return (pod.spec?.schedulingGates ?? []).some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION);
}

/** The pod groups of the base gang whose PodClique has fewer than minReplicas pods scheduled. */
export function unscheduledPodGroups(baseGang: PodGang, pclqs: readonly PodClique[]): UnscheduledPodGroup[] {
  return baseGang.spec.podgroups.flatMap((g) => {
    const scheduled = pclqs.find((p) => p.metadata.name === g.name)?.status?.scheduledReplicas ?? 0;
    return scheduled >= g.minReplicas ? [] : [{ name: g.name, scheduled, minReplicas: g.minReplicas }];
  });
}

/** Why this pod must keep its gate, or undefined when it may go. */
function waitFor(input: GateInput, pod: Pod, pclqName: string, gangs: ReadonlyMap<string, PodGang>): GateWait | undefined {
  const podGang = labelOf(pod, LABEL_PODGANG) ?? labelOf(input.pclq, LABEL_PODGANG);
  if (!podGang) return { reason: 'PodGangLabelMissing' };
  const gang = gangs.get(podGang);
  if (!gang) return { reason: 'PodGangNotFound', podGang };
  const podName = nameOf(pod, 'Pod');
  const group = gang.spec.podgroups.find((g) => g.name === pclqName);
  if (!group?.podReferences.some((r) => r.name === podName)) {
    return { reason: 'NotReferencedByPodGang', podGang, podGroup: pclqName };
  }
  const basePodGang = labelOf(input.pclq, LABEL_BASE_PODGANG);
  if (basePodGang === undefined) return undefined;
  const base = gangs.get(basePodGang);
  if (!base) return { reason: 'BasePodGangNotFound', podGang, basePodGang };
  const podGroups = unscheduledPodGroups(base, input.pclqs);
  return podGroups.length > 0 ? { reason: 'BasePodGangNotScheduled', podGang, basePodGang, podGroups } : undefined;
}

/** Which of a PodClique's gated pods lose grove.io/podgang-pending-creation now, and why the others wait. */
export function gateDecision(input: GateInput): GateDecision {
  const pclqName = nameOf(input.pclq, 'PodClique');
  const gangs = new Map(input.podGangs.filter((g) => !isTerminating(g)).map((g) => [nameOf(g, 'PodGang'), g]));
  const lift: GateLift[] = [];
  const wait: GateWaiting[] = [];
  for (const pod of input.pods) {
    if (isTerminating(pod) || !hasPendingCreationGate(pod)) continue;
    const name = nameOf(pod, 'Pod');
    const why = waitFor(input, pod, pclqName, gangs);
    if (why) {
      wait.push({ pod: name, why });
    } else {
      const schedulingGates = (pod.spec?.schedulingGates ?? [])
        .filter((g) => g.name !== SCHEDULING_GATE_PODGANG_PENDING_CREATION)
        .map((g) => ({ name: g.name }));
      lift.push({ pod: name, schedulingGates });
    }
  }
  return { lift, wait, blocked: lift.length === 0 ? wait[0]?.why : undefined };
}

/** A sentence for a person: why the pod is still gated. */
export function gateWaitMessage(why: GateWait): string {
  switch (why.reason) {
    case 'PodGangLabelMissing':
      return `the pod has no ${LABEL_PODGANG} label`;
    case 'PodGangNotFound':
      return `PodGang ${why.podGang} does not exist yet`;
    case 'NotReferencedByPodGang':
      return `PodGang ${why.podGang} does not reference the pod yet (pod group ${why.podGroup})`;
    case 'BasePodGangNotFound':
      return `base PodGang ${why.basePodGang} of scaled PodGang ${why.podGang} does not exist`;
    case 'BasePodGangNotScheduled': {
      const groups = why.podGroups.map((g) => `${g.name} ${g.scheduled}/${g.minReplicas}`).join(', ');
      return `waiting for base PodGang ${why.basePodGang} to be scheduled (scheduled/minReplicas): ${groups}`;
    }
  }
}
