// Builders for planner tests and benchmarks: nodes shaped like the local cluster's (the same
// generator `copse cluster up` uses), pod specs and gangs.
import { nodeObject, placements, resolveShape, TopologyLabels, type ClusterShape } from '../../cluster/topology.js';
import type { GangInput, GangPlan, PackConstraint, PodGroupInput, PodInput } from './model.js';
import type { Node, V1PodSpec } from './kube-types.js';

export const ZONE = TopologyLabels.zone;
export const BLOCK = TopologyLabels.block;
export const RACK = TopologyLabels.rack;
export const HOST = TopologyLabels.host;

/** The local cluster's nodes: by default 1 zone × 2 blocks × 2 racks × 4 hosts, 64 CPU / 512Gi / 8 GPUs each. */
export function localNodes(shape: Partial<ClusterShape> = {}): Node[] {
  const s = resolveShape(shape);
  // nodeObject is typed with client-node's Date fields; a JSON round trip gives the wire form.
  return placements(s).map((p) => JSON.parse(JSON.stringify(nodeObject(p, s))) as Node);
}

/** Nodes of any shape (no upper bound on count), built without the JSON round trip. */
export function syntheticNodes(shape: ClusterShape): Node[] {
  const s = { ...shape };
  return placements(s).map((p) => {
    const n = nodeObject(p, s);
    return { metadata: { name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }, spec: {}, status: { allocatable: n.status?.allocatable ?? {} } };
  });
}

/** A node with the given labels and allocatable, for focused tests. */
export function node(name: string, allocatable: Record<string, string>, labels: Record<string, string> = {}, spec: Node['spec'] = {}): Node {
  return { metadata: { name, labels: { [HOST]: name, ...labels } }, spec, status: { allocatable: { pods: '110', ...allocatable } } };
}

/** A one-container pod spec requesting `requests`. */
export function podSpec(requests: Record<string, string>, extra: Partial<V1PodSpec> = {}): V1PodSpec {
  return { containers: [{ name: 'main', image: 'busybox', resources: { requests } }], ...extra };
}

export function podsOf(prefix: string, count: number, spec: V1PodSpec): PodInput[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${String(i).padStart(3, '0')}`, spec }));
}

export function group(name: string, minReplicas: number, count: number, spec: V1PodSpec, pack?: PackConstraint): PodGroupInput {
  return { name, minReplicas, pods: podsOf(name, count, spec), ...(pack ? { pack } : {}) };
}

export function gang(name: string, podGroups: PodGroupInput[], pack?: PackConstraint, groupConfigs?: GangInput['groupConfigs']): GangInput {
  return { name, podGroups, ...(pack ? { pack } : {}), ...(groupConfigs ? { groupConfigs } : {}) };
}

export const GPU = 'nvidia.com/gpu';

/** Pod → node of a placed gang's minimum and extras. */
export function nodesOf(plan: { gangs: readonly GangPlan[] }): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of plan.gangs) if (g.status === 'placed') for (const p of [...g.placements, ...g.extras]) out.set(p.pod, p.node);
  return out;
}

/** The values of `key` on the nodes the given pods went to. */
export function domainsUsed(nodes: readonly Node[], placed: ReadonlyMap<string, string>, pods: readonly string[], key: string): Set<string> {
  const labels = new Map(nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  return new Set(pods.map((p) => labels.get(placed.get(p) ?? '')?.[key] ?? `<${p} not placed>`));
}

/** The pod names of a pod group built with `group`. */
export function podNames(pg: PodGroupInput): string[] {
  return pg.pods.map((p) => p.name);
}
