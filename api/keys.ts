// Label, annotation, finalizer, scheduling-gate and environment-variable keys of the Grove API
// (grove-compat §4.3–4.5, operator/api/common/labels.go). Exact strings: clients, e2e tests and
// Grove-created objects match on them. Each line says who writes the key and who reads it.

// ---------------------------------------------------------------------------------------------
// Labels: app.kubernetes.io/*

/** Operator writes `grove-operator` on every managed object; selectors (hpaPodSelector, Services) read it. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Operator writes the owning PodCliqueSet name on every managed object; controllers map children to their PCS by it. */
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
/** Operator writes the object's own name (':' replaced by '-'); informational. */
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
/** Operator writes the component kind (COMPONENT_* below); controllers list children by it. */
export const LABEL_COMPONENT = 'app.kubernetes.io/component';

/** Value of LABEL_MANAGED_BY: written by the operator; read by selectors and the authorizer webhook. */
export const MANAGED_BY_VALUE = 'grove-operator';

// ---------------------------------------------------------------------------------------------
// Labels: grove.io/*

/** Operator writes the PodClique name on pods; PodClique controller and hpaPodSelector select pods by it. */
export const LABEL_PODCLIQUE = 'grove.io/podclique';
/** Operator writes the PodGang name on PodCliques and pods; init container and PodGang sync select pods by it. */
export const LABEL_PODGANG = 'grove.io/podgang';
/** Operator writes the base PodGang name on PCLQs/pods of scaled gangs; gate removal waits for the base gang by it. */
export const LABEL_BASE_PODGANG = 'grove.io/base-podgang';
/** Operator writes the PCS replica index on children; gang termination, Services and status select by it. */
export const LABEL_PCS_REPLICA_INDEX = 'grove.io/podcliqueset-replica-index';
/** Operator writes the PCSG name on member PodCliques; PCSG controller and GROVE_PCSG_NAME (fieldRef) read it. */
export const LABEL_PCSG = 'grove.io/podcliquescalinggroup';
/** Operator writes the PCSG replica index on member PodCliques; PCSG controller and GROVE_PCSG_INDEX read it. */
export const LABEL_PCSG_REPLICA_INDEX = 'grove.io/podcliquescalinggroup-replica-index';
/** Operator writes the pod index on pods; GROVE_PCLQ_POD_INDEX (fieldRef) and index reuse read it. */
export const LABEL_PODCLIQUE_POD_INDEX = 'grove.io/podclique-pod-index';
/** Operator writes the pod template hash on PodCliques and pods; rolling update compares it. */
export const LABEL_POD_TEMPLATE_HASH = 'grove.io/pod-template-hash';
/** Operator writes the scheduler backend name on PodGangs; the backend's PodGang watcher selects by it. */
export const LABEL_SCHEDULER_NAME = 'grove.io/scheduler-name';
/** Operator writes the MNNVL group on ComputeDomains (and users on PCS/PCSG/cliques as annotation, see below). */
export const LABEL_MNNVL_GROUP = 'grove.io/mnnvl-group';

// ---------------------------------------------------------------------------------------------
// Annotations

/** Users/admins set `"true"` on managed objects; the authorizer webhook then allows edits by anyone. */
export const ANNOTATION_DISABLE_MANAGED_RESOURCE_PROTECTION = 'grove.io/disable-managed-resource-protection';
/** Users change it on a PCS to force a reconcile without a spec change; the PCS controller's predicate reads it. */
export const ANNOTATION_RECONCILE_TRIGGER = 'grove.io/reconcile-trigger';
/** Operator writes the ClusterTopologyBinding name on PodGangs (and strips it from PCLQs); scheduler backends read it. */
export const ANNOTATION_TOPOLOGY_NAME = 'grove.io/topology-name';
/** Users set `<dns-label>|none` on PCS, PCSG configs or clique templates; webhook validates, MNNVL logic reads it. */
export const ANNOTATION_MNNVL_GROUP = 'grove.io/mnnvl-group';
/** Value of ANNOTATION_MNNVL_GROUP that opts a layer out of MNNVL. */
export const MNNVL_GROUP_NONE = 'none';

