// The resources of live.copse.io/v1alpha1: names, kinds, scope, short names and which subresources
// exist. Discovery, routing, authorization attributes and error messages all read this one table.
//
// `podcliquesets` shares its plural with the grove.io CRD on purpose (the user asks for
// `kubectl get podcliquesets.live.copse.io NAME --subresource=status`). The APIService's group
// priority (100) is below the CRDs' (1000), so a bare `kubectl get podcliquesets` (or `pcs`) still
// means grove.io; the live view is `podcliquesets.live.copse.io` or its short name `lpcs`.
import { KIND_PLACEMENT, KIND_PODCLIQUESET, KIND_TOPOLOGY_DOMAIN, LIVE_GROUP, LIVE_VERSION } from '../api/views/index.js';

export const GROUP = LIVE_GROUP;
export const VERSION = LIVE_VERSION;
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
/** `<version>.<group>`: the only name kube-aggregator accepts for the APIService. */
export const APISERVICE_NAME = `${VERSION}.${GROUP}`;

export type ResourceName = 'podcliquesets' | 'placements' | 'topologydomains';

export interface ServedResource {
  name: ResourceName;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subresources served with GET (each returns the whole object, as Kubernetes does for status). */
  subresources: readonly string[];
}

export const CATEGORY = 'copse';

export const SERVED: readonly ServedResource[] = [
  {
    name: 'podcliquesets',
    singular: 'podcliqueset',
    kind: KIND_PODCLIQUESET,
    listKind: `${KIND_PODCLIQUESET}List`,
    namespaced: true,
    shortNames: ['lpcs'],
    subresources: ['status'],
  },
  {
    name: 'placements',
    singular: 'placement',
    kind: KIND_PLACEMENT,
    listKind: `${KIND_PLACEMENT}List`,
    namespaced: true,
    shortNames: ['lpl'],
    subresources: [],
  },
  {
    name: 'topologydomains',
    singular: 'topologydomain',
    kind: KIND_TOPOLOGY_DOMAIN,
    listKind: `${KIND_TOPOLOGY_DOMAIN}List`,
    namespaced: false,
    shortNames: ['ltd'],
    subresources: [],
  },
];

export function servedResource(name: string): ServedResource | undefined {
  return SERVED.find((r) => r.name === name);
}

/** The read verbs every resource serves; writes get 405 (the views are computed, never stored). */
export const READ_VERBS = ['get', 'list', 'watch'] as const;
