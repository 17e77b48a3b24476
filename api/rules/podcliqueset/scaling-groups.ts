// PodCliqueSet rules on spec.template.podCliqueScalingGroups: each group's name (V24), members
// (V25, V26), pod-name length (V11), replicas and minAvailable (V27), scaleConfig (V28, plus the
// maxReplicas checks Grove lacks), member autoscaling (V29) and resourceSharing (V5, V7).

import { type FieldPath, duplicate, invalid } from '../../field-errors.js';
import { MAX_COMBINED_NAME_LENGTH } from '../../names.js';
import { isDNS1123Subdomain } from '../k8s-names.js';
import { type JsonObject, asInt, asObject, byteLength, findDuplicates, isNil } from '../untyped.js';
import { combinedNameTooLong, validateMaxReplicas } from './cliques.js';
import { validatePCSGResourceSharing } from './resource-sharing.js';
import { GROUPS, type GroupView, METADATA, MSG_GT0, MSG_MIN_GT_REPLICAS, type Rules } from './view.js';

// V24–V29, V11, V7, and the scaleConfig.maxReplicas checks Grove lacks.
export function validateScalingGroups(r: Rules): void {
  for (const g of r.v.groups) validateScalingGroup(r, g);
  // V24 uniqueness, V26
  const nameDups = findDuplicates(r.v.groups.map((g) => g.name).filter((n): n is string => !!n));
  if (nameDups.length > 0) r.errors.push(duplicate(GROUPS.child('name'), nameDups));
  const memberDups = findDuplicates(r.v.groups.flatMap((g) => g.cliqueNames));
  if (memberDups.length > 0) r.errors.push(duplicate(GROUPS.child('cliqueNames'), memberDups));
  // V29
  for (const c of r.v.cliques) {
    if (c.name !== undefined && r.groupedCliques.has(c.name) && !isNil(c.spec?.autoScalingConfig)) {
      r.errors.push(invalid(GROUPS, c.name, 'AutoScalingConfig is not allowed to be defined for PodClique that is part of scaling group'));
    }
  }
}

function validateScalingGroup(r: Rules, g: GroupView): void {
  const path = GROUPS.index(g.index);
  // V24
  if (g.name !== undefined && isDNS1123Subdomain(g.name).length > 0) {
    r.errors.push(invalid(path.child('name'), g.name, 'invalid PodCliqueScalingGroupConfig name, must be a valid DNS subdomain'));
  }
  // V25
  const cliqueNames = new Set(r.v.cliques.map((c) => c.name ?? ''));
  const unidentified = [...new Set(g.cliqueNames)].filter((n) => !cliqueNames.has(n));
  if (unidentified.length > 0) {
    r.errors.push(invalid(path.child('cliqueNames'), unidentified.join(','), 'unidentified PodClique names found'));
  }
  validateScalingGroupPodNames(r, g, path);
  // V27
  const replicas = asInt(g.raw.replicas);
  const minAvailable = asInt(g.raw.minAvailable);
  if (replicas !== undefined && replicas <= 0) r.errors.push(invalid(path.child('replicas'), replicas, MSG_GT0));
  if (minAvailable !== undefined && minAvailable <= 0) r.errors.push(invalid(path.child('minAvailable'), minAvailable, MSG_GT0));
  if (replicas !== undefined && minAvailable !== undefined && minAvailable > replicas) {
    r.errors.push(invalid(path.child('minAvailable'), minAvailable, MSG_MIN_GT_REPLICAS));
  }
  const scale = asObject(g.raw.scaleConfig);
  if (scale) validateScaleConfig(r, scale, replicas, minAvailable, path.child('scaleConfig'));
  // V5 + V7
  validatePCSGResourceSharing(r, g, path.child('resourceSharing'));
}

// V11 (paths and values exactly as Grove reports them)
function validateScalingGroupPodNames(r: Rules, g: GroupView, path: FieldPath): void {
  const group = g.name ?? '';
  g.cliqueNames.forEach((cliqueName, j) => {
    const length = byteLength(r.v.name) + byteLength(group) + byteLength(cliqueName);
    if (length <= MAX_COMBINED_NAME_LENGTH) return;
    const msg = combinedNameTooLong(length, `PodCliqueSet '${r.v.name}', PodCliqueScalingGroup '${group}', or PodClique '${cliqueName}'`);
    r.errors.push(
      invalid(path.child('cliqueNames').index(j).child('name'), cliqueName, msg),
      invalid(path.child('name'), cliqueName, msg),
      invalid(METADATA.child('name'), r.v.name, msg),
    );
  });
}

// V28, plus copse's maxReplicas checks (grove-compat §10.15)
function validateScaleConfig(r: Rules, scale: JsonObject, replicas: number | undefined, minAvailable: number | undefined, path: FieldPath): void {
  const minReplicas = asInt(scale.minReplicas);
  if (minReplicas !== undefined && minAvailable !== undefined && minReplicas < minAvailable) {
    r.errors.push(invalid(path.child('minReplicas'), minReplicas, 'scaleConfig.minReplicas must be greater than or equal to minAvailable'));
  }
  validateMaxReplicas(r, scale, minReplicas, replicas, path, 'scaleConfig.minReplicas');
}
