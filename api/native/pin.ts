// A scaled gang inside its replica's required domain on the native backend, pure. Grove packs every
// gang of one PodCliqueSet replica (the base gang and its scaled gangs) into the replica's required
// domain (grove#648; copse's planner plans them as one unit). Native v1.37 makes each scaled gang a
// separate root, and separate roots share no constraint, so kube-scheduler alone would put a scaled
// gang in any domain. A scaled gang's pods are released only once the base gang is scheduled, so its
// domain is known by then: the pods get a nodeSelector on it, written together with the lifting of
// copse's native gate (adding nodeSelector entries to a gated pod is allowed, KEP-3838).
import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import { LABEL_BASE_PODGANG } from '../keys.js';

export interface DomainPin {
  key: string;
  value: string;
}

/** What to pin the pods of a scaled gang to: a domain, nothing, or `wait` (the base gang's domain is not known yet). */
export type ScaledGangPin = { pin: DomainPin } | { pin: undefined } | { wait: string };

/** The base gang of a scaled gang's pods (their grove.io/base-podgang label); undefined for a base gang's. */
export function baseGangOf(pods: readonly Pod[], gangName: string): string | undefined {
  const base = pods.map((p) => p.metadata?.labels?.[LABEL_BASE_PODGANG]).find((b) => b !== undefined && b !== '');
  return base && base !== gangName ? base : undefined;
}

/**
 * The pin for a scaled gang whose base gang is `base`: the value of the base gang's required key on
 * the nodes its bound pods run on. `nodeLabels` reads a node's labels from the cache.
 */
export function scaledGangPin(base: PodGang | undefined, basePods: readonly Pod[], nodeLabels: (node: string) => Readonly<Record<string, string>> | undefined): ScaledGangPin {
  if (!base) return { wait: 'the base gang is not observed' };
  const key = base.spec.topologyConstraint?.packConstraint?.required;
  if (!key) return { pin: undefined };
  for (const p of basePods) {
    const node = p.spec?.nodeName;
    const value = node && !p.metadata?.deletionTimestamp ? nodeLabels(node)?.[key] : undefined;
    if (value) return { pin: { key, value } };
  }
  return { wait: `no pod of base gang ${base.metadata.name ?? ''} is bound to a node with ${key} yet` };
}

/**
 * The nodeSelector entries to add to `pod` for `pin`: none when the pod already selects on the key
 * (a gated pod's existing entries cannot be changed, only new ones added).
 */
export function pinSelector(pod: Pod, pin: DomainPin | undefined): Record<string, string> {
  if (!pin || pod.spec?.nodeSelector?.[pin.key] !== undefined) return {};
  return { [pin.key]: pin.value };
}