// ---------------------------------------------------------------------------------------------
// Scheduling gate and finalizers

/** Operator adds this gate to every new pod; PodClique controller removes it once the pod's PodGang is ready. */
export const SCHEDULING_GATE_PODGANG_PENDING_CREATION = 'grove.io/podgang-pending-creation';
/** PCS controller adds it to PodCliqueSets and removes it after cleanup on delete. */
export const FINALIZER_PODCLIQUESET = 'grove.io/podcliqueset.grove.io';
/** PCS/PCSG controllers add it to PodCliques; the PodClique controller removes it on delete. */
export const FINALIZER_PODCLIQUE = 'grove.io/podclique.grove.io';
/** PCS controller adds it to PodCliqueScalingGroups; the PCSG controller removes it on delete. */
export const FINALIZER_PODCLIQUESCALINGGROUP = 'grove.io/podcliquescalinggroup.grove.io';
/** MNNVL component adds it to ComputeDomains it creates and removes it when the PCS replica goes away. */
export const FINALIZER_COMPUTEDOMAIN = 'grove.io/computedomain-finalizer';

// ---------------------------------------------------------------------------------------------
// Values of LABEL_COMPONENT (written by the operator on the objects it creates, read when listing them)

export const COMPONENT_POD_SERVICE_ACCOUNT = 'pod-service-account';
export const COMPONENT_POD_ROLE = 'pod-role';
export const COMPONENT_POD_ROLE_BINDING = 'pod-role-binding';
export const COMPONENT_POD_SA_TOKEN_SECRET = 'pod-sa-token-secret';
export const COMPONENT_PCS_HEADLESS_SERVICE = 'pcs-headless-service';
export const COMPONENT_PCS_HPA = 'pcs-hpa';
export const COMPONENT_PCS_PODCLIQUE = 'pcs-podclique';
export const COMPONENT_PCS_PODCLIQUESCALINGGROUP = 'pcs-podcliquescalinggroup';
export const COMPONENT_PCSG_PODCLIQUE = 'pcsg-podclique';
export const COMPONENT_PODGANG = 'podgang';
export const COMPONENT_RESOURCE_CLAIM = 'resource-claim';
export const COMPONENT_PCS_COMPUTEDOMAIN = 'pcs-computedomain';

// ---------------------------------------------------------------------------------------------
// Environment variables injected into pods (§4.4, §4.5): written by the operator, read by workloads.

/** PodCliqueSet name. */
export const ENV_PCS_NAME = 'GROVE_PCS_NAME';
/** PodCliqueSet replica index. */
export const ENV_PCS_INDEX = 'GROVE_PCS_INDEX';
/** PodClique name (FQN). */
export const ENV_PCLQ_NAME = 'GROVE_PCLQ_NAME';
/** Headless Service FQDN `<pcs>-<i>.<ns>.svc.cluster.local`. */
export const ENV_HEADLESS_SERVICE = 'GROVE_HEADLESS_SERVICE';
/** Pod index within the PodClique (fieldRef on LABEL_PODCLIQUE_POD_INDEX). */
export const ENV_PCLQ_POD_INDEX = 'GROVE_PCLQ_POD_INDEX';
/** PCSG name (fieldRef on LABEL_PCSG); PCSG members only. */
export const ENV_PCSG_NAME = 'GROVE_PCSG_NAME';
/** Sum of template replicas of the PCSG's cliques; PCSG members only. */
export const ENV_PCSG_TEMPLATE_NUM_PODS = 'GROVE_PCSG_TEMPLATE_NUM_PODS';
/** PCSG replica index (fieldRef on LABEL_PCSG_REPLICA_INDEX); PCSG members only. */
export const ENV_PCSG_INDEX = 'GROVE_PCSG_INDEX';

