// copse's placement gate: pods copse places through kube-scheduler (schedulerName default-scheduler)
// are born with it next to Grove's `grove.io/podgang-pending-creation`. Once the planner has found a
// node for every pod of a gang's minimum, copse lifts it on all of them at once, writing the planned
// node into the pod in the same update:
// - the annotation `scheduling.copse.io/node` (with `scheduling.copse.io/planned-at`) is the durable
//   reservation: the extender reads it, and it survives a restart of copse;
// - a nodeSelector on the node's hostname pins the pod, so kube-scheduler itself holds the plan even
//   when copse's extender is down (adding nodeSelector entries is allowed while a pod is gated,
//   KEP-3838; the gate is removed in the same write).
import type { Pod } from '../api/core/wire.js';
import { appendSchedulingGate, type SchedulerBackend } from '../api/desired/index.js';

export const PLACEMENT_GATE = 'scheduling.copse.io/placement';
export const ANNOTATION_PLANNED_NODE = 'scheduling.copse.io/node';
export const ANNOTATION_PLANNED_AT = 'scheduling.copse.io/planned-at';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function hasPlacementGate(pod: Pod): boolean {
  return pod.spec?.schedulingGates?.some((g) => g.name === PLACEMENT_GATE) ?? false;
}

/** Gated only by copse's placement gate: Grove's gate (and anyone else's) is already gone. */
export function readyForPlacement(pod: Pod): boolean {
  const gates = pod.spec?.schedulingGates ?? [];
  return gates.length === 1 && gates[0]?.name === PLACEMENT_GATE && !pod.metadata?.deletionTimestamp;
}

/** The node a plan reserved for the pod, if any. */
export function plannedNode(pod: Pod): string | undefined {
  return pod.metadata?.annotations?.[ANNOTATION_PLANNED_NODE];
}

/** Planned and still waiting for kube-scheduler to bind it: a reservation. */
export function isReserved(pod: Pod): boolean {
  return plannedNode(pod) !== undefined && !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp;
}

/**
 * The merge patch that places a pod: the planned node annotations, the nodeSelector pin (on the node's
 * hostname label) and the gates without copse's placement gate. Other gates are kept in order.
 */
export function placementPatch(pod: Pod, node: { name: string; hostname: string | undefined }, now: string): Record<string, unknown> {
  const gates = (pod.spec?.schedulingGates ?? []).filter((g) => g.name !== PLACEMENT_GATE).map((g) => ({ name: g.name }));
  const selector = pod.spec?.nodeSelector ?? {};
  // A pod that already names a hostname was planned within it; adding a different value is not allowed.
  const pin = node.hostname && selector[HOSTNAME_LABEL] === undefined ? { nodeSelector: { [HOSTNAME_LABEL]: node.hostname } } : {};
  return {
    metadata: { annotations: { [ANNOTATION_PLANNED_NODE]: node.name, [ANNOTATION_PLANNED_AT]: now } },
    spec: { schedulingGates: gates, ...pin },
  };
}

/**
 * The scheduler backend for the extender path: `base` (Grove's default-scheduler profile) plus the
 * placement gate on every pod kube-scheduler will see. Pods for another scheduler (KAI, Volcano) are
 * left to it.
 */
export function withPlacementGate(base: SchedulerBackend): SchedulerBackend {
  return {
    name: base.name,
    preparePod(pod, ctx) {
      const prepared = base.preparePod(pod, ctx);
      const scheduler = prepared.spec?.schedulerName ?? 'default-scheduler';
      return scheduler === 'default-scheduler' ? appendSchedulingGate(prepared, PLACEMENT_GATE) : prepared;
    },
    preparePodGang: (gang, ctx) => base.preparePodGang(gang, ctx),
  };
}
