// What the native backend reports and releases, pure. kube-scheduler writes nothing on
// CompositePodGroups in v1.37, only `PodGroupInitiallyScheduled` on leaf PodGroups, so a gang's
// pending reason comes from its leaves; whether it is scheduled comes from its pods (api/status).
import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import type { PendingReason } from '../status/podgang.js';
import { CONDITION_INITIALLY_SCHEDULED, type NativePodGroup, PODGROUP_PROTECTION_FINALIZER } from './wire.js';
import { LABEL_PODCLIQUE } from '../keys.js';
import { isBasePodGangName } from '../names.js';
import { schedulingGroupOf } from '../desired/pods.js';
import { type GangTree, gangTree, leafPodGroupName } from './translate.js';

/**
 * copse's gate on a native gang's pods: lifted on the members of its PodGroups at once, once its
 * objects exist, and on its extras once the minimum is bound.
 */
export const NATIVE_GATE = 'scheduling.copse.io/native-gang';

export const REASON_NATIVE_OBJECTS_PENDING = 'NativeGroupsPending';
export const REASON_NATIVE_UNSCHEDULABLE = 'Unschedulable';

export { schedulingGroupOf };

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

const gateNames = (p: Pod) => (p.spec?.schedulingGates ?? []).map((g) => g.name);
/** Held only by copse's native gate (not by Grove's, which a scaled gang keeps until its base gang is scheduled). */
const waitsOnlyForNativeGate = (p: Pod) => {
  const g = gateNames(p);
  return g.length === 1 && g[0] === NATIVE_GATE;
};
const isReleased = (p: Pod) => gateNames(p).length === 0;
const isLive = (p: Pod) => !p.metadata?.deletionTimestamp;

/** Live pods of native groups by the leaf PodGroup they join. */
function podsByGroup(pods: readonly Pod[]): Map<string, Pod[]> {
  const byGroup = new Map<string, Pod[]>();
  for (const p of pods) {
    const g = isLive(p) ? schedulingGroupOf(p) : undefined;
    if (!g) continue;
    const list = byGroup.get(g);
    if (list) list.push(p);
    else byGroup.set(g, [p]);
  }
  return byGroup;
}

/** Whether `pod` counts towards its gang's bound minimum: live and on a node. */
export function countsAsBound(pod: Pod | undefined): boolean {
  return pod !== undefined && isLive(pod) && Boolean(pod.spec?.nodeName);
}

/**
 * Whether a pod event can change what `minimumBound` says of any gang (`before`/`after`: the pod
 * before and after it, undefined where it did not exist): only a binding, a deletion starting or
 * the pod going. Status updates (Running, Ready) cannot, and are most of a deploy's pod events.
 */
export function boundStateChanged(before: Pod | undefined, after: Pod | undefined): boolean {
  return countsAsBound(before) !== countsAsBound(after);
}

/**
 * Whether every pod group of `gang` has at least minReplicas live pods bound to nodes (counted by
 * PodClique, so members of the leaf PodGroup and extras alike).
 */
export function minimumBound(gang: PodGang, pods: readonly Pod[]): boolean {
  const bound = new Map<string, number>();
  for (const p of pods) {
    const c = p.metadata?.labels?.[LABEL_PODCLIQUE];
    if (c && countsAsBound(p)) bound.set(c, (bound.get(c) ?? 0) + 1);
  }
  return gang.spec.podgroups.every((g) => (bound.get(g.name) ?? 0) >= g.minReplicas);
}

/**
 * Whether the pods beyond the minimums of a PodCliqueSet may go: every gang of it (`gangs`, those
 * being deleted aside) has its minimum bound. Across replicas too, as copse's planner does
 * (scheduler/placement.ts, planPass): Grove's order is every replica's base gang, then the scaled
 * gangs, then the pods beyond (GS10, GS12), and one replica's extras released while a sibling waits
 * would race its minimum for the room the next nodes bring.
 */
export function podCliqueSetMinimumBound(gangs: readonly PodGang[], podsOf: (gang: PodGang) => readonly Pod[]): boolean {
  return gangs.filter((g) => !g.metadata.deletionTimestamp).every((g) => minimumBound(g, podsOf(g)));
}

