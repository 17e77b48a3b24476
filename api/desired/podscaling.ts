// Pure decisions of the PodClique controller about its pods (grove-compat §4.5): how many are missing,
// which pod indices new pods take, how creations are batched, and which pods go first on scale-in.

import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE_POD_INDEX } from '../keys.js';
import { isActivePod, isPodReady } from './pods.js';

/** The pod's index: its pod-index label, else the numeric suffix of its hostname. */
export function podIndexOf(pod: Pod): number | undefined {
  const label = pod.metadata?.labels?.[LABEL_PODCLIQUE_POD_INDEX];
  if (label !== undefined && /^(0|[1-9][0-9]*)$/.test(label)) return Number(label);
  const m = /-(0|[1-9][0-9]*)$/.exec(pod.spec?.hostname ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * The `count` lowest indices no active pod holds. Indices of deleted or finished pods are reused, so
 * hostnames stay within 0..replicas-1 across restarts.
 */
export function freePodIndices(pods: readonly Pod[], count: number): number[] {
  const used = new Set(pods.filter(isActivePod).map(podIndexOf).filter((i): i is number => i !== undefined));
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) if (!used.has(i)) out.push(i);
  return out;
}

/**
 * Pods to create so that `spec.replicas` pods are active. A terminating pod is already going, and a
 * finished one (e.g. evicted: Failed, left for pod garbage collection) runs nothing, so neither counts,
 * as in status.replicas (api/status) and Kubernetes' ReplicaSet. Grove counts finished pods, so an
 * evicted pod is never replaced.
 */
export function missingPodCount(pclq: PodClique, pods: readonly Pod[]): number {
  return Math.max(0, pclq.spec.replicas - pods.filter(isActivePod).length);
}

/**
 * Slow-start batch sizes for `total` creations or deletions: 1, 2, 4, ... with the last batch cut to what
 * is left. The shell stops at the first batch with a failure, so a broken template costs one call.
 */
export function slowStartBatches(total: number): number[] {
  const out: number[] = [];
  for (let size = 1, left = total; left > 0; size *= 2) {
    const n = Math.min(size, left);
    out.push(n);
    left -= n;
  }
  return out;
}

/** Earlier-deleted phases first: Pending < Unknown < Running. */
function phaseRank(pod: Pod): number {
  switch (pod.status?.phase) {
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      return 0;
  }
}

function compareVictims(expectedHash: string): (a: Pod, b: Pod) => number {
  const keys = (p: Pod): number[] => [
    p.spec?.nodeName ? 1 : 0,
    phaseRank(p),
    isPodReady(p) ? 1 : 0,
    p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] === expectedHash ? 1 : 0,
  ];
  return (a, b) => {
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] ?? 0) - (kb[i] ?? 0);
    // Newest first, then by name so the order is total.
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? 1 : -1;
    return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  };
}

/**
 * Pods to delete to come down to `replicas` active pods, first deleted first: not on a node, then
 * Pending < Unknown < Running, not Ready, an outdated template hash, newest. Pods already terminating
 * are neither counted nor picked: they are going anyway, and picking one would leave a surplus pod
 * (Grove picks them first, so a scale-in during a slow termination deletes too few, grove#758).
 * Finished pods are not counted either (see `missingPodCount`). Before all that, pods whose index
 * another live pod also holds (see duplicateIndexHolders).
 */
export function scaleInVictims(pods: readonly Pod[], replicas: number, expectedHash: string): Pod[] {
  const live = pods.filter(isActivePod);
  const excess = live.length - replicas;
  if (excess <= 0) return [];
  const order = [...live].sort(compareVictims(expectedHash));
  const spare = duplicateIndexHolders(order);
  return [...order.filter((p) => spare.has(p)), ...order.filter((p) => !spare.has(p))].slice(0, excess);
}

/**
 * Of live pods sharing a pod index, all but the one `order` keeps longest. Two pods hold one index
 * when a create's answer was lost (an apiserver restart) and the pod was made again: they go first
 * on scale-in, so the surplus the duplicate caused takes the duplicate away and every index (and
 * hostname) is held once again.
 */
function duplicateIndexHolders(order: readonly Pod[]): Set<Pod> {
  const keeper = new Map<number, Pod>();
  for (const p of [...order].reverse()) {
    const i = podIndexOf(p);
    if (i !== undefined && !keeper.has(i)) keeper.set(i, p);
  }
  return new Set(order.filter((p) => {
    const i = podIndexOf(p);
    return i !== undefined && keeper.get(i) !== p;
  }));
}