// ---------------------------------------------------------------------------------------------
// Init container (startsAfter, §4.5 step 8): written by the pod builder, read by the init container.

export const INIT_CONTAINER_NAME = 'grove-initc';
export const VOLUME_SA_TOKEN_SECRET = 'sa-token-secret-vol';
export const VOLUME_POD_INFO = 'pod-info-vol';
export const POD_INFO_MOUNT_PATH = '/var/grove/pod-info';
export const SA_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * copse splits Grove's step 8 in two: the pod builder only marks a pod that must wait (this label, which
 * the startup webhook's objectSelector matches, plus ANNOTATION_STARTS_AFTER), and the webhook injects
 * the init container, its volumes and arguments at pod CREATE. No other pod ever reaches the webhook.
 */
export const LABEL_STARTUP_WAIT = 'copse.io/startup-wait';
export const LABEL_STARTUP_WAIT_VALUE = 'true';
/** The resolved parents, `<parent PodClique FQN>:<minAvailable>` joined by commas, in startsAfter order. */
export const ANNOTATION_STARTS_AFTER = 'copse.io/starts-after';
/**
 * copse: how long the init container waits for its parents before it fails, naming them (a Go duration
 * such as `90s` or `10m`). Set on a clique template's annotations, it reaches the clique's PodCliques
 * and pods, and the startup webhook passes it as `--timeout`. Unset: wait forever, as Grove does.
 */
export const ANNOTATION_STARTUP_TIMEOUT = 'copse.io/startup-timeout';

// ---------------------------------------------------------------------------------------------
// Condition types and reasons (§4.6, §4.9, §5.3, §5.4): written by controllers, read by status
// aggregation, printer columns and e2e tests.

export const CONDITION_MIN_AVAILABLE_BREACHED = 'MinAvailableBreached';
export const CONDITION_PODCLIQUE_SCHEDULED = 'PodCliqueScheduled';
export const CONDITION_GANG_TERMINATION_IN_PROGRESS = 'GangTerminationInProgress';
export const CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE = 'TopologyLevelsUnavailable';
export const CONDITION_SCHEDULER_TOPOLOGY_DRIFT = 'SchedulerTopologyDrift';
/** copse: on a PodCliqueSet, whether every PodGang has its minimum scheduled, and why not. */
export const CONDITION_PODGANGS_SCHEDULED = 'PodGangsScheduled';
/**
 * copse: on a PodClique or PodCliqueScalingGroup, True once MinAvailableBreached has been False (the
 * unit reached its minimum); never reset while the object lives. Gang termination acts only on units
 * that were healthy once (grove-compat §10.4), and this remembers it across restarts of copse.
 */
export const CONDITION_EVER_AVAILABLE = 'copse.io/EverAvailable';
/** copse: on a PodCliqueSet, why a MinAvailableBreached unit is not (yet) gang-terminated. */
export const CONDITION_GANG_TERMINATION_PENDING = 'copse.io/GangTerminationPending';
export const PODGANG_CONDITION_INITIALIZED = 'Initialized';
export const PODGANG_CONDITION_SCHEDULED = 'Scheduled';
export const PODGANG_CONDITION_READY = 'Ready';
export const PODGANG_CONDITION_UNHEALTHY = 'Unhealthy';
export const PODGANG_CONDITION_DISRUPTION_TARGET = 'DisruptionTarget';

// ---------------------------------------------------------------------------------------------
// copse's own keys (not in Grove's API)

/**
 * The PCS controller writes, on every PodClique and PodCliqueScalingGroup it creates or syncs, the template
 * `replicas` it last applied; it reads it back to tell a template edit (which must reach the child) from a
 * direct `kubectl scale` of the child (which must be kept). Grove never propagates template replicas
 * (grove-compat §10.12). Not copied onto pods.
 */
export const ANNOTATION_TEMPLATE_REPLICAS = 'copse.io/template-replicas';
