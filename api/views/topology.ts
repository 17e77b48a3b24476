// The live TopologyDomain view: "where is there room". One object per domain at every level of the
// cluster's ClusterTopologyBindings (a zone, a block, a rack, a host): its nodes, their allocatable,
// requested and free CPU, memory and nvidia.com/gpu, the most any single node has free, and the gangs
// with pods on it.
//
// Levels: every binding's levels (bindings by name, levels broadest first), one per level name (the
// first binding that names it decides its label key), plus `host` (kubernetes.io/hostname) when no
// binding has a level on that key, so per-node room is always visible, even with no binding at all.
//
// `free` is room a new pod could use: per node max(0, allocatable − requested), summed over the nodes
// that take pods (Ready, not cordoned). `allocatable` and `requested` cover every node of the domain.

import type { Node, Pod } from '../core/wire.js';
import type { ClusterTopologyBinding } from '../generated/types.js';
import { LABEL_PODGANG } from '../keys.js';
import { naturalCompare } from '../status/podcliqueset.js';
import { LABEL_LEVEL, LIVE_API_VERSION, type ViewObject } from './meta.js';
import { type Amounts, holdsResources, nodeAllocatable, podRequests, quantities, type ViewResource, VIEW_RESOURCES, zeroAmounts } from './quantity.js';

export const KIND_TOPOLOGY_DOMAIN = 'TopologyDomain';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

export interface TopologyLevel {
  /** Level name, e.g. rack. */
  domain: string;
  /** Node label key whose value names the node's domain at this level. */
  key: string;
}

export interface ViewLevel extends TopologyLevel {
  /** ClusterTopologyBindings that have this level (empty for the implicit host level). */
  bindings: string[];
}

/** The levels the topology view reports, broadest first (see the header). */
export function topologyLevels(bindings: readonly ClusterTopologyBinding[]): ViewLevel[] {
  const out: ViewLevel[] = [];
  const sorted = [...bindings].filter((b) => !b.metadata.deletionTimestamp).sort((a, b) => naturalCompare(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const b of sorted) {
    for (const l of b.spec.levels ?? []) {
      const same = out.find((o) => o.domain === l.domain);
      if (same) {
        if (same.key === l.key) same.bindings.push(b.metadata.name ?? '');
        continue;
      }
      if (out.some((o) => o.key === l.key)) continue;
      out.push({ domain: l.domain, key: l.key, bindings: [b.metadata.name ?? ''] });
    }
  }
  if (!out.some((l) => l.key === HOSTNAME_KEY) && !out.some((l) => l.domain === 'host')) out.push({ domain: 'host', key: HOSTNAME_KEY, bindings: [] });
  return out;
}

/** What one node contributes to its domains. */
export interface NodeUsage {
  name: string;
  labels: { [key: string]: string };
  created?: string;
  /** Ready and not cordoned: can take new pods. */
  schedulable: boolean;
  allocatable: Amounts;
  requested: Amounts;
  /** Pods holding resources on the node. */
  pods: number;
  /** `namespace/gang` of every gang with a pod on the node, sorted. */
  gangs: string[];
}

export function isSchedulable(node: Node): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return ready && node.spec?.unschedulable !== true;
}

/**
 * A node's usage from the pods bound to it (others are ignored). `requests` lets the caller reuse the
 * requests of a pod it already parsed (the pods of a node change one at a time).
 */
export function nodeUsage(node: Node, pods: readonly Pod[], requests: (pod: Pod) => Amounts = podRequests): NodeUsage {
  const name = node.metadata?.name ?? '';
  const requested = zeroAmounts();
  const gangs = new Set<string>();
  let count = 0;
  for (const p of pods) {
    if (p.spec?.nodeName !== name || !holdsResources(p)) continue;
    count++;
    const r = requests(p);
    for (const k of VIEW_RESOURCES) requested[k] += r[k];
    const gang = p.metadata?.labels?.[LABEL_PODGANG];
    if (gang) gangs.add(`${p.metadata?.namespace ?? ''}/${gang}`);
  }
  return {
    name,
    labels: node.metadata?.labels ?? {},
    ...(node.metadata?.creationTimestamp ? { created: node.metadata.creationTimestamp } : {}),
    schedulable: isSchedulable(node),
    allocatable: nodeAllocatable(node),
    requested,
    pods: count,
    gangs: [...gangs].sort(naturalCompare),
  };
}

export interface TopologyDomainSpec {
  level: string;
  key: string;
  value: string;
  bindings: string[];
}

export interface TopologyDomainStatus {
  nodes: number;
  schedulableNodes: number;
  allocatable: Record<ViewResource, string>;
  requested: Record<ViewResource, string>;
  free: Record<ViewResource, string>;
  /** The most any one schedulable node has free: what a single pod can get here. */
  largestNodeFree: Record<ViewResource, string>;
  pods: number;
  gangs: string[];
}

