// What the native backend reports and releases, pure. kube-scheduler writes nothing on
// CompositePodGroups in v1.37, only `PodGroupInitiallyScheduled` on leaf PodGroups, so a gang's
// pending reason comes from its leaves; whether it is scheduled comes from its pods (api/status).
import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import type { PendingReason } from '../status/podgang.js';
import { CONDITION_INITIALLY_SCHEDULED, type NativePodGroup, PODGROUP_PROTECTION_FINALIZER } from './wire.js';
import { leafPodGroupName } from './translate.js';

/** copse's gate on a native gang's pods: lifted on the whole gang at once, once its objects exist. */
export const NATIVE_GATE = 'scheduling.copse.io/native-gang';

export const REASON_NATIVE_OBJECTS_PENDING = 'NativeGroupsPending';
export const REASON_NATIVE_UNSCHEDULABLE = 'Unschedulable';

/** The PodGroup a pod joins natively, if any. */
export function schedulingGroupOf(pod: Pod): string | undefined {
  const spec = pod.spec as { schedulingGroup?: { podGroupName?: string } } | undefined;
  return spec?.schedulingGroup?.podGroupName || undefined;
}

/**
 * Why a native gang waits, from its leaf PodGroups (undefined: nothing to say, the pods explain it).
 * `podGroups` are the PodGroups that exist, by name.
 */
export function nativePendingReason(gang: PodGang, podGroups: ReadonlyMap<string, NativePodGroup>): PendingReason | undefined {
  const names = gang.spec.podgroups.map((g) => leafPodGroupName(g.name));
  const missing = names.filter((n) => !podGroups.has(n));
  if (missing.length > 0) {
    return { reason: REASON_NATIVE_OBJECTS_PENDING, message: `native PodGroups not created yet: ${missing.join(', ')}.` };
  }
  for (const n of names) {
    const c = podGroups.get(n)?.status?.conditions?.find((x) => x.type === CONDITION_INITIALLY_SCHEDULED);
    if (c?.status === 'False') {
      return { reason: c.reason || REASON_NATIVE_UNSCHEDULABLE, message: `kube-scheduler (native gang scheduling), PodGroup ${n}: ${c.message ?? ''}`.trimEnd() };
    }
  }
  return undefined;
}

/**
 * The pods whose native gate to lift now: none until every translated object exists and every pod
 * group has at least minReplicas pods that wait only for this gate or are already past it (the
 * scheduler would otherwise try a group whose members are still held back and fail it); then all
 * pods that wait only for it, together. Pods still held by Grove's gate (a scaled gang waiting for
 * its base gang) stay as they are.
 */
export function nativeRelease(gang: PodGang, pods: readonly Pod[], objectsReady: boolean): Pod[] {
  if (!objectsReady) return [];
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const gates = (p: Pod) => (p.spec?.schedulingGates ?? []).map((g) => g.name);
  const waitsOnlyForUs = (p: Pod) => {
    const g = gates(p);
    return g.length === 1 && g[0] === NATIVE_GATE;
  };
  const released = (p: Pod) => gates(p).length === 0;
  const byGroup = new Map<string, Pod[]>();
  for (const p of live) {
    const g = schedulingGroupOf(p);
    if (!g) continue;
    const list = byGroup.get(g);
    if (list) list.push(p);
    else byGroup.set(g, [p]);
  }
  const ready = gang.spec.podgroups.every((g) => (byGroup.get(leafPodGroupName(g.name)) ?? []).filter((p) => waitsOnlyForUs(p) || released(p)).length >= g.minReplicas);
  if (!ready) return [];
  return live.filter((p) => schedulingGroupOf(p) !== undefined && waitsOnlyForUs(p));
}

/**
 * Whether copse may lift the PodGroupProtection finalizer of a PodGroup being deleted: the same rule
 * kube-controller-manager's protection controller applies (no pod of the group is left), for clusters
 * where that controller does not run, so a deletion never hangs.
 */
export function finalizerReleasable(pg: NativePodGroup, pods: readonly Pod[]): boolean {
  if (!pg.metadata.deletionTimestamp) return false;
  if (!(pg.metadata.finalizers ?? []).includes(PODGROUP_PROTECTION_FINALIZER)) return false;
  const name = pg.metadata.name;
  return !pods.some((p) => schedulingGroupOf(p) === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}
