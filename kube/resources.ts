// The resources copse reads and writes, and REST paths built from encoded segments. A name that is
// `..` or contains `/` can never turn into another URL: every segment goes through
// encodeURIComponent, and `.`/`..` (which URL parsing would normalise away) are refused.
import type { ClusterTopologyBinding, PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../api/index.js';
import type { DynamoGraphDeployment } from '../api/generated/types.js';
import type { KaiTopology } from '../api/status/clustertopology.js';
import type {
  APIService,
  ClusterRole,
  ClusterRoleBinding,
  ConfigMap,
  CustomResourceDefinition,
  Deployment,
  MutatingWebhookConfiguration,
  ValidatingWebhookConfiguration,
  CoreEvent,
  HorizontalPodAutoscaler,
  Lease,
  Namespace,
  Node,
  Pod,
  Role,
  RoleBinding,
  Secret,
  Service,
  ServiceAccount,
  SubjectAccessReview,
} from '../api/core/wire.js';
import { KubeError } from './errors.js';

/** A group/version/resource, the kind it serves and its scope. `T` is the object type. */
export interface Resource<T = unknown> {
  group: string;
  version: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Phantom field carrying the object type; never set. */
  readonly __type?: T;
}

function res<T>(group: string, version: string, resource: string, kind: string, namespaced: boolean): Resource<T> {
  return { group, version, resource, kind, namespaced };
}

export const RESOURCES = {
  pods: res<Pod>('', 'v1', 'pods', 'Pod', true),
  nodes: res<Node>('', 'v1', 'nodes', 'Node', false),
  services: res<Service>('', 'v1', 'services', 'Service', true),
  serviceAccounts: res<ServiceAccount>('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  secrets: res<Secret>('', 'v1', 'secrets', 'Secret', true),
  configMaps: res<ConfigMap>('', 'v1', 'configmaps', 'ConfigMap', true),
  namespaces: res<Namespace>('', 'v1', 'namespaces', 'Namespace', false),
  events: res<CoreEvent>('', 'v1', 'events', 'Event', true),
  roles: res<Role>('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  roleBindings: res<RoleBinding>('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  clusterRoles: res<ClusterRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterRoleBindings: res<ClusterRoleBinding>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  deployments: res<Deployment>('apps', 'v1', 'deployments', 'Deployment', true),
  customResourceDefinitions: res<CustomResourceDefinition>('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  mutatingWebhookConfigurations: res<MutatingWebhookConfiguration>('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  validatingWebhookConfigurations: res<ValidatingWebhookConfiguration>('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  hpas: res<HorizontalPodAutoscaler>('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true),
  leases: res<Lease>('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  subjectAccessReviews: res<SubjectAccessReview>('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false),
  apiServices: res<APIService>('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false),
  podCliqueSets: res<PodCliqueSet>('grove.io', 'v1alpha1', 'podcliquesets', 'PodCliqueSet', true),
  podCliques: res<PodClique>('grove.io', 'v1alpha1', 'podcliques', 'PodClique', true),
  podCliqueScalingGroups: res<PodCliqueScalingGroup>('grove.io', 'v1alpha1', 'podcliquescalinggroups', 'PodCliqueScalingGroup', true),
  clusterTopologyBindings: res<ClusterTopologyBinding>('grove.io', 'v1alpha1', 'clustertopologybindings', 'ClusterTopologyBinding', false),
  podGangs: res<PodGang>('scheduler.grove.io', 'v1alpha1', 'podgangs', 'PodGang', true),
  dynamoGraphDeployments: res<DynamoGraphDeployment>('nvidia.com', 'v1alpha1', 'dynamographdeployments', 'DynamoGraphDeployment', true),
  /** KAI's Topology, kept for ClusterTopologyBindings when KAI's CRD is installed (controllers/clustertopology.ts). */
  kaiTopologies: res<KaiTopology>('kai.scheduler', 'v1alpha1', 'topologies', 'Topology', false),
} as const;

/** `group/version` or `version` for the core group, as apiVersion is written. */
export function apiVersionOf(r: Resource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/**
 * The resource serving objects of this apiVersion and kind, for manifests read from files. Only the
 * kinds copse itself ships are known (no discovery round trip); anything else is a clear error.
 */
export function resourceFor(apiVersion: string | undefined, kind: string | undefined): Resource {
  const found = Object.values(RESOURCES).find((r: Resource) => apiVersionOf(r) === apiVersion && r.kind === kind);
  if (!found) throw new KubeError('Invalid', 0, `no known resource serves apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}`, undefined, undefined);
  return found;
}

/** Encodes one path segment; refuses the empty string and dot-segments. */
export function segment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new KubeError('Invalid', 0, `${what} ${JSON.stringify(value)} is not a valid name`, undefined, undefined);
  }
  return encodeURIComponent(value);
}

export interface PathParts {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

/**
 * `/api/v1/namespaces/ns/pods/name/status` and friends. A namespaced resource without a
 * namespace addresses the all-namespaces collection (list/watch only).
 */
export function resourcePath(r: Resource, parts: PathParts = {}): string {
  const prefix = r.group ? `/apis/${segment(r.group, 'group')}/${segment(r.version, 'version')}` : `/api/${segment(r.version, 'version')}`;
  let p = prefix;
  if (r.namespaced && parts.namespace !== undefined) p += `/namespaces/${segment(parts.namespace, 'namespace')}`;
  p += `/${segment(r.resource, 'resource')}`;
  if (parts.name !== undefined) p += `/${segment(parts.name, 'name')}`;
  if (parts.subresource !== undefined) {
    if (parts.name === undefined) throw new KubeError('Invalid', 0, `subresource ${parts.subresource} needs an object name`, undefined, undefined);
    p += `/${segment(parts.subresource, 'subresource')}`;
  }
  return p;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key of caches and work queues. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
