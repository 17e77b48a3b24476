// Pods stuck terminating (grove#401): copse's bounded policy. A pod whose node is gone or NotReady
// never finishes terminating (no kubelet confirms it), and a gang that waits for it, or whose
// replacement cannot be placed next to it, never recovers. copse gives the kubelet the pod's own grace
// period (the deletionTimestamp already includes it) plus STUCK_TERMINATING_AFTER_MS; a pod of a
// PodClique still there after that, on a node that is gone or not Ready, is force-deleted (grace
// period 0, uid precondition), as `kubectl delete --force` would, and a Warning event says so.
// A pod on a Ready node is left alone (its kubelet is alive and will finish), and so is a pod with
// finalizers (another controller holds it; a force delete would not remove it anyway). Terminating pods
// never count as available (isActivePod), so the breach and gang termination never wait for them.

import type { Pod } from '../core/wire.js';

/** How long past its deletionTimestamp (grace period included) a pod may stay before it counts as stuck. */
export const STUCK_TERMINATING_AFTER_MS = 60_000;

/** What copse knows of a node: `undefined` when the Node object is gone. */
export type NodeReadiness = (nodeName: string) => boolean | undefined;

export interface StuckPodsDecision {
  /** Pods to force-delete now, with the reason for the event. */
  forceDelete: { pod: Pod; reason: string }[];
  /** Look again when the next terminating pod reaches its bound. */
  requeueAfterMs: number | undefined;
}

/** How long until `pod` counts as stuck (<= 0: it does), or undefined when it never can (see the header). */
function untilStuck(pod: Pod, nowMs: number, afterMs: number): number | undefined {
  const since = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  if (Number.isNaN(since) || !pod.spec?.nodeName || (pod.metadata?.finalizers ?? []).length > 0) return undefined;
  return since + afterMs - nowMs;
}

export function stuckTerminatingPods(pods: readonly Pod[], node: NodeReadiness, nowMs: number, afterMs = STUCK_TERMINATING_AFTER_MS): StuckPodsDecision {
  const forceDelete: StuckPodsDecision['forceDelete'] = [];
  const waits: number[] = [];
  for (const pod of pods) {
    const wait = untilStuck(pod, nowMs, afterMs);
    if (wait === undefined) continue;
    if (wait > 0) {
      waits.push(wait);
      continue;
    }
    const nodeName = pod.spec?.nodeName ?? '';
    const ready = node(nodeName);
    if (ready === true) continue;
    const where = ready === undefined ? `node ${nodeName} is gone` : `node ${nodeName} is not Ready`;
    const past = Math.round((afterMs - wait) / 1000);
    forceDelete.push({ pod, reason: `Pod ${pod.metadata?.name ?? ''} was still terminating ${past}s after its grace period and ${where}; force-deleted so the PodClique can recover` });
  }
  return { forceDelete, requeueAfterMs: waits.length > 0 ? Math.min(...waits) : undefined };
}
