// Releasing pods to the scheduler (grove-compat §4.10): which pods lose grove.io/podgang-pending-creation
// now and, as data, why every other gated pod waits, so status and events can show it. The rule: a
// pod is released when
//   1. its gang references it: its name is in podgroups[name=<pclq>].podReferences, and
//   2. for a scaled gang (the PodClique carries grove.io/base-podgang), the base gang is scheduled:
//      every pod group of the base gang has its PodClique's status.scheduledReplicas >= minReplicas.
// Only that gate is removed; other gates (a scheduler backend's, a later copse planner gate) stay.
//
// How it is removed matters. kube-apiserver lets an existing pod lose scheduling gates but never gain
// one (422 "only deletion is allowed"). Writing the pod's whole gate list as read from the cache, minus
// ours, re-adds any gate someone else lifted since that read: the PodClique controller lifts Grove's
// gate, copse's placement planner then lifts `scheduling.copse.io/placement`, and a PodClique pass still
// holding the older snapshot wrote `[placement]` back. So a lift names only the gate it removes, as a
// strategic-merge `$patch: delete` on the list keyed by name: the server removes that one entry from
// whatever list the pod has now (nothing if it is already gone) and can never add one.

import type { Pod } from '../core/wire.js';
import { isTerminating, requireName, sortedBy } from '../desired/meta.js';
import type { PodClique, PodGang } from '../generated/types.js';
import { LABEL_BASE_PODGANG, LABEL_PODGANG, SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../keys.js';
import { labelOf } from './objects.js';

export interface UngateInput {
  podClique: PodClique;
  /** The PodClique's pods. */
  pods: readonly Pod[];
  /** The gang named by the PodClique's grove.io/podgang label, if it exists. */
  podGang?: PodGang | undefined;
  /** For a PodClique with grove.io/base-podgang: that base gang, if it exists. */
  baseGang?: PodGang | undefined;
  /** PodCliques of the base gang (their status.scheduledReplicas); may hold more. */
  basePodCliques?: readonly PodClique[];
}

export function hasGroveGate(pod: Pod): boolean {
  return pod.spec?.schedulingGates?.some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION) ?? false;
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

/**
 * A strategic-merge patch removing exactly one scheduling gate by name; a no-op when the gate is
 * already gone. (No uid precondition: pods get generated names, and kube-apiserver answers a uid
 * mismatch in a patch with 422 Invalid, indistinguishable from a real refusal.)
 */
export interface GateRemovalPatch {
  spec: { schedulingGates: [{ $patch: 'delete'; name: string }] };
}

/** The patch (type strategic) that takes `gate` off a pod and nothing else, whatever its other gates are now. */
export function gateRemovalPatch(gate: string): GateRemovalPatch {
  return { spec: { schedulingGates: [{ $patch: 'delete', name: gate }] } };
}

/** A pod whose gate comes off, and the patch that does it (never a whole gate list; see the top). */
export interface GateLift {
  pod: string;
  patch: GateRemovalPatch;
}

export interface GateWaiting {
  pod: string;
  why: GateWait;
}

export interface GateDecision {
  /** Pods to release, sorted by name. */
  lift: GateLift[];
  /** Gated pods that stay gated, sorted by name. */
  wait: GateWaiting[];
  /** When no pod can be released but some wait: the first one's reason, for a condition or event. */
  blocked: GateWait | undefined;
}

/**
 * The pod groups of the base gang whose PodClique has fewer than minReplicas pods scheduled. A missing
 * or terminating PodClique counts as 0 (its pods are going away).
 */
export function unscheduledPodGroups(baseGang: PodGang, podCliques: readonly PodClique[]): UnscheduledPodGroup[] {
  const live = new Map(podCliques.filter((p) => !isTerminating(p)).map((p) => [p.metadata.name ?? '', p]));
  return baseGang.spec.podgroups.flatMap((g) => {
    const scheduled = live.get(g.name)?.status?.scheduledReplicas ?? 0;
    return scheduled >= g.minReplicas ? [] : [{ name: g.name, scheduled, minReplicas: g.minReplicas }];
  });
}

/** Why the whole PodClique must wait (gang or base gang), or undefined when only references matter. */
function cliqueWait(input: UngateInput): GateWait | undefined {
  const podGang = labelOf(input.podClique, LABEL_PODGANG);
  if (podGang === undefined) return { reason: 'PodGangLabelMissing' };
  if (!input.podGang || isTerminating(input.podGang)) return { reason: 'PodGangNotFound', podGang };
  const basePodGang = labelOf(input.podClique, LABEL_BASE_PODGANG);
  if (basePodGang === undefined) return undefined;
  if (!input.baseGang || isTerminating(input.baseGang)) return { reason: 'BasePodGangNotFound', podGang, basePodGang };
  const podGroups = unscheduledPodGroups(input.baseGang, input.basePodCliques ?? []);
  return podGroups.length > 0 ? { reason: 'BasePodGangNotScheduled', podGang, basePodGang, podGroups } : undefined;
}

/** Which of a PodClique's gated pods lose grove.io/podgang-pending-creation now, and why the others wait. */
export function gateDecision(input: UngateInput): GateDecision {
  const pclq = requireName('PodClique', input.podClique);
  const gated = sortedBy(
    input.pods.filter((p) => hasGroveGate(p) && !isTerminating(p)),
    (p: Pod) => requireName('Pod', p),
  );
  const whole = cliqueWait(input);
  const group = input.podGang?.spec.podgroups.find((g) => g.name === pclq);
  const referenced = new Set((group?.podReferences ?? []).map((r) => r.name));
  const lift: GateLift[] = [];
  const wait: GateWaiting[] = [];
  for (const p of gated) {
    const pod = requireName('Pod', p);
    const why: GateWait | undefined =
      whole ??
      (referenced.has(pod) ? undefined : { reason: 'NotReferencedByPodGang', podGang: input.podGang?.metadata.name ?? '', podGroup: pclq });
    if (why) wait.push({ pod, why });
    else lift.push({ pod, patch: gateRemovalPatch(SCHEDULING_GATE_PODGANG_PENDING_CREATION) });
  }
  return { lift, wait, blocked: lift.length === 0 ? wait[0]?.why : undefined };
}

/** A sentence for a person: why the pod is still gated. */
export function gateWaitMessage(why: GateWait): string {
  switch (why.reason) {
    case 'PodGangLabelMissing':
      return `the PodClique has no ${LABEL_PODGANG} label`;
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
