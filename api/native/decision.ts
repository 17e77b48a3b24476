// Which backend holds a gang on a cluster with native workload-aware scheduling, pure. A gang goes
// native only when v1.37's objects express it exactly (reference workload-aware-scheduling.md §3,
// "Cannot be expressed"); anything else goes the extender way, with the reason written on the gang:
//   - preferred packing (topology constraints are required only), or two keys on one level;
//   - minReplicas 0 (a PodGroup's minCount is at least 1);
//   - more than 8 templates in one list, or more than 4 levels;
//   - pods whose priority differs from the gang's (kube-scheduler fails such a group with SchedulerError);
//   - a topology constraint group that names pod groups it cannot (no tree to build);
//   - a PodCliqueSet replica spread (scheduling.copse.io/replica-spread-*): it keeps gangs of one
//     PodCliqueSet apart, and native groups have no constraint between separate roots.
import type { PodGang, PodGangTopologyConstraint } from '../generated/types.js';
import type { ReplicaSpread } from '../rules/replica-spread.js';
import { MAX_LEVELS, MAX_TEMPLATES_PER_LIST, gangTree } from './translate.js';

export const ANNOTATION_BACKEND = 'scheduling.copse.io/backend';
export const ANNOTATION_BACKEND_REASON = 'scheduling.copse.io/backend-reason';
export type BackendName = 'native' | 'extender';

export interface BackendDecision {
  backend: BackendName;
  /** Why, in words a person can act on. */
  reason: string;
}

export const NATIVE_REASON = "placed by kube-scheduler's native gang scheduling (Workload, CompositePodGroup, PodGroup)";

function packProblems(where: string, tc: PodGangTopologyConstraint | undefined): string[] {
  const pack = tc?.packConstraint;
  // A preferred key equal to the required one asks for nothing more.
  if (!pack?.preferred || pack.preferred === pack.required) return [];
  if (pack.required) {
    return [`${where} packs by two keys (required ${pack.required}, preferred ${pack.preferred}); a native group takes one`];
  }
  return [`${where} has preferred packing (${pack.preferred}); native topology constraints are required only`];
}

function distinct(values: readonly (string | undefined)[]): (string | undefined)[] {
  return [...new Set(values)];
}

/** A replica spread is a constraint between gangs; native roots have none. */
function spreadProblems(spread: ReplicaSpread | undefined): string[] {
  if (!spread) return [];
  return [`the PodCliqueSet spreads its replicas (${spread.required ? 'required' : 'preferred'} ${spread.domain}); native groups of different gangs cannot be kept apart`];
}

const show = (p: string | undefined) => (p ? `"${p}"` : 'none');

/**
 * The problems that keep `gang` off the native backend (empty: native can hold it).
 * `podPriorityClassNames` are the effective priorityClassNames of the gang's pods; `replicaSpread`
 * is the spread its PodCliqueSet asks for, if any.
 */
export function nativeProblems(gang: PodGang, podPriorityClassNames: readonly (string | undefined)[], replicaSpread?: ReplicaSpread): string[] {
  const problems: string[] = spreadProblems(replicaSpread);
  problems.push(...packProblems('the gang', gang.spec.topologyConstraint));
  for (const cfg of gang.spec.topologyConstraintGroupConfigs ?? []) problems.push(...packProblems(`topology constraint group ${cfg.name}`, cfg.topologyConstraint));
  for (const g of gang.spec.podgroups) {
    problems.push(...packProblems(`pod group ${g.name}`, g.topologyConstraint));
    if (g.minReplicas < 1) problems.push(`pod group ${g.name} has minReplicas ${g.minReplicas}; a native PodGroup needs minCount >= 1`);
  }
  const tree = gangTree(gang);
  problems.push(...tree.problems);
  if (tree.rootLeaves.length > MAX_TEMPLATES_PER_LIST) {
    problems.push(`${tree.rootLeaves.length} pod groups directly under the gang; a native template list holds at most ${MAX_TEMPLATES_PER_LIST}`);
  }
  const templates = new Map<string, number>();
  for (const c of tree.children) templates.set(c.template, Math.max(templates.get(c.template) ?? 0, c.leaves.length));
  if (templates.size > MAX_TEMPLATES_PER_LIST) {
    problems.push(`${templates.size} scaling groups with topology constraints; a native template list holds at most ${MAX_TEMPLATES_PER_LIST}`);
  }
  for (const c of tree.children) {
    if (c.leaves.length > MAX_TEMPLATES_PER_LIST) {
      problems.push(`topology constraint group ${c.name} has ${c.leaves.length} pod groups; a native template list holds at most ${MAX_TEMPLATES_PER_LIST}`);
    }
  }
  const levels = tree.children.length > 0 ? 3 : 2;
  if (levels > MAX_LEVELS) problems.push(`the gang needs ${levels} levels; native allows ${MAX_LEVELS}`);
  const gangPriority = gang.spec.priorityClassName || undefined;
  const differing = distinct(podPriorityClassNames.map((p) => p || undefined)).filter((p) => p !== gangPriority);
  if (differing.length > 0) {
    problems.push(
      `pods ask for priorityClassName ${differing.map(show).join(', ')} but the gang has ${show(gangPriority)}; kube-scheduler fails a group whose pods' priority differs from the root's`,
    );
  }
  return problems;
}

/** The backend of `gang` when the cluster offers native scheduling. */
export function decideBackend(gang: PodGang, podPriorityClassNames: readonly (string | undefined)[], replicaSpread?: ReplicaSpread): BackendDecision {
  const problems = nativeProblems(gang, podPriorityClassNames, replicaSpread);
  if (problems.length === 0) return { backend: 'native', reason: NATIVE_REASON };
  return { backend: 'extender', reason: `placed through copse's extender: ${problems.join('; ')}` };
}

/** The decision written on a gang, if any. */
export function recordedBackend(gang: { metadata?: { annotations?: Record<string, string> } }): BackendDecision | undefined {
  const a = gang.metadata?.annotations;
  const backend = a?.[ANNOTATION_BACKEND];
  if (backend !== 'native' && backend !== 'extender') return undefined;
  return { backend, reason: a?.[ANNOTATION_BACKEND_REASON] ?? '' };
}

/** PodGang condition naming the backend that holds the gang and why (from the recorded decision). */
export const CONDITION_SCHEDULING_BACKEND = 'SchedulingBackend';

export function backendCondition(gang: { metadata?: { annotations?: Record<string, string> } }): { type: string; status: 'True'; reason: string; message: string } | undefined {
  const d = recordedBackend(gang);
  if (!d) return undefined;
  return { type: CONDITION_SCHEDULING_BACKEND, status: 'True', reason: d.backend === 'native' ? 'Native' : 'Extender', message: d.reason };
}
