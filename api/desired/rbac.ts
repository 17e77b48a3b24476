// The identity the init container runs with (grove-compat §4.3): a ServiceAccount `<pcs>`, a Role and
// RoleBinding `grove.io:pcs:<pcs>` that let it read pods, and the token Secret `<pcs>-ic-sat` mounted
// into the init container (the pod's own serviceAccountName is left alone, §4.5 item 8). All four are
// controlled by the PodCliqueSet, so they go with it.

import type { Role, RoleBinding, Secret, ServiceAccount } from '../core/wire.js';
import type { PodCliqueSet } from '../generated/types.js';
import {
  COMPONENT_POD_ROLE,
  COMPONENT_POD_ROLE_BINDING,
  COMPONENT_POD_SA_TOKEN_SECRET,
  COMPONENT_POD_SERVICE_ACCOUNT,
} from '../keys.js';
import { initContainerTokenSecretName, podRoleBindingName, podRoleName, podServiceAccountName } from '../names.js';
import { controllerRef, objectLabels, requireName, requireNamespace } from './meta.js';

const KIND = 'PodCliqueSet';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** Secret type whose token the token controller fills in for the named ServiceAccount. */
export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const ANNOTATION_SERVICE_ACCOUNT_NAME = 'kubernetes.io/service-account.name';

function metadataFor(pcs: PodCliqueSet, name: string, component: string) {
  return {
    name,
    namespace: requireNamespace(KIND, pcs),
    labels: objectLabels(requireName(KIND, pcs), name, component),
    ownerReferences: [controllerRef(KIND, pcs)],
  };
}

export function desiredServiceAccount(pcs: PodCliqueSet): ServiceAccount {
  const name = podServiceAccountName(requireName(KIND, pcs));
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadataFor(pcs, name, COMPONENT_POD_SERVICE_ACCOUNT),
    automountServiceAccountToken: true,
  };
}

/** Read access to pods: the init container watches the pods of its gang. Grove creates it once and never updates it. */
export function desiredRole(pcs: PodCliqueSet): Role {
  const name = podRoleName(requireName(KIND, pcs));
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: metadataFor(pcs, name, COMPONENT_POD_ROLE),
    rules: [{ apiGroups: [''], resources: ['pods', 'pods/status'], verbs: ['get', 'list', 'watch'] }],
  };
}

export function desiredRoleBinding(pcs: PodCliqueSet): RoleBinding {
  const pcsName = requireName(KIND, pcs);
  const name = podRoleBindingName(pcsName);
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: metadataFor(pcs, name, COMPONENT_POD_ROLE_BINDING),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: podRoleName(pcsName) },
    subjects: [{ kind: 'ServiceAccount', name: podServiceAccountName(pcsName), namespace: requireNamespace(KIND, pcs) }],
  };
}

/** The token Secret; the token controller fills in `data` (the shell waits for it, §4.3). */
export function desiredTokenSecret(pcs: PodCliqueSet): Secret {
  const pcsName = requireName(KIND, pcs);
  const meta = metadataFor(pcs, initContainerTokenSecretName(pcsName), COMPONENT_POD_SA_TOKEN_SECRET);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...meta, annotations: { [ANNOTATION_SERVICE_ACCOUNT_NAME]: podServiceAccountName(pcsName) } },
    type: SERVICE_ACCOUNT_TOKEN_SECRET_TYPE,
  };
}