export const REASON_NATIVE_BASE_GANGS_PENDING = 'BaseGangsPending';

/**
 * Why a scaled gang's members stay gated although Grove's gate is off (its own base gang is
 * scheduled): the base gang of some other replica of its PodCliqueSet lacks its minimum. Grove's order
 * is every replica's base gang before any scaled gang (GS10); copse's planner keeps it on the extender
 * backend, but kube-scheduler orders no two gangs, so a replica whose base gang bound first would
 * otherwise take, with its scaled gang, the room a sibling's base gang needs. Undefined when none
 * lacks it (`gangs`: the PodCliqueSet's gangs; those being deleted do not count).
 */
export function baseGangsPending(pcs: string, gangs: readonly PodGang[], podsOf: (gang: PodGang) => readonly Pod[]): PendingReason | undefined {
  const short = gangs
    .filter((g) => !g.metadata.deletionTimestamp && isBasePodGangName(pcs, g.metadata.name ?? '') && !minimumBound(g, podsOf(g)))
    .map((g) => g.metadata.name ?? '')
    .sort();
  if (short.length === 0) return undefined;
  return {
    reason: REASON_NATIVE_BASE_GANGS_PENDING,
    message: `a scaled gang is released after the base gang of every replica has its minimum bound; waiting for ${short.join(', ')}.`,
  };
}

/**
 * The members of the gang's leaf PodGroups whose native gate to lift now: none until every translated
 * object exists and every pod group has at least minReplicas members that wait only for this gate or
 * are already past it (the scheduler would otherwise try a group whose members are still held back
 * and fail it); then all members that wait only for it, together. None can be held back on its own:
 * one gated pod gates kube-scheduler's whole queued entity (the root group). Pods still held by
 * Grove's gate (a scaled gang waiting for its base gang) stay as they are. The extras, outside the
 * groups, are `nativeExtrasRelease`'s.
 */
export function nativeRelease(gang: PodGang, pods: readonly Pod[], objectsReady: boolean): Pod[] {
  if (!objectsReady) return [];
  const byGroup = podsByGroup(pods);
  const members = gang.spec.podgroups.map((g) => ({ min: g.minReplicas, pods: byGroup.get(leafPodGroupName(g.name)) ?? [] }));
  if (!members.every((g) => g.pods.filter((p) => isReleased(p) || waitsOnlyForNativeGate(p)).length >= g.min)) return [];
  return members.flatMap((g) => g.pods.filter(waitsOnlyForNativeGate));
}

/** A gang's extras: its live pods outside every PodGroup that wait only for copse's native gate. */
export function waitingExtras(gang: PodGang, pods: readonly Pod[]): Pod[] {
  const cliques = new Set(gang.spec.podgroups.map((g) => g.name));
  return pods.filter((p) => isLive(p) && !schedulingGroupOf(p) && cliques.has(p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '') && waitsOnlyForNativeGate(p));
}

/** Node labels by node name (the shell reads them from its cache). */
export type NodeLabels = (node: string) => Readonly<Record<string, string>> | undefined;

/** What an extra pod is lifted with: nodeSelector entries, or `wait` while its domains are not known. */
export type ExtraLift = { pod: Pod; selector: Record<string, string> } | { pod: Pod; wait: string };

/**
 * The extras to lift now, each pinned to the domains its PodClique's minimum is bound in: copse's
 * planner places every gang's minimum of a PodCliqueSet before any pod beyond one (Grove's order), so
 * nothing until `unitMinimumBound` (podCliqueSetMinimumBound: every gang of the PodCliqueSet, base
 * and scaled gangs of every replica, has its minimum bound). An extra is an ordinary pod to kube-scheduler, outside the gang's
 * topology constraints, so it gets a nodeSelector on every required key above it (its pod group's,
 * its topology constraint group's, the gang's) with the value of a bound pod of its PodClique, which
 * satisfies them all (adding nodeSelector entries to a gated pod is allowed; an entry the pod already
 * has is left as it is).
 */
