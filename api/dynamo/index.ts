// NVIDIA Dynamo on copse, the pure part: DynamoGraphDeployment → PodCliqueSet translation, the DGD
// status, the scale decision, names and keys. Admission rules live in api/rules/dynamo/.

export * from './keys.js';
export {
  LEADER_SUFFIX,
  WORKER_NODE_RANK,
  WORKER_SUFFIX,
  componentResource,
  componentServiceName,
  dynamoNamespace,
  isMultinode,
  leaderCliqueName,
  leaderHostname,
  lowerServiceName,
  nodeCount,
  serviceReplicas,
  sortedServices,
  workerCliqueName,
} from './names.js';
export { type ComponentKind, baseContainer, componentKind, defaultProbes } from './components.js';
export { type Backend, type MultinodeLaunch, detectBackend, gpusPerPod, launchLine, multinodeLaunch, serviceBackend } from './backend.js';
export { type CliqueRole, type PlatformEnv, cliquePodSpec, mainContainer, mergeEnv, overrideContainer } from './podspec.js';
export { unsupportedFeatures } from './support.js';
export { type DynamoTranslateOptions, type DynamoTranslation, dgdOwnerReference, translateDynamoGraphDeployment } from './translate.js';
export { type DynamoStatusInput, dynamoGraphDeploymentStatus } from './status.js';
export { imageRegistry, normalizeRegistry, pullSecretsForImage, secretRegistries } from './pullsecrets.js';
export { type ScaleTarget, pendingScales, scaleTargets } from './scale.js';
export { serviceTopology, validateDynamoGraphDeployment } from '../rules/dynamo/validate.js';
