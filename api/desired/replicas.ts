// Who owns a PodClique's or PodCliqueScalingGroup's `spec.replicas` once it exists (grove-compat §10.12).
//
// Grove sets it only at creation, so editing the template's `replicas` never reaches existing children.
// copse propagates template edits while keeping direct scaling: the child records the template value it
// was last synced to (ANNOTATION_TEMPLATE_REPLICAS); a template value different from that record is an
// edit and wins, otherwise the child's own value (perhaps set by `kubectl scale`) stays. An autoscaler
// owns the value outright, so with one the existing value always stays.

import type { V1ObjectMeta } from '../core/wire.js';
import { ANNOTATION_TEMPLATE_REPLICAS } from '../keys.js';

export interface ReplicasInput {
  /** `replicas` in the PodCliqueSet template. */
  template: number;
  /** An HPA manages the child (clique `autoScalingConfig` / group `scaleConfig`). */
  autoscaled: boolean;
  /** The child as observed, if it exists. */
  existing?: { metadata?: V1ObjectMeta; spec: { replicas: number } };
}

/** The template value a child was last synced to, when recorded and well-formed. */
export function lastAppliedTemplateReplicas(metadata: V1ObjectMeta | undefined): number | undefined {
  const v = metadata?.annotations?.[ANNOTATION_TEMPLATE_REPLICAS];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : undefined;
}

/**
 * The child's desired `spec.replicas`. A child without the record (created by Grove, or by an earlier
 * copse) keeps its value: there is no telling an edit from a scale, and keeping is Grove's behaviour.
 */
export function decideReplicas(input: ReplicasInput): number {
  const { template, autoscaled, existing } = input;
  if (!existing) return template;
  if (autoscaled) return existing.spec.replicas;
  const last = lastAppliedTemplateReplicas(existing.metadata);
  return last !== undefined && last !== template ? template : existing.spec.replicas;
}

/** The annotation recording `template` as applied. */
export function templateReplicasAnnotation(template: number): { [key: string]: string } {
  return { [ANNOTATION_TEMPLATE_REPLICAS]: String(template) };
}
