// The PodCliqueSet condition TopologyLevelsUnavailable (grove-compat §5.4), from the topology
// resolution api/desired computes for the PodGangs (resolveTopology): constraints on domains the
// ClusterTopologyBinding lacks are dropped from the gangs, so placement is then unconstrained, and this
// condition is where a person learns about it. Reasons and messages are Grove's.

import { resolveTopology, type TopologyInput, type TopologyResolution } from '../desired/topology.js';
import type { PodCliqueSet } from '../generated/types.js';
import { CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE } from '../keys.js';
import type { DesiredCondition } from './conditions.js';

export const REASON_TOPOLOGY_AWARE_SCHEDULING_DISABLED = 'TopologyAwareSchedulingDisabled';
export const REASON_ALL_CLUSTER_TOPOLOGY_LEVELS_AVAILABLE = 'AllClusterTopologyLevelsAvailable';
export const REASON_TOPOLOGY_NAME_MISSING = 'TopologyNameMissing';
export const REASON_CLUSTER_TOPOLOGY_NOT_FOUND = 'ClusterTopologyNotFound';
export const REASON_CLUSTER_TOPOLOGY_LEVELS_UNAVAILABLE = 'ClusterTopologyLevelsUnavailable';

function condition(status: DesiredCondition['status'], reason: string, message: string): DesiredCondition {
  return { type: CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE, status, reason, message };
}

/**
 * The decided condition, or undefined when it must be removed: with topology-aware scheduling off and
 * nothing constrained there is nothing to report.
 */
export function topologyConditionFor(resolution: TopologyResolution, enabled: boolean): DesiredCondition | undefined {
  switch (resolution.state) {
    case 'NoConstraints':
      return enabled ? condition('False', REASON_ALL_CLUSTER_TOPOLOGY_LEVELS_AVAILABLE, 'No topology constraints defined') : undefined;
    case 'Disabled':
      return condition(
        'Unknown',
        REASON_TOPOLOGY_AWARE_SCHEDULING_DISABLED,
        'Topology constraints are defined but Topology Aware Scheduling is disabled',
      );
    case 'NameMissing':
      return condition('Unknown', REASON_TOPOLOGY_NAME_MISSING, 'PodCliqueSet topology constraints must include topologyName');
    case 'NotFound':
      return condition('Unknown', REASON_CLUSTER_TOPOLOGY_NOT_FOUND, 'ClusterTopologyBinding resource not found');
    case 'Resolved':
      // Go's %v of a []string: `[block host]`.
      return resolution.unavailableDomains.length > 0
        ? condition(
            'True',
            REASON_CLUSTER_TOPOLOGY_LEVELS_UNAVAILABLE,
            `Unavailable topology domains: [${resolution.unavailableDomains.join(' ')}]`,
          )
        : condition('False', REASON_ALL_CLUSTER_TOPOLOGY_LEVELS_AVAILABLE, 'All topology levels are available');
  }
}

/** TopologyLevelsUnavailable for a PodCliqueSet (resolves the topology, then topologyConditionFor). */
export function topologyLevelsUnavailableCondition(pcs: PodCliqueSet, input: TopologyInput): DesiredCondition | undefined {
  return topologyConditionFor(resolveTopology(pcs, input), input.enabled);
}
