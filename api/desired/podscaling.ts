// Pure decisions of the PodClique controller about its pods (grove-compat §4.5): how many are missing,
// which pod indices new pods take, how creations are batched, and which pods go first on scale-in.

import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE_POD_INDEX } from '../keys.js';
import { isTerminating } from './meta.js';

/** Not being deleted and not finished: the pod holds its index (k8s `IsPodActive`). */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !isTerminating(pod) && phase !== 'Succeeded' && phase !== 'Failed';
}

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

/** Pods to create so that `spec.replicas` pods are not being deleted (a terminating pod is already going). */
export function missingPodCount(pclq: PodClique, pods: readonly Pod[]): number {
  return Math.max(0, pclq.spec.replicas - pods.filter((p) => !isTerminating(p)).length);
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

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Earlier-deleted phases first: finished, then Pending < Unknown < Running. */
function phaseRank(pod: Pod): number {
  switch (pod.status?.phase) {
    case 'Failed':
    case 'Succeeded':
      return 0;
    case 'Pending':
      return 1;
    case 'Unknown':
      return 2;
    case 'Running':
      return 3;
    default:
      return 1;
  }
}

function compareVictims(expectedHash: string): (a: Pod, b: Pod) => number {
  const keys = (p: Pod): number[] => [
    p.spec?.nodeName ? 1 : 0,
    phaseRank(p),
    isReady(p) ? 1 : 0,
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
 * Pods to delete to come down to `replicas`, first deleted first: not on a node, then Pending < Unknown <
 * Running, not Ready, an outdated template hash, newest. Pods already terminating are neither counted
 * nor picked: they are going anyway, and picking one would leave a surplus pod (Grove picks them first,
 * so a scale-in during a slow termination deletes too few, grove#758).
 */
export function scaleInVictims(pods: readonly Pod[], replicas: number, expectedHash: string): Pod[] {
  const live = pods.filter((p) => !isTerminating(p));
  const excess = live.length - replicas;
  if (excess <= 0) return [];
  return [...live].sort(compareVictims(expectedHash)).slice(0, excess);
}
