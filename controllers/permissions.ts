// What copse's controllers may do, as one table: `npm run generate` renders it into
// manifests/install/controller-rbac.yaml (bound to copse's ServiceAccount), the unit tests check it
// against the informers the server starts and the objects the controllers write, and
// test/e2e/rbac.test.ts runs the controllers with exactly these grants and no others.
//
// Each rule says why it exists. Two kinds of grant go beyond a call the code makes:
// - `<owner>/finalizers` update: every child copse writes carries a controller ownerReference with
//   blockOwnerDeletion, which kube-apiserver's OwnerReferencesPermissionEnforcement admission plugin
//   (on in OpenShift, and on the local control plane) allows only to who may update the owner's
//   finalizers;
// - `pods/status` read: the PodCliqueSet controller creates a Role granting it to the init
//   container's ServiceAccount, and RBAC lets nobody grant what they do not hold (copse holds it
//   rather than `escalate` or `bind`, which would let it grant anything).
import { RESOURCES, type Resource } from '../kube/resources.js';
import { NATIVE_RESOURCES } from '../scheduler/native/resources.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: Verb[];
}

/** A rule and the reason it is granted (rendered as a comment above it). */
export interface Grant {
  why: string;
  rule: PolicyRule;
}

/** The Lease the controllers' leader election holds (`copse serve --leader-election-namespace`, default copse's namespace). */
export const LEADER_LEASE_NAME = 'copse-controller-leader';

const READ: Verb[] = ['get', 'list', 'watch'];
/** Server-side apply: a patch, and a create when the object does not exist yet. */
const APPLY: Verb[] = ['create', 'patch'];

function on(r: Resource, verbs: Verb[], subresource?: string, resourceNames?: string[]): PolicyRule {
  return { apiGroups: [r.group], resources: [subresource ? `${r.resource}/${subresource}` : r.resource], ...(resourceNames ? { resourceNames } : {}), verbs };
}

