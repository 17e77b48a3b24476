// The default HandlerContext.lookupTopology: one GET of clustertopologybindings.grove.io/<name>
// through kube/'s DynamicClient, closed when the request's signal fires. An informer cache can
// replace it behind the same interface.
//
// The name comes from an untrusted object. The rules refuse a topologyName that is not a DNS
// subdomain before anything is fetched, and this lookup refuses one again (kube/resources.ts
// encodes each path segment and refuses `.` and `..`, but would still ask for `Grove_Topology`).
// What comes back is trusted only if it really is the ClusterTopologyBinding asked for: a path
// that resolved elsewhere (the group's discovery document, say) must not read as "found".
import { isDNS1123Subdomain } from '../api/rules/k8s-names.js';
import { KAI_TOPOLOGY_CRD, kaiTopologyServed } from '../api/status/clustertopology.js';
import { asObject } from '../api/rules/untyped.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { RESOURCES, apiVersionOf, resourcePath } from '../kube/resources.js';
import type { HandlerContext } from './registry.js';

/** The one call the lookup needs from kube/: GET by name, undefined on 404, the request closed when `signal` fires. */
export type ObjectReader = Pick<DynamicClient, 'tryGet'>;

const CTB = RESOURCES.clusterTopologyBindings;

/** Why `obj` is not the ClusterTopologyBinding `name`, or undefined when it is. */
export function notTheTopology(obj: unknown, name: string): string | undefined {
  const o = asObject(obj);
  const gotName = asObject(o?.['metadata'])?.['name'];
  if (o?.['apiVersion'] === apiVersionOf(CTB) && o['kind'] === CTB.kind && gotName === name) return undefined;
  const got = `${JSON.stringify(o?.['apiVersion'] ?? null)} ${JSON.stringify(o?.['kind'] ?? null)} named ${JSON.stringify(gotName ?? null)}`;
  return `expected ${apiVersionOf(CTB)} ${CTB.kind} ${JSON.stringify(name)}, got ${got}`;
}

/** lookupTopology over `reader`: checks the name before the request and the object after it. */
export function topologyLookup(reader: ObjectReader): HandlerContext['lookupTopology'] {
  return async (name, signal) => {
    const problems = isDNS1123Subdomain(name);
    if (problems.length > 0) throw new Error(`refusing to look up ${CTB.kind} ${JSON.stringify(name)}: ${problems.join('; ')}`);
    const obj: unknown = await reader.tryGet(CTB, name, undefined, { signal });
    if (obj === undefined || obj === null) return undefined;
    const wrong = notTheTopology(obj, name);
    if (wrong) throw new Error(`GET ${resourcePath(CTB, { name })} did not return the object asked for: ${wrong}`);
    return obj as Record<string, unknown>;
  };
}

/**
 * HandlerContext.kaiTopologyServed over `reader`: one GET of KAI's Topology CRD, asked only for a
 * binding that names kai-scheduler, so no cache. A failed read fails the admission request (the
 * webhook's failurePolicy decides), rather than admitting or refusing on a guess.
 */
export function kaiTopologyCheck(reader: ObjectReader): NonNullable<HandlerContext['kaiTopologyServed']> {
  return async (signal) => {
    const crd = await reader.tryGet(RESOURCES.customResourceDefinitions, KAI_TOPOLOGY_CRD, undefined, { signal });
    return crd !== undefined && kaiTopologyServed([crd]);
  };
}
