// The extender's decisions, pure over the node usage index (k8s-wire §3): kube-scheduler has already
// checked every in-tree rule; the extender adds what only copse knows, the reservations of gangs it
// has planned but kube-scheduler has not bound yet.
// - A pod with a planned node passes on that node only.
// - A pod in a native PodGroup (spec.schedulingGroup) passes everywhere: kube-scheduler's own gang
//   scheduling owns it, and vetoing a node it chose would fail the whole group.
// - Any other pod passes only where it fits with reservations held back, so it never eats a gang's
//   planned capacity.
import type { Pod } from '../api/core/wire.js';
import { schedulingGroupOf } from '../api/desired/pods.js';
import { formatAmount, podRequests } from './plan/index.js';
import { plannedNode } from './placement-gate.js';
import { podKey, type NodeUsage } from './usage.js';
import { MAX_EXTENDER_PRIORITY, type ExtenderFilterResult, type HostPriority } from './wire.js';

export function filterNodes(pod: Pod, nodeNames: readonly string[], usage: NodeUsage): ExtenderFilterResult {
  const result: ExtenderFilterResult = { NodeNames: [], FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' };
  const passed = result.NodeNames as string[];
  if (schedulingGroupOf(pod) !== undefined || !pod.spec) {
    passed.push(...nodeNames);
    return result;
  }
  const planned = plannedNode(pod);
  if (planned !== undefined) {
    for (const n of nodeNames) {
      if (n === planned) passed.push(n);
      else result.FailedAndUnresolvableNodes[n] = `copse planned this pod's gang onto node ${planned}`;
    }
    return result;
  }
  const requests = podRequests(pod.spec);
  const own = podKey(pod);
  usage.shortfalls(nodeNames, requests, own, (n, short) => {
    if (!short) passed.push(n);
    else result.FailedNodes[n] = `${formatAmount(short.resource, short.needed)} ${short.resource} requested, ${formatAmount(short.resource, Math.max(0, short.free))} free once gang reservations are held back`;
  });
  return result;
}

/**
 * Scores: for pods outside gangs, prefer nodes without reservations, so the holes copse keeps for
 * gangs stay whole; planned and native-group pods get a flat score (they are pinned already).
 */
export function prioritizeNodes(pod: Pod, nodeNames: readonly string[], usage: NodeUsage): HostPriority[] {
  if (schedulingGroupOf(pod) !== undefined || plannedNode(pod) !== undefined) return nodeNames.map((Host) => ({ Host, Score: 0 }));
  return nodeNames.map((Host) => ({ Host, Score: usage.reservedOn(Host, 'pods') > 0 ? 0 : MAX_EXTENDER_PRIORITY }));
}
