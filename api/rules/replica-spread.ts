// Spreading the replicas of a PodCliqueSet across topology domains, for availability: copse's addition
// to Grove's API (Grove packs a replica into a domain but has no way to keep replicas apart). It is
// carried by an annotation on the PodCliqueSet, so Grove's schema and Grove manifests are untouched:
//
//   scheduling.copse.io/replica-spread-required: rack    no two replicas share a rack; a replica
//                                                         waits rather than share one
//   scheduling.copse.io/replica-spread-preferred: zone   replicas go to different zones when there
//                                                         is room, together otherwise
//
// The value is a domain (level) of the ClusterTopologyBinding the PodCliqueSet's topologyName names,
// like `pack.required`. At most one of the two may be set. The placement controller turns it into the
// planner's SpreadConstraint (scheduler/plan).
import { type FieldError, forbidden, invalid } from '../field-errors.js';
import { topologyNameOf } from '../desired/topology.js';
import type { ClusterTopologyBinding, PodCliqueSet } from '../index.js';
import { fieldPath } from '../field-errors.js';
import { asObject } from './untyped.js';

export const ANNOTATION_SPREAD_REQUIRED = 'scheduling.copse.io/replica-spread-required';
export const ANNOTATION_SPREAD_PREFERRED = 'scheduling.copse.io/replica-spread-preferred';

export interface ReplicaSpread {
  domain: string;
  required: boolean;
}

/** The spread a PodCliqueSet asks for; required wins when (invalidly) both are set. */
export function replicaSpreadOf(pcs: Pick<PodCliqueSet, 'metadata'>): ReplicaSpread | undefined {
  const a = pcs.metadata?.annotations ?? {};
  const req = a[ANNOTATION_SPREAD_REQUIRED];
  if (req) return { domain: req, required: true };
  const pref = a[ANNOTATION_SPREAD_PREFERRED];
  return pref ? { domain: pref, required: false } : undefined;
}

/** The node-label key of the spread's domain in the binding, if the binding has that level. */
export function spreadKey(spread: ReplicaSpread, binding: ClusterTopologyBinding | undefined): string | undefined {
  return binding?.spec.levels.find((l) => l.domain === spread.domain)?.key;
}

export interface ReplicaSpreadContext {
  topologyAwareScheduling: boolean;
  /** The ClusterTopologyBinding by name, when the caller has it (admission prefetches it on create). */
  topology?: (name: string) => ClusterTopologyBinding | undefined;
}

const path = (key: string) => fieldPath('metadata', 'annotations').key(key);

/** Admission input is untyped: anything may arrive where the annotations should be. */
function annotationsOf(pcs: unknown): Record<string, string> {
  const a = asObject(asObject(asObject(pcs)?.metadata)?.annotations) ?? {};
  return Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function validateReplicaSpread(pcs: PodCliqueSet, ctx: ReplicaSpreadContext): FieldError[] {
  const a = annotationsOf(pcs);
  const present = [ANNOTATION_SPREAD_REQUIRED, ANNOTATION_SPREAD_PREFERRED].filter((k) => a[k] !== undefined);
  if (present.length === 0) return [];
  const errs: FieldError[] = [];
  if (present.length === 2) {
    errs.push(forbidden(path(ANNOTATION_SPREAD_PREFERRED), `may not be set together with ${ANNOTATION_SPREAD_REQUIRED}`));
  }
  const key = present[0] as string;
  const domain = a[key] ?? '';
  if (domain === '') return [...errs, invalid(path(key), domain, 'must name a domain of the ClusterTopologyBinding, e.g. rack')];
  if (!ctx.topologyAwareScheduling) return [...errs, forbidden(path(key), 'replica spread needs Topology Aware Scheduling, which is disabled')];
  const name = topologyNameOf(pcs);
  if (!name) {
    return [...errs, invalid(path(key), domain, 'replica spread needs a topologyConstraint.topologyName naming the ClusterTopologyBinding whose domains it uses')];
  }
  const binding = ctx.topology?.(name);
  if (binding && !spreadKey({ domain, required: true }, binding)) {
    const levels = binding.spec.levels.map((l) => l.domain).join(', ');
    errs.push(invalid(path(key), domain, `not a domain of ClusterTopologyBinding "${name}" (domains: ${levels})`));
  }
  return errs;
}
