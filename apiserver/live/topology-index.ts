// Incremental bookkeeping behind the TopologyDomain view, so a change costs what it touches rather
// than a pass over every node: each node's usage (api/views nodeUsage) is recomputed only when the
// node or a pod bound to it changes, and only the domains of nodes whose usage or labels actually
// changed are marked dirty. A domain object is then rebuilt from its members' cached usage. Levels
// (from the ClusterTopologyBindings) changing rebuilds everything.
import type { Node, Pod } from '../../api/core/wire.js';
import type { ClusterTopologyBinding } from '../../api/generated/types.js';
import {
  type Amounts,
  domainName,
  type NodeUsage,
  nodeUsage,
  podRequests,
  topologyDomainView,
  type TopologyDomainView,
  topologyLevels,
  type ViewLevel,
} from '../../api/views/index.js';
import { jsonEqual } from '../../api/json.js';

export interface TopologySources {
  nodes: () => Iterable<Node>;
  node: (name: string) => Node | undefined;
  podsOnNode: (name: string) => readonly Pod[];
  bindings: () => readonly ClusterTopologyBinding[];
}

interface DomainRef {
  key: string;
  levelIndex: number;
  value: string;
}

interface Member {
  usage: NodeUsage;
  /** The domains the node belongs to, one per level it has a label for. */
  domains: DomainRef[];
}

// Pods are replaced (not mutated) by the informer on every update, so their parsed requests can be
// cached by identity and collected with them.
const requestsCache = new WeakMap<Pod, Amounts>();
function cachedRequests(p: Pod): Amounts {
  let r = requestsCache.get(p);
  if (!r) requestsCache.set(p, (r = podRequests(p)));
  return r;
}

export class TopologyIndex {
  private levels: ViewLevel[] = [];
  private readonly members = new Map<string, Member>();
  /** domain key → level index, value and member node names */
  private readonly domains = new Map<string, { levelIndex: number; value: string; nodes: Set<string> }>();

  constructor(private readonly sources: TopologySources) {}

  get viewLevels(): readonly ViewLevel[] {
    return this.levels;
  }

  /** Recompute levels and every node; returns whether the levels changed. */
  rebuild(): boolean {
    const levels = topologyLevels(this.sources.bindings());
    const changed = !jsonEqual(levels, this.levels);
    this.levels = levels;
    this.members.clear();
    this.domains.clear();
    for (const n of this.sources.nodes()) this.refreshNode(n.metadata?.name ?? '');
    return changed;
  }

  /** Whether the levels the bindings define now differ from the ones indexed. */
  levelsChanged(): boolean {
    return !jsonEqual(topologyLevels(this.sources.bindings()), this.levels);
  }

  private domainsOf(labels: { [key: string]: string }): DomainRef[] {
    const out: DomainRef[] = [];
    this.levels.forEach((l, levelIndex) => {
      const value = labels[l.key];
      if (value !== undefined && value !== '') out.push({ key: domainName(l.domain, value), levelIndex, value });
    });
    return out;
  }

  /**
   * Re-read one node and its pods; returns the domain keys whose objects may have changed (empty when
   * nothing the view shows did). A node that no longer exists leaves its domains.
   */
  refreshNode(name: string): string[] {
    const old = this.members.get(name);
    const node = name ? this.sources.node(name) : undefined;
    if (!node) {
      if (!old) return [];
      this.members.delete(name);
      for (const d of old.domains) this.leave(d.key, name);
      return old.domains.map((d) => d.key);
    }
    const usage = nodeUsage(node, this.sources.podsOnNode(name), cachedRequests);
    const domains = this.domainsOf(usage.labels);
    if (old && jsonEqual(old.usage, usage) && jsonEqual(old.domains, domains)) return [];
    this.members.set(name, { usage, domains });
    const now = new Set(domains.map((d) => d.key));
    for (const d of old?.domains ?? []) if (!now.has(d.key)) this.leave(d.key, name);
    for (const d of domains) this.join(d, name);
    return [...new Set([...(old?.domains ?? []).map((d) => d.key), ...now])];
  }

  private join(d: DomainRef, node: string): void {
    let entry = this.domains.get(d.key);
    if (!entry) this.domains.set(d.key, (entry = { levelIndex: d.levelIndex, value: d.value, nodes: new Set() }));
    entry.nodes.add(node);
  }

  private leave(key: string, node: string): void {
    const entry = this.domains.get(key);
    if (!entry) return;
    entry.nodes.delete(node);
    if (entry.nodes.size === 0) this.domains.delete(key);
  }

  keys(): Iterable<string> {
    return this.domains.keys();
  }

  /** Level index and value of a domain key, for ordering. */
  position(key: string): { levelIndex: number; value: string } | undefined {
    return this.domains.get(key);
  }

  view(key: string): TopologyDomainView | undefined {
    const entry = this.domains.get(key);
    if (!entry) return undefined;
    const members: NodeUsage[] = [];
    for (const n of entry.nodes) {
      const m = this.members.get(n);
      if (m) members.push(m.usage);
    }
    return topologyDomainView(this.levels, entry.levelIndex, entry.value, members);
  }
}
