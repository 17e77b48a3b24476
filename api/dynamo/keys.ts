// Label, annotation, environment and default values of NVIDIA Dynamo's operator on its Grove path
// (dynamo-dgd.md §2, walkthrough-era release). Exact strings: Dynamo's runtime, its test harness and
// users' selectors match on them.

// ---------------------------------------------------------------------------------------------
// Labels on cliques (and so on PodCliques and pods)

/** `<dgd>-<clique name>`. */
export const LABEL_SELECTOR = 'nvidia.com/selector';
/** The DGD name; the DGD controller finds its PodCliques by it. */
export const LABEL_GRAPH_DEPLOYMENT_NAME = 'nvidia.com/dynamo-graph-deployment-name';
/** The Dynamo namespace; the frontend Service selects on it. */
export const LABEL_DYNAMO_NAMESPACE = 'nvidia.com/dynamo-namespace';
/** The service's componentType; the frontend Service selects on it. */
export const LABEL_COMPONENT_TYPE = 'nvidia.com/dynamo-component-type';
export const LABEL_SUB_COMPONENT_TYPE = 'nvidia.com/dynamo-sub-component-type';
/** `"true"` unless the DGD opts out with ANNOTATION_ENABLE_METRICS: "false". */
export const LABEL_METRICS_ENABLED = 'nvidia.com/metrics-enabled';

// ---------------------------------------------------------------------------------------------
// Annotations

/** On the DGD: `"false"` (any case) asks for Deployments instead of Grove; copse supports only Grove. */
export const ANNOTATION_ENABLE_GROVE = 'nvidia.com/enable-grove';
/** On the DGD: `"false"` drops the metrics-enabled label. */
export const ANNOTATION_ENABLE_METRICS = 'nvidia.com/enable-metrics';
/** On the DGD (and copied to cliques): service discovery backend; copse supports etcd only. */
export const ANNOTATION_DISCOVERY_BACKEND = 'nvidia.com/dynamo-discovery-backend';
/** On the DGD: `"true"` skips image pull secret discovery. */
export const ANNOTATION_DISABLE_IMAGE_PULL_SECRET_DISCOVERY = 'nvidia.com/disable-image-pull-secret-discovery';
/** Written by the operator on the PodCliqueSet: hash of the last applied spec. */
export const ANNOTATION_LAST_APPLIED_HASH = 'nvidia.com/last-applied-hash';
/** Finalizer the operator keeps on every DGD. */
export const FINALIZER_DGD = 'nvidia.com/finalizer';

// ---------------------------------------------------------------------------------------------
// Component types (spec.services[].componentType)

export const COMPONENT_FRONTEND = 'frontend';
export const COMPONENT_WORKER = 'worker';
export const COMPONENT_PREFILL = 'prefill';
export const COMPONENT_DECODE = 'decode';
export const COMPONENT_PLANNER = 'planner';

// ---------------------------------------------------------------------------------------------
// Main container

export const MAIN_CONTAINER = 'main';
export const FRONTEND_PORT_NAME = 'http';
export const FRONTEND_PORT = 8000;
export const SYSTEM_PORT_NAME = 'system';
export const SYSTEM_PORT = 9090;
export const SHARED_MEMORY_VOLUME = 'shared-memory';
export const SHARED_MEMORY_MOUNT_PATH = '/dev/shm';
export const DEFAULT_SHARED_MEMORY_SIZE = '8Gi';
export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
export const VLLM_CACHE_DEFAULT_MOUNT = '/root/.cache/vllm';
export const DEFAULT_TERMINATION_GRACE_SECONDS = 60;
export const DEFAULT_FS_GROUP = 1000;
/** Dynamo namespace of services with globalDynamoNamespace. */
export const GLOBAL_DYNAMO_NAMESPACE = 'dynamo';
/** Grove terminationDelay the operator sets (its default; Grove's own is 4h), as Go prints a 15-minute Duration. */
export const DEFAULT_TERMINATION_DELAY = '15m0s';

// ---------------------------------------------------------------------------------------------
// Environment variables of the main container

export const ENV_DYN_NAMESPACE = 'DYN_NAMESPACE';
export const ENV_DYN_COMPONENT = 'DYN_COMPONENT';
export const ENV_PARENT_DGD_NAME = 'DYN_PARENT_DGD_K8S_NAME';
export const ENV_PARENT_DGD_NAMESPACE = 'DYN_PARENT_DGD_K8S_NAMESPACE';
export const ENV_POD_NAME = 'POD_NAME';
export const ENV_POD_NAMESPACE = 'POD_NAMESPACE';
export const ENV_DISCOVERY_BACKEND = 'DYN_DISCOVERY_BACKEND';
export const ENV_DYNAMO_PORT = 'DYNAMO_PORT';
export const ENV_HTTP_PORT = 'DYN_HTTP_PORT';
export const ENV_SYSTEM_ENABLED = 'DYN_SYSTEM_ENABLED';
export const ENV_SYSTEM_PORT = 'DYN_SYSTEM_PORT';
export const ENV_SYSTEM_USE_ENDPOINT_HEALTH_STATUS = 'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS';
export const ENV_NATS_SERVER = 'NATS_SERVER';
export const ENV_ETCD_ENDPOINTS = 'ETCD_ENDPOINTS';
export const ENV_MODEL_EXPRESS_URL = 'MODEL_EXPRESS_URL';
export const ENV_PROMETHEUS_ENDPOINT = 'PROMETHEUS_ENDPOINT';
export const ENV_VLLM_CACHE_ROOT = 'VLLM_CACHE_ROOT';

// ---------------------------------------------------------------------------------------------
// DGD status (§2.12)

export const CONDITION_READY = 'Ready';
export const STATE_SUCCESSFUL = 'successful';
export const STATE_PENDING = 'pending';
export const STATE_FAILED = 'failed';
export const REASON_ALL_READY = 'all_resources_are_ready';
export const REASON_NOT_READY = 'some_resources_are_not_ready';
export const REASON_FAILED = 'failed_to_reconcile_the_resources';
/** copse's reason when the DGD uses what copse cannot run or is invalid (the message names the fields). */
export const REASON_INVALID_SPEC = 'invalid_or_unsupported_spec';
/** copse's reason when a PodCliqueSet or Service of the DGD's name belongs to someone else. */
export const REASON_NAME_CONFLICT = 'name_conflict';