/** ClusterRole copse-controller: the PodCliqueSet, PodClique, scaling-group and PodGang controllers, rolling updates and gang placement. */
export const CONTROLLER_GRANTS: readonly Grant[] = [
  { why: 'PodCliqueSets: read by the controllers and the placement planner; patch adds and removes the finalizer.', rule: on(RESOURCES.podCliqueSets, [...READ, 'patch']) },
  { why: 'The status, written by server-side apply.', rule: on(RESOURCES.podCliqueSets, ['patch'], 'status') },
  { why: 'Children owned by a PodCliqueSet with blockOwnerDeletion (OwnerReferencesPermissionEnforcement).', rule: on(RESOURCES.podCliqueSets, ['update'], 'finalizers') },
  { why: 'PodCliques: applied by the PodCliqueSet and scaling-group controllers, deleted on scale-in and rolling updates; patch also removes the finalizer.', rule: on(RESOURCES.podCliques, [...READ, ...APPLY, 'delete']) },
  { why: 'The status, written by server-side apply.', rule: on(RESOURCES.podCliques, ['patch'], 'status') },
  { why: 'Pods are owned by their PodClique with blockOwnerDeletion.', rule: on(RESOURCES.podCliques, ['update'], 'finalizers') },
  { why: 'Scaling groups: applied by the PodCliqueSet controller, deleted on scale-in; patch also removes the finalizer.', rule: on(RESOURCES.podCliqueScalingGroups, [...READ, ...APPLY, 'delete']) },
  { why: 'The status, written by server-side apply.', rule: on(RESOURCES.podCliqueScalingGroups, ['patch'], 'status') },
  { why: 'Member PodCliques are owned by their scaling group with blockOwnerDeletion.', rule: on(RESOURCES.podCliqueScalingGroups, ['update'], 'finalizers') },
  { why: 'PodGangs: applied by the PodCliqueSet controller, their podReferences patched by the PodGang controller.', rule: on(RESOURCES.podGangs, [...READ, ...APPLY, 'delete']) },
  { why: 'The status, written by server-side apply.', rule: on(RESOURCES.podGangs, ['patch'], 'status') },
  { why: 'Topology-aware PodGangs and placement read the binding a PodCliqueSet names.', rule: on(RESOURCES.clusterTopologyBindings, READ) },
  { why: 'The ClusterTopologyBinding controller writes the drift status (server-side apply).', rule: on(RESOURCES.clusterTopologyBindings, ['patch'], 'status') },
  { why: 'KAI Topologies are owned by their binding with blockOwnerDeletion (OwnerReferencesPermissionEnforcement).', rule: on(RESOURCES.clusterTopologyBindings, ['update'], 'finalizers') },
  { why: "Whether KAI's Topology CRD is installed (watched by name; copse manages KAI Topologies only then, and admits a binding's kai-scheduler entry only then).", rule: on(RESOURCES.customResourceDefinitions, READ) },
  {
    why: "KAI Topologies of the bindings: read to compare levels, created for auto-managed bindings, deleted and created again when the levels change (KAI's levels are immutable).",
    rule: on(RESOURCES.kaiTopologies, ['get', 'create', 'delete']),
  },
  {
    why: 'Pods: created by the PodClique controller; patch lifts scheduling gates and pins placements; delete on scale-in, updates and expired reservations; deletecollection when a PodClique or PodCliqueSet goes.',
    rule: on(RESOURCES.pods, [...READ, 'create', 'patch', 'delete', 'deletecollection']),
  },
  { why: 'Not read by copse: held so that copse may grant it in the init container\'s Role (RBAC escalation prevention).', rule: on(RESOURCES.pods, READ, 'status') },
  { why: 'The placement planner reads node capacity and labels.', rule: on(RESOURCES.nodes, READ) },
  { why: 'Headless Services per PodCliqueSet replica.', rule: on(RESOURCES.services, [...READ, ...APPLY, 'delete']) },
  { why: 'HorizontalPodAutoscalers for cliques and scaling groups with autoScalingConfig.', rule: on(RESOURCES.hpas, [...READ, ...APPLY, 'delete']) },
  { why: 'The init container\'s identity: ServiceAccount <pcs>, Role and RoleBinding grove.io:pcs:<pcs>.', rule: on(RESOURCES.serviceAccounts, [...READ, ...APPLY]) },
  { why: 'The Role and RoleBinding of the init container (it may read pods of its namespace, nothing else).', rule: { apiGroups: [RESOURCES.roles.group], resources: [RESOURCES.roles.resource, RESOURCES.roleBindings.resource], verbs: [...READ, ...APPLY] } },
  {
    why: 'The token Secret <pcs>-ic-sat. Listing cannot be limited by label in RBAC: copse caches only Secrets labelled managed-by grove-operator, but may read all.',
    rule: on(RESOURCES.secrets, [...READ, ...APPLY, 'delete']),
  },
  { why: 'Events on PodCliqueSets, PodCliques, scaling groups and PodGangs (core/v1; repeats bump the count).', rule: on(RESOURCES.events, ['create', 'patch']) },
];

/** Role copse-controller in copse's namespace: the leader Lease. */
export const LEADER_ELECTION_GRANTS: readonly Grant[] = [
  { why: 'Read and renew the leader Lease.', rule: on(RESOURCES.leases, ['get', 'update'], undefined, [LEADER_LEASE_NAME]) },
  { why: 'Create it the first time (create cannot be limited by name).', rule: on(RESOURCES.leases, ['create']) },
];

/** ClusterRole copse-native-scheduling: the native gang backend (Kubernetes v1.37 workload-aware scheduling). */
export const NATIVE_GRANTS: readonly Grant[] = [
  {
    why: 'Workloads and PodGroups (scheduling.k8s.io/v1beta1) translated from PodGangs; delete replaces an object that cannot change in place; patch also lifts PodGroupProtection. The start-up probe creates one PodGroup with dryRun.',
    rule: { apiGroups: [NATIVE_RESOURCES.workloads.group], resources: [NATIVE_RESOURCES.workloads.resource, NATIVE_RESOURCES.podGroups.resource, NATIVE_RESOURCES.compositePodGroups.resource], verbs: [...READ, ...APPLY, 'delete'] },
  },
];

/** Every rule of `grants`. */
export function rulesOf(grants: readonly Grant[]): PolicyRule[] {
  return grants.map((g) => g.rule);
}

/** Whether `rules` allow `verb` on `group`/`resource` (a `res/sub` subresource), and on object `name` when given. */
export function allows(rules: readonly PolicyRule[], group: string, resource: string, verb: string, name?: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups.includes(group) || r.apiGroups.includes('*')) &&
      (r.resources.includes(resource) || r.resources.includes('*')) &&
      ((r.verbs as string[]).includes(verb) || (r.verbs as string[]).includes('*')) &&
      (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))),
  );
}
