// Public surface of the API model: generated types, kinds and constants, CRDs, validators,
// field errors and naming helpers; the NVIDIA Dynamo translation under `dynamo`.

export type * from './generated/types.js';
export * from './field-errors.js';
export * from './keys.js';
export * from './names.js';
export {
  ALL_KIND_NAMES,
  API_VERSION_V1ALPHA1,
  DYNAMO_API_VERSION,
  DYNAMO_GROUP,
  DYNAMO_KIND_NAMES,
  GROVE_API_VERSION,
  GROVE_GROUP,
  KIND_NAMES,
  KINDS,
  SCHEDULER_API_VERSION,
  SCHEDULER_GROUP,
  kindInfo,
  kindOf,
} from './kinds.js';
export type { KindInfo, KindName, PrinterColumn, ScaleSubresource } from './kinds.js';
export { CLIQUE_STARTUP_TYPES, PODGANG_PHASES, UPDATE_STRATEGY_TYPES } from './grove.io/v1alpha1/podcliqueset.js';
export {
  RESOURCE_SHARING_SCOPES,
  TOPOLOGY_DOMAIN_PATTERN,
  packSpecifiesRequiredOrPreferred,
  topologyConstraintNotBothRequiredAndPackDomain,
  topologyConstraintSpecifiesPack,
} from './grove.io/v1alpha1/common.js';
export {
  cliqueTopologyConstraintsHaveNoPackDomain,
  pcsTopologyConstraintHasNoPackDomain,
  scalingGroupTopologyConstraintsHaveNoPackDomain,
} from './grove.io/v1alpha1/podcliqueset.js';
export { LABEL_KEY_PATTERN, WELL_KNOWN_TOPOLOGY_DOMAINS } from './grove.io/v1alpha1/clustertopologybinding.js';
export { PODGANG_CONDITION_TYPES } from './scheduler.grove.io/v1alpha1/podgang.js';
export { LAST_APPLIED_LIMIT_BYTES, allCrds, buildCrd, crdJsonSize, crdName, dynamoCrds } from './crds.js';
export {
  BACKEND_FRAMEWORKS,
  MAX_SERVICES,
  pvcCreateHasSizeClassAndMode,
  sharedMemoryNotDisabledWithSize,
} from './nvidia.com/v1alpha1/dynamographdeployment.js';
export type { ExtraPodSpec, V1Probe, V1ResourceClaim } from './nvidia.com/v1alpha1/wire.js';
export * as dynamo from './dynamo/index.js';
export type { CustomResourceDefinition } from './crds.js';
export {
  admitOffline,
  compiledValidator,
  normalize,
  validateCel,
  validateObject,
  validateStructure,
} from './validators.js';
export type { CelOptions, Normalized } from './validators.js';
export { generateAll, renderAll } from './generate.js';
