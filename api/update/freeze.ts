// Which existing PodCliques keep the pod template they run when the PodCliqueSet's template changes.
//
// - Replicas below the partition (copse, api/rules/update-policy.ts) keep theirs, whatever the
//   strategy: pods they recreate after a crash or a manual delete get the old template as well.
// - Under RollingRecreate, scaling-group members keep theirs until the rollout recreates their group
//   replica (Grove's PCSG update deletes the members of one group replica and the group controller
//   makes them again from the new template). Standalone PodCliques take the new template at once; the
//   rollout then replaces their pods one by one.
// - Under OnDelete, everything above the partition takes the new template at once, so a pod deleted by
//   hand comes back new (Grove's GREP-291).
// A PodClique that does not exist yet is always made from the current template.
import type { PodClique } from '../generated/types.js';
import { ANNOTATION_TEMPLATE_REPLICAS, LABEL_POD_TEMPLATE_HASH } from '../keys.js';
import type { UpdatePolicy } from '../rules/update-policy.js';

export interface FreezeContext {
  policy: Pick<UpdatePolicy, 'type' | 'partition'>;
  /** PodCliqueSet replica index of the PodClique. */
  replica: number;
  /** A scaling-group member (false: a standalone PodClique). */
  member: boolean;
}

/** Whether `existing` keeps its template instead of the one in `desired`. */
export function keepsTemplate(desired: PodClique, existing: PodClique | undefined, ctx: FreezeContext): existing is PodClique {
  if (!existing) return false;
  const have = existing.metadata.labels?.[LABEL_POD_TEMPLATE_HASH];
  if (have === undefined || have === desired.metadata.labels?.[LABEL_POD_TEMPLATE_HASH]) return false;
  if (ctx.replica < ctx.policy.partition) return true;
  return ctx.member && ctx.policy.type === 'RollingRecreate';
}

/**
 * `desired` with the pod template of `existing` (pod spec, labels, annotations) when it keeps its
 * template; everything else (replicas, minAvailable, startsAfter, owner) is the desired one.
 */
export function withFrozenTemplate(desired: PodClique, existing: PodClique | undefined, ctx: FreezeContext): PodClique {
  if (!keepsTemplate(desired, existing, ctx)) return desired;
  const replicasNote = desired.metadata.annotations?.[ANNOTATION_TEMPLATE_REPLICAS];
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      labels: { ...existing.metadata.labels },
      annotations: { ...existing.metadata.annotations, ...(replicasNote !== undefined ? { [ANNOTATION_TEMPLATE_REPLICAS]: replicasNote } : {}) },
    },
    spec: { ...desired.spec, podSpec: structuredClone(existing.spec.podSpec) },
  };
}
