// ClusterTopologyBinding admission validation (grove-compat §3.6). Structural only, on create and
// update alike: removing a level that workloads use is handled at runtime by the PodCliqueSet
// condition `TopologyLevelsUnavailable`, not refused here. The schema (levels minItems, domain/key
// patterns) is enforced by the structural validator before this runs.

import { type FieldError, duplicate, fieldPath, invalid } from '../../field-errors.js';
import type { ClusterTopologyBinding } from '../../index.js';
import { asArray, asObject, goString } from '../untyped.js';
import { KAI_SCHEDULER_NAME } from '../podcliqueset/backend.js';
import { DEFAULT_SCHEDULER_NAME, type ValidationResult } from '../validation.js';

export interface ClusterTopologyValidationContext {
  /** Enabled scheduler backend profiles; `default-scheduler` is always enabled. */
  schedulerProfiles: readonly string[];
  /**
   * Enabled profiles that implement topology-aware scheduling. Defaults to `default-scheduler` alone,
   * copse's only backend, which packs by topology through the scheduler extender.
   */
  topologyAwareProfiles?: readonly string[];
  /**
   * Whether KAI's Topology CRD is served (api/status/clustertopology.ts, kaiTopologyServed): then
   * kai-scheduler is an enabled, topology-aware backend whatever the profiles say, as the
   * ClusterTopologyBinding controller counts it, so an entry for it can be admitted and compared.
   */
  kaiTopologyServed?: boolean;
}

/**
 * Validate a ClusterTopologyBinding on create (`old` undefined) or update. Levels must have unique
 * domains and keys; each scheduler topology binding must name a distinct, enabled, topology-aware
 * scheduler backend.
 */
export function validateClusterTopologyBinding(
  ctb: ClusterTopologyBinding,
  old: ClusterTopologyBinding | undefined,
  ctx: ClusterTopologyValidationContext,
): ValidationResult {
  void old; // the rules are the same for create and update
  const spec = asObject(asObject(ctb as unknown)?.spec);
  const errors: FieldError[] = [];

  const levelsPath = fieldPath('spec', 'levels');
  const domains = new Set<string>();
  const keys = new Set<string>();
  (asArray(spec?.levels) ?? []).forEach((l, i) => {
    const level = asObject(l);
    if (!level) return;
    const domain = goString(level.domain);
    if (domain !== undefined) {
      if (domains.has(domain)) errors.push(duplicate(levelsPath.index(i).child('domain'), domain));
      domains.add(domain);
    }
    const key = goString(level.key);
    if (key !== undefined) {
      if (keys.has(key)) errors.push(duplicate(levelsPath.index(i).child('key'), key));
      keys.add(key);
    }
  });

  // copse: Grove reports these under the field's former name `spec.schedulerTopologyReferences`
  // (grove-compat §10.16); copse uses the real field name.
  const bindingsPath = fieldPath('spec', 'schedulerTopologyBindings');
  const kai = ctx.kaiTopologyServed ? [KAI_SCHEDULER_NAME] : [];
  const enabled = new Set([DEFAULT_SCHEDULER_NAME, ...ctx.schedulerProfiles, ...kai]);
  const topologyAware = new Set([...(ctx.topologyAwareProfiles ?? [DEFAULT_SCHEDULER_NAME]), ...kai]);
  const seen = new Set<string>();
  (asArray(spec?.schedulerTopologyBindings) ?? []).forEach((b, i) => {
    const binding = asObject(b);
    if (!binding) return;
    const name = goString(binding.schedulerName);
    if (name === undefined) return;
    const path = bindingsPath.index(i).child('schedulerName');
    if (seen.has(name)) errors.push(duplicate(path, name));
    seen.add(name);
    if (!enabled.has(name)) {
      errors.push(invalid(path, name, 'scheduler backend is not enabled in Grove'));
      return;
    }
    if (!topologyAware.has(name)) {
      errors.push(invalid(path, name, 'scheduler backend does not implement topology-aware scheduling'));
    }
  });

  return { errors, warnings: [] };
}
