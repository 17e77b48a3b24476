// Topology constraints of a PodCliqueSet translated into PodGang pack constraints (grove-compat §4.6,
// §5.2): a constraint names topology domains (`rack`), a PodGang carries the node label keys the
// ClusterTopologyBinding maps them to (`topology.copse.io/rack`).
//
// A PodCliqueSet uses one ClusterTopologyBinding (admission enforces it); children that omit
// topologyName inherit it. Nothing is translated when topology-aware scheduling is off, no constraint
// names a binding, or the binding is missing; a domain that is not a level of the binding is dropped
// (and a constraint with nothing left is dropped). `resolveTopology` also reports what could not be
// resolved so the status code can set TopologyLevelsUnavailable (§5.4) without redoing the analysis.

import type {
  ClusterTopologyBinding,
  PodCliqueSet,
  PodGangTopologyConstraint,
  PodGangTopologyPackConstraint,
  TopologyConstraint,
} from '../generated/types.js';
import { cliqueTemplates, scalingGroupConfigs } from './template.js';

/** What the shell observed about topology for this PodCliqueSet. */
export interface TopologyInput {
  /** Topology-aware scheduling is enabled (copse serve --topology-aware-scheduling). */
  enabled: boolean;
  /** The ClusterTopologyBinding named by `topologyNameOf(pcs)`, when it exists. */
  binding?: ClusterTopologyBinding;
}

/**
 * How the constraints resolve. Maps onto TopologyLevelsUnavailable (§5.4):
 * NoConstraints → False/AllClusterTopologyLevelsAvailable ("No topology constraints defined");
 * Disabled → Unknown/TopologyAwareSchedulingDisabled; NameMissing → Unknown/TopologyNameMissing;
 * NotFound → Unknown/ClusterTopologyNotFound; Resolved → True/ClusterTopologyLevelsUnavailable when
 * `unavailableDomains` is non-empty, else False/AllClusterTopologyLevelsAvailable.
 */
export type TopologyState = 'NoConstraints' | 'Disabled' | 'NameMissing' | 'NotFound' | 'Resolved';

export interface TopologyResolution {
  state: TopologyState;
  /** The binding the constraints name (unset for NoConstraints and NameMissing). */
  topologyName?: string;
  /** Referenced domains that are not levels of the binding, sorted (Resolved only). */
  unavailableDomains: string[];
  /** Domain → node label key of the binding's levels (empty unless Resolved). */
  keys: ReadonlyMap<string, string>;
}

/** Every topology constraint of the template: PCS, then scaling groups, then cliques (template order). */
function allConstraints(pcs: PodCliqueSet): TopologyConstraint[] {
  const t = pcs.spec.template;
  return [
    t.topologyConstraint,
    ...scalingGroupConfigs(pcs).map((g) => g.topologyConstraint),
    ...cliqueTemplates(pcs).map((c) => c.topologyConstraint),
    // Raw YAML may carry `topologyConstraint:` with no value (null); the apiserver drops it, so must we.
  ].filter((tc): tc is TopologyConstraint => tc !== undefined && tc !== null);
}

/** Effective required domain: `pack.required`, else the deprecated `packDomain` (§2.6). */
export function requiredDomain(tc: TopologyConstraint): string | undefined {
  return tc.pack?.required || tc.packDomain || undefined;
}

export function preferredDomain(tc: TopologyConstraint): string | undefined {
  return tc.pack?.preferred || undefined;
}

export function hasTopologyConstraints(pcs: PodCliqueSet): boolean {
  return allConstraints(pcs).length > 0;
}

/**
 * The ClusterTopologyBinding the PodCliqueSet uses: the first explicit topologyName (PCS, then groups,
 * then cliques). Children without one inherit it; admission rejects two different names.
 */
export function topologyNameOf(pcs: PodCliqueSet): string | undefined {
  return allConstraints(pcs).find((tc) => tc.topologyName)?.topologyName;
}

function unresolved(state: TopologyState, topologyName?: string): TopologyResolution {
  return { state, ...(topologyName ? { topologyName } : {}), unavailableDomains: [], keys: new Map() };
}

export function resolveTopology(pcs: PodCliqueSet, input: TopologyInput): TopologyResolution {
  const constraints = allConstraints(pcs);
  if (constraints.length === 0) return unresolved('NoConstraints');
  const name = topologyNameOf(pcs);
  if (!input.enabled) return unresolved('Disabled', name);
  if (!name) return unresolved('NameMissing');
  const binding = input.binding;
  if (!binding || binding.metadata.name !== name) return unresolved('NotFound', name);

  const keys = new Map(binding.spec.levels.map((l) => [l.domain, l.key]));
  const missing = new Set<string>();
  for (const tc of constraints) {
    for (const d of [requiredDomain(tc), preferredDomain(tc)]) if (d && !keys.has(d)) missing.add(d);
  }
  return { state: 'Resolved', topologyName: name, unavailableDomains: [...missing].sort(), keys };
}

/** A constraint in PodGang terms (node label keys), or undefined when nothing of it resolves. */
export function translateConstraint(
  tc: TopologyConstraint | undefined,
  resolution: TopologyResolution,
): PodGangTopologyConstraint | undefined {
  if (!tc || resolution.state !== 'Resolved') return undefined;
  const pack: PodGangTopologyPackConstraint = {};
  const required = requiredDomain(tc);
  const preferred = preferredDomain(tc);
  const requiredKey = required === undefined ? undefined : resolution.keys.get(required);
  const preferredKey = preferred === undefined ? undefined : resolution.keys.get(preferred);
  if (requiredKey) pack.required = requiredKey;
  if (preferredKey) pack.preferred = preferredKey;
  return requiredKey || preferredKey ? { packConstraint: pack } : undefined;
}
