// PodCliqueSet admission validation (grove-compat §3.3 rules V1–V32, §3.4 update rules, §3.5 topology),
// as pure functions: the HTTP layer decodes the AdmissionReview, prefetches the ClusterTopologyBinding
// the object references, and passes everything else the rules need in `ctx`.
//
// The rules live next to the part of the spec they check, each marked with its Grove rule id:
//   metadata.ts          V1, V31 (grove.io/mnnvl-group)       template.ts        V2, V3, V4, V30
//   resource-sharing.ts  V5, V6, V7                            cliques.ts         V8–V10, V12–V23
//   scaling-groups.ts    V11, V24–V29                          backend.ts         V32
//   updates.ts           §3.4                                  topology.ts        §3.5
//
// Every error is collected (validation never stops at the first one) and the order is deterministic:
// metadata, then the spec in document order (replicas, cliqueStartupType, resourceClaimTemplates,
// resourceSharing, cliques, podCliqueScalingGroups, terminationDelay), then the cross-cutting passes
// (topology, MNNVL annotations, scheduler backend), then — on update — the immutability rules.
//
// Deliberate differences from Grove (grove-compat §10) are marked "copse:" next to the rule.

import type { PodCliqueSet } from '../../index.js';
import type { ValidationResult } from '../validation.js';
import { validateReplicaSpread } from '../replica-spread.js';
import { validateUpdatePolicy } from '../update-policy.js';
import { validateBackend } from './backend.js';
import { validateCliques } from './cliques.js';
import { validateMNNVLOnCreate, validateMetadata } from './metadata.js';
import { validatePCSResourceSharing } from './resource-sharing.js';
import { validateScalingGroups } from './scaling-groups.js';
import { validateReplicas, validateResourceClaimTemplates, validateStartupType, validateTerminationDelay } from './template.js';
import { validateTopologyOnCreate, validateTopologyOnUpdate } from './topology.js';
import {
  validateCliquesUpdate,
  validateGroupsUpdate,
  validateMNNVLOnUpdate,
  validateStartupTypeUpdate,
  validateTemplateResourcesUpdate,
} from './updates.js';
import { type Operation, type PodCliqueSetValidationContext, Rules, viewOf, type PCSView } from './view.js';

export { topologyNameToLookUp } from './topology.js';
export type { PodCliqueSetValidationContext } from './view.js';

/** The rules that hold on create and update alike, in document order. */
function staticRules(v: PCSView, op: Operation, ctx: PodCliqueSetValidationContext): Rules {
  const r = new Rules(v, op, ctx);
  validateMetadata(r);
  if (!v.spec) return r;
  validateReplicas(r);
  if (!v.template) return r;
  validateStartupType(r);
  validateResourceClaimTemplates(r);
  validatePCSResourceSharing(r);
  validateCliques(r);
  validateScalingGroups(r);
  validateTerminationDelay(r);
  return r;
}

/** Validate a PodCliqueSet being created (after defaulting). */
export function validatePodCliqueSetCreate(pcs: PodCliqueSet, ctx: PodCliqueSetValidationContext): ValidationResult {
  const v = viewOf(pcs);
  const s = staticRules(v, 'CREATE', ctx);
  const topology = validateTopologyOnCreate(v, ctx);
  const errors = [
    ...s.errors,
    ...topology.errors,
    ...validateMNNVLOnCreate(v, ctx),
    ...validateBackend(v, s.resolvedSchedulerName),
    // copse: the replica-spread annotation (api/rules/replica-spread.ts), checked against the prefetched binding.
    ...validateReplicaSpread(pcs, ctx),
    // copse: the rolling-update annotations (api/rules/update-policy.ts).
    ...validateUpdatePolicy(pcs),
  ];
  return { errors, warnings: [...s.warnings, ...topology.warnings] };
}

/**
 * Validate an update of `old` to `pcs` (both defaulted): the static rules except the create-only ones
 * (V22, topology creation rules, V31), then the immutability rules of §3.4 and §3.5.
 *
 * copse: Grove returns early (MNNVL immutability first, then the static rules, then a scaling-group
 * count mismatch); here every error is reported at once.
 */
export function validatePodCliqueSetUpdate(pcs: PodCliqueSet, old: PodCliqueSet, ctx: PodCliqueSetValidationContext): ValidationResult {
  const v = viewOf(pcs);
  const o = viewOf(old);
  const s = staticRules(v, 'UPDATE', ctx);
  const topology = validateTopologyOnUpdate(v, o, ctx);
  const errors = [
    ...s.errors,
    ...validateBackend(v, s.resolvedSchedulerName),
    ...validateCliquesUpdate(v, o),
    ...validateStartupTypeUpdate(v, o),
    ...validateGroupsUpdate(v, o),
    ...topology.errors,
    ...validateTemplateResourcesUpdate(v, o),
    ...validateMNNVLOnUpdate(v, o),
    ...validateReplicaSpread(pcs, ctx),
    ...validateUpdatePolicy(pcs),
  ];
  return { errors, warnings: [...s.warnings, ...topology.warnings] };
}
