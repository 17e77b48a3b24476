// Discovery documents (k8s-wire §1.7): the legacy APIGroupList / APIGroup / APIResourceList and the
// aggregated APIGroupDiscoveryList (v2) that kube-apiserver asks for on GET /apis. Every document
// carries kind and apiVersion (client-go refuses objects without them). Built once; the v2 document
// has a stable ETag so kube-apiserver's periodic refresh gets 304.
import { createHash } from 'node:crypto';
import { CATEGORY, GROUP, GROUP_VERSION, READ_VERBS, SERVED, VERSION } from './resources.js';

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };

export function apiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: SERVED.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: [...READ_VERBS],
        shortNames: r.shortNames,
        categories: [CATEGORY],
      },
      // A subresource has its parent's scope (a mismatch breaks kube-apiserver's conversion).
      ...r.subresources.map((sub) => ({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get'] })),
    ]),
  };
}

export function apiGroup(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

export function apiGroupList(): Record<string, unknown> {
  const { kind: _k, apiVersion: _a, ...group } = apiGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

export const DISCOVERY_V2_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function apiGroupDiscoveryList(): Record<string, unknown> {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [
      {
        metadata: { name: GROUP },
        versions: [
          {
            version: VERSION,
            freshness: 'Current',
            resources: SERVED.map((r) => ({
              resource: r.name,
              responseKind: { group: GROUP, version: VERSION, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: [...READ_VERBS],
              shortNames: r.shortNames,
              categories: [CATEGORY],
              ...(r.subresources.length > 0
                ? { subresources: r.subresources.map((sub) => ({ subresource: sub, responseKind: { group: GROUP, version: VERSION, kind: r.kind }, verbs: ['get'] })) }
                : {}),
            })),
          },
        ],
      },
    ],
  };
}

export interface DiscoveryDoc {
  body: string;
  etag: string;
}

function doc(v: unknown): DiscoveryDoc {
  const body = JSON.stringify(v);
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

/** The documents, serialized once. */
export const DISCOVERY = {
  root: doc(apiGroupList()),
  rootV2: doc(apiGroupDiscoveryList()),
  group: doc(apiGroup()),
  version: doc(apiResourceList()),
};
