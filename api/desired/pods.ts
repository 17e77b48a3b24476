// Pod predicates shared by the desired-state and status computations. They read the pod as the
// apiserver reports it (conditions, phase, spec); no clock.

import type { Pod } from '../core/wire.js';
import { isTerminating } from './meta.js';

/** A pod that counts: not terminating and not finished (an evicted, Failed pod lingers but runs nothing). */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !isTerminating(pod) && phase !== 'Succeeded' && phase !== 'Failed';
}

function podCondition(pod: Pod, type: string): { status: string; reason?: string; message?: string } | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/**
 * The native PodGroup a pod joins (spec.schedulingGroup, Kubernetes v1.37), if any: such a pod is
 * placed by kube-scheduler's own gang scheduling.
 */
export function schedulingGroupOf(pod: Pod): string | undefined {
  const spec = pod.spec as { schedulingGroup?: { podGroupName?: string } } | undefined;
  return spec?.schedulingGroup?.podGroupName || undefined;
}

/** Ready=True. */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/**
 * Bound to a node: PodScheduled=True, or spec.nodeName already set (binding is what matters; the
 * condition can lag the binding by one status update).
 */
export function isPodScheduled(pod: Pod): boolean {
  return podCondition(pod, 'PodScheduled')?.status === 'True' || (pod.spec?.nodeName ?? '') !== '';
}

/**
 * Held by a scheduling gate: not bound, and either the scheduler reports PodScheduled=False with reason
 * SchedulingGated (Grove's rule) or gates are still in the spec (true before the scheduler has seen
 * the pod at all, which the condition alone would miss).
 */
export function isPodScheduleGated(pod: Pod): boolean {
  if (isPodScheduled(pod)) return false;
  const c = podCondition(pod, 'PodScheduled');
  if (c?.status === 'False' && c.reason === 'SchedulingGated') return true;
  return (pod.spec?.schedulingGates?.length ?? 0) > 0;
}

/** The scheduler's explanation for an unbound pod (PodScheduled=False message), if any. */
export function unschedulableMessage(pod: Pod): string | undefined {
  const c = podCondition(pod, 'PodScheduled');
  return c?.status === 'False' && c.reason !== 'SchedulingGated' && c.message ? c.message : undefined;
}

