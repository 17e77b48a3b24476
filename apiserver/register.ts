// The objects that put live.copse.io into kube-apiserver: the APIService and the Service it names.
// In a cluster (manifests/install/apiserver.yaml) the Service is a ClusterIP Service in front of the
// copse pods. For `copse up`, where copse runs as a local process and nothing routes ClusterIPs, the
// server registers an ExternalName Service pointing at 127.0.0.1 and an APIService whose port is the
// one it listens on: kube-apiserver dials `<externalName>:<APIService port>` and still verifies the
// certificate for `<service>.<namespace>.svc` (k8s-wire §1.2).
//
// Deregistration matters: an APIService whose server is gone stays Available=False, every discovery
// client then reports the group as stale, and the namespace controller cannot finish deleting any
// namespace (NamespaceDeletionDiscoveryFailure) until it answers again or the APIService is removed.
import type { APIService, Service } from '../api/core/wire.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { APISERVICE_NAME, GROUP, VERSION } from './resources.js';

export const DEFAULT_API_SERVICE_NAME = 'copse-api';
export const DEFAULT_API_SECRET_NAME = 'copse-api-server-cert';
export const DEFAULT_API_PORT = 6443;
/** Below the CRD groups' 1000, so bare `podcliquesets` keeps meaning grove.io (see resources.ts). */
export const GROUP_PRIORITY_MINIMUM = 100;
export const VERSION_PRIORITY = 100;
const LABELS = { 'app.kubernetes.io/name': 'copse', 'app.kubernetes.io/component': 'apiserver' };

export interface ApiServiceTarget {
  namespace: string;
  service: string;
  port: number;
  /** base64 PEM of copse's CA; omitted, the caBundle is injected by certificate sync. */
  caBundle?: string;
}

export function apiServiceObject(t: ApiServiceTarget): APIService {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: APISERVICE_NAME, labels: LABELS },
    spec: {
      group: GROUP,
      version: VERSION,
      groupPriorityMinimum: GROUP_PRIORITY_MINIMUM,
      versionPriority: VERSION_PRIORITY,
      service: { namespace: t.namespace, name: t.service, port: t.port },
      ...(t.caBundle ? { caBundle: t.caBundle } : {}),
    },
  };
}

/** The Service `copse up` registers: ExternalName to the loopback address the server listens on. */
export function localServiceObject(namespace: string, service: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace, labels: LABELS },
    spec: { type: 'ExternalName', externalName: '127.0.0.1' },
  };
}

export async function registerLocal(client: DynamicClient, t: ApiServiceTarget): Promise<void> {
  await client.apply(RESOURCES.services, localServiceObject(t.namespace, t.service));
  await client.apply(RESOURCES.apiServices, apiServiceObject(t));
}

/** Remove the APIService (first: it is what breaks discovery) and the local Service. */
export async function deregisterLocal(client: DynamicClient, namespace: string, service: string): Promise<void> {
  await client.delete(RESOURCES.apiServices, APISERVICE_NAME, undefined);
  await client.delete(RESOURCES.services, service, namespace);
}