export function nativeExtrasRelease(gang: PodGang, pods: readonly Pod[], unitMinimumBound: boolean, nodeLabels: NodeLabels): ExtraLift[] {
  if (!unitMinimumBound) return [];
  const tree = gangTree(gang);
  return waitingExtras(gang, pods).map((pod) => extraLift(pod, pods, requiredKeysAbove(gang, tree, pod.metadata?.labels?.[LABEL_PODCLIQUE] ?? ''), nodeLabels));
}

/** The required keys over pod group `podClique`: its own, its topology constraint group's, the gang's. */
function requiredKeysAbove(gang: PodGang, tree: GangTree, podClique: string): string[] {
  const own = gang.spec.podgroups.find((g) => g.name === podClique)?.topologyConstraint?.packConstraint?.required;
  const child = tree.children.find((c) => c.leaves.some((l) => l.name === podClique))?.constraint?.packConstraint?.required;
  const root = gang.spec.topologyConstraint?.packConstraint?.required;
  return [...new Set([own, child, root].filter((k): k is string => Boolean(k)))];
}

function extraLift(pod: Pod, pods: readonly Pod[], keys: readonly string[], nodeLabels: NodeLabels): ExtraLift {
  if (keys.length === 0) return { pod, selector: {} };
  const clique = pod.metadata?.labels?.[LABEL_PODCLIQUE] ?? '';
  const anchor = pods.find((p) => isLive(p) && p.spec?.nodeName && p.metadata?.labels?.[LABEL_PODCLIQUE] === clique)?.spec?.nodeName;
  const labels = anchor ? nodeLabels(anchor) : undefined;
  const missing = keys.filter((k) => labels?.[k] === undefined);
  if (missing.length > 0) return { pod, wait: `no pod of ${clique} is bound to a node with ${missing.join(', ')}` };
  const selector: Record<string, string> = {};
  for (const k of keys) if (pod.spec?.nodeSelector?.[k] === undefined) selector[k] = labels?.[k] ?? '';
  return { pod, selector };
}

/**
 * `pods` as they are once the native gate lifts copse already sent have landed: a pass that runs
 * before the cache shows its own earlier patches must not lift those pods again (a pinned pod's
 * nodeSelector cannot be patched once it is past its gates). `lifted` holds their uids.
 */
export function assumeLifted(pods: readonly Pod[], lifted: ReadonlySet<string>): Pod[] {
  if (lifted.size === 0) return [...pods];
  return pods.map((p) => {
    const uid = p.metadata?.uid;
    if (!uid || !lifted.has(uid) || !p.spec?.schedulingGates?.some((g) => g.name === NATIVE_GATE)) return p;
    const gates = p.spec.schedulingGates.filter((g) => g.name !== NATIVE_GATE);
    return { ...p, spec: { ...p.spec, schedulingGates: gates } };
  });
}

/** The uids of `lifted` still worth remembering: pods that exist and still show the native gate in the cache. */
export function stillLifting(pods: readonly Pod[], lifted: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const uid = p.metadata?.uid;
    if (uid && lifted.has(uid) && p.spec?.schedulingGates?.some((g) => g.name === NATIVE_GATE)) out.add(uid);
  }
  return out;
}

/**
 * Whether copse may lift the PodGroupProtection finalizer of a PodGroup being deleted: the same rule
 * kube-controller-manager's protection controller applies (no pod of the group is left), for clusters
 * where that controller does not run, so a deletion never hangs. With `replacing` (copse deletes it
 * to create it again with other immutable fields, replace.ts) it is enough that none of its pods is
 * bound: they keep naming the group, and kube-scheduler holds them until the new one appears.
 */
export function finalizerReleasable(pg: NativePodGroup, pods: readonly Pod[], replacing = false): boolean {
  if (!pg.metadata.deletionTimestamp) return false;
  if (!(pg.metadata.finalizers ?? []).includes(PODGROUP_PROTECTION_FINALIZER)) return false;
  const name = pg.metadata.name;
  const members = pods.filter((p) => schedulingGroupOf(p) === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return replacing ? !members.some((p) => p.spec?.nodeName) : members.length === 0;
}