export type TopologyDomainView = ViewObject<typeof KIND_TOPOLOGY_DOMAIN, TopologyDomainSpec, TopologyDomainStatus>;

/** `rack.zone-a-block-1-rack-0`: level and value; both are label-safe, so the name is URL-safe. */
export function domainName(level: string, value: string): string {
  return `${level}.${value}`;
}

/** The domain's raw numbers, for table cells (quantities are strings in the object). */
export interface DomainTotals {
  allocatable: Amounts;
  requested: Amounts;
  free: Amounts;
  largestNodeFree: Amounts;
}

export function domainTotals(members: readonly NodeUsage[]): DomainTotals {
  const t: DomainTotals = { allocatable: zeroAmounts(), requested: zeroAmounts(), free: zeroAmounts(), largestNodeFree: zeroAmounts() };
  for (const n of members) {
    for (const k of VIEW_RESOURCES) {
      t.allocatable[k] += n.allocatable[k];
      t.requested[k] += n.requested[k];
      if (!n.schedulable) continue;
      const room = Math.max(0, n.allocatable[k] - n.requested[k]);
      t.free[k] += room;
      t.largestNodeFree[k] = Math.max(t.largestNodeFree[k], room);
    }
  }
  return t;
}

/**
 * One domain: `level` (with its index in `levels`) at `value`, over its member nodes. Labels: the level,
 * and every broader-or-equal level's node label that all members share, so
 * `-l topology.copse.io/block=b1` selects the domains inside block b1.
 */
export function topologyDomainView(levels: readonly ViewLevel[], levelIndex: number, value: string, members: readonly NodeUsage[]): TopologyDomainView {
  const level = levels[levelIndex];
  if (!level) throw new Error(`topology level ${levelIndex} does not exist`);
  const labels: { [key: string]: string } = { [LABEL_LEVEL]: level.domain };
  for (const l of levels.slice(0, levelIndex + 1)) {
    const first = members[0]?.labels[l.key];
    if (first !== undefined && members.every((m) => m.labels[l.key] === first)) labels[l.key] = first;
  }
  // One pass over the members (a zone of a 5,000-node cluster has over a thousand): the earliest
  // creation time, the gangs, and the counts.
  let created: string | undefined;
  let schedulable = 0;
  let pods = 0;
  const gangs = new Set<string>();
  for (const m of members) {
    if (m.created !== undefined && (created === undefined || m.created < created)) created = m.created;
    if (m.schedulable) schedulable++;
    pods += m.pods;
    for (const g of m.gangs) gangs.add(g);
  }
  const t = domainTotals(members);
  return {
    apiVersion: LIVE_API_VERSION,
    kind: KIND_TOPOLOGY_DOMAIN,
    metadata: { name: domainName(level.domain, value), labels, ...(created ? { creationTimestamp: created } : {}) },
    spec: { level: level.domain, key: level.key, value, bindings: [...level.bindings] },
    status: {
      nodes: members.length,
      schedulableNodes: schedulable,
      allocatable: quantities(t.allocatable),
      requested: quantities(t.requested),
      free: quantities(t.free),
      largestNodeFree: quantities(t.largestNodeFree),
      pods,
      gangs: [...gangs].sort(naturalCompare),
    },
  };
}

/** Domain key → member node names, for every level (a node without a level's label is in no domain there). */
export function domainMembers(levels: readonly ViewLevel[], nodes: readonly { name: string; labels: { [key: string]: string } }[]): Map<string, { levelIndex: number; value: string; nodes: string[] }> {
  const out = new Map<string, { levelIndex: number; value: string; nodes: string[] }>();
  levels.forEach((l, levelIndex) => {
    for (const n of nodes) {
      const value = n.labels[l.key];
      if (value === undefined || value === '') continue;
      const key = domainName(l.domain, value);
      const entry = out.get(key);
      if (entry) entry.nodes.push(n.name);
      else out.set(key, { levelIndex, value, nodes: [n.name] });
    }
  });
  return out;
}

/** Every domain from scratch, broadest level first, values in natural order. */
export function topologyDomains(bindings: readonly ClusterTopologyBinding[], nodes: readonly Node[], pods: readonly Pod[]): TopologyDomainView[] {
  const levels = topologyLevels(bindings);
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n) continue;
    const list = byNode.get(n);
    if (list) list.push(p);
    else byNode.set(n, [p]);
  }
  const usage = new Map(nodes.map((n) => [n.metadata?.name ?? '', nodeUsage(n, byNode.get(n.metadata?.name ?? '') ?? [])]));
  const members = domainMembers(levels, [...usage.values()]);
  return [...members.values()]
    .sort((a, b) => a.levelIndex - b.levelIndex || naturalCompare(a.value, b.value))
    .map((m) => topologyDomainView(levels, m.levelIndex, m.value, m.nodes.map((n) => usage.get(n) as NodeUsage)));
}
