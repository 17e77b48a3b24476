// When a native object already exists with immutable fields that differ from what the gang now asks
// for, pure. Constraints, parents, workloadRef and a CompositePodGroup's minGroupCount cannot change
// in place in v1.37 (reference workload-aware-scheduling.md §3, "Mutability"), and a pod's
// spec.schedulingGroup is set only at its creation. That happens when a gang's objects were made
// before its topology was resolved (its ClusterTopologyBinding appeared in copse's cache after the
// PodCliqueSet was first built) and the gang then gained constraints. While none of the gang's pods
// is bound, the object is replaced (deleted and created again under the same name, so the pods'
// schedulingGroup still names it); once one is, the gang keeps what it was placed under, because
// kube-scheduler never moves bound pods and copse's gang must not be torn down for it.
import type { Pod } from '../core/wire.js';
import type { CompositePodGroup, NativePodGroup, SchedulingConstraints } from './wire.js';

type Spec = CompositePodGroup['spec'] | NativePodGroup['spec'];

const keys = (c: SchedulingConstraints | undefined | null): string => JSON.stringify((c?.topology ?? []).map((t) => t.key));
const ref = (s: Spec): string => JSON.stringify(s.workloadRef ? [s.workloadRef.workloadName, s.workloadRef.templateName] : []);
const minGroupCount = (s: Spec): number | undefined => ('minGroupCount' in s.schedulingPolicy.gang ? s.schedulingPolicy.gang.minGroupCount : undefined);

/** The immutable fields copse sets where `observed` differs from `desired`, by name (empty: none). */
export function immutableDifferences(observed: { spec: Spec }, desired: { spec: Spec }): string[] {
  const o = observed.spec;
  const d = desired.spec;
  const out: string[] = [];
  if (keys(o.schedulingConstraints) !== keys(d.schedulingConstraints)) out.push(`schedulingConstraints ${keys(o.schedulingConstraints)} → ${keys(d.schedulingConstraints)}`);
  if ((o.parentCompositePodGroupName ?? '') !== (d.parentCompositePodGroupName ?? '')) out.push('parentCompositePodGroupName');
  if (ref(o) !== ref(d)) out.push('workloadRef');
  if (minGroupCount(o) !== minGroupCount(d)) out.push(`minGroupCount ${String(minGroupCount(o))} → ${String(minGroupCount(d))}`);
  return out;
}

export type Replacement = { action: 'none' } | { action: 'replace'; why: string } | { action: 'keep'; why: string };

/** What to do with an object whose immutable fields differ by `differences`, given the gang's pods. */
export function replacementOf(differences: readonly string[], gangPods: readonly Pod[]): Replacement {
  if (differences.length === 0) return { action: 'none' };
  const bound = gangPods.find((p) => !p.metadata?.deletionTimestamp && p.spec?.nodeName);
  const what = differences.join(', ');
  if (bound) return { action: 'keep', why: `${what} cannot change in place and pod ${bound.metadata?.name ?? ''} is already bound under it` };
  return { action: 'replace', why: `${what} cannot change in place; no pod of the gang is bound yet` };
}
