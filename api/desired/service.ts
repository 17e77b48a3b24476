// One headless Service per PodCliqueSet replica, `<pcs>-<i>` (grove-compat §4.3): the pods' subdomain,
// so each pod resolves as `<pclq>-<idx>.<pcs>-<i>.<ns>.svc.cluster.local` (§4.5 item 6). No ports:
// only DNS records are wanted.

import type { Service } from '../core/wire.js';
import type { PodCliqueSet } from '../generated/types.js';
import { COMPONENT_PCS_HEADLESS_SERVICE, LABEL_PCS_REPLICA_INDEX } from '../keys.js';
import { headlessServiceName, managedLabels } from '../names.js';
import { controllerRef, objectLabels, requireName, requireNamespace } from './meta.js';

const KIND = 'PodCliqueSet';

export function desiredHeadlessService(pcs: PodCliqueSet, replica: number): Service {
  const pcsName = requireName(KIND, pcs);
  const name = headlessServiceName(pcsName, replica);
  const index = { [LABEL_PCS_REPLICA_INDEX]: String(replica) };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: requireNamespace(KIND, pcs),
      labels: { ...objectLabels(pcsName, name, COMPONENT_PCS_HEADLESS_SERVICE), ...index },
      ownerReferences: [controllerRef(KIND, pcs)],
    },
    spec: {
      clusterIP: 'None',
      selector: { ...managedLabels(pcsName), ...index },
      // Peers find each other while starting (before Ready) unless the template says otherwise.
      publishNotReadyAddresses: pcs.spec.template.headlessServiceConfig?.publishNotReadyAddresses ?? true,
    },
  };
}
