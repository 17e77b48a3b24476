// The Kubernetes shapes the planner reads, derived from the wire-true aliases in api/core/wire.ts so
// there is one source of truth for what a Pod or Node looks like on the wire.
import type { Node, Pod, V1Container, V1PodSpec } from '../../api/core/wire.js';

export type { Node, Pod, V1Container, V1PodSpec };

type NodeSpec = NonNullable<Node['spec']>;
type Affinity = NonNullable<V1PodSpec['affinity']>;
type NodeAffinity = NonNullable<Affinity['nodeAffinity']>;

export type Taint = NonNullable<NodeSpec['taints']>[number];
export type Toleration = NonNullable<V1PodSpec['tolerations']>[number];
type NodeSelector = NonNullable<NodeAffinity['requiredDuringSchedulingIgnoredDuringExecution']>;
export type NodeSelectorTerm = NodeSelector['nodeSelectorTerms'][number];
export type NodeSelectorRequirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/**
 * A resource list as it arrives in JSON. client-node types quantities as strings, but the API accepts
 * int-or-string, so a hand-written or YAML-parsed object may carry a number.
 */
export type QuantityMap = Readonly<Record<string, string | number>>;
