// The live views' API group and the shapes every view object shares. The group is copse's own:
// grove.io belongs to the CRDs, and an APIService for a group the CRDs serve would take it over.

export const LIVE_GROUP = 'live.copse.io';
export const LIVE_VERSION = 'v1alpha1';
export const LIVE_API_VERSION = `${LIVE_GROUP}/${LIVE_VERSION}`;

/** Label on every TopologyDomain: its level (`kubectl get topologydomains -l live.copse.io/level=rack`). */
export const LABEL_LEVEL = `${LIVE_GROUP}/level`;

/** The metadata a view object carries: copied from its source object, never stored anywhere. */
export interface ViewMeta {
  name: string;
  namespace?: string;
  labels?: { [key: string]: string };
  creationTimestamp?: string;
  /** Set by the server when the object is served (the view's own version, not the source's). */
  resourceVersion?: string;
}

export interface ViewObject<K extends string = string, S = unknown, T = unknown> {
  apiVersion: typeof LIVE_API_VERSION;
  kind: K;
  metadata: ViewMeta;
  spec: S;
  status: T;
}

