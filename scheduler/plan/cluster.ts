// A read-only index of the cluster for planning: nodes in name order, each node's free capacity
// (allocatable minus what bound pods and other gangs' reservations hold) in one flat typed array, and
// per-label-key domain ids. Built once per snapshot and shared by every plan against it; the memo
// tables below only cache pure functions of the (immutable) nodes.
import { PlanInputError } from './errors.js';
import { nodeRejection, nodeView, type NodeView, type PodSelection } from './node-selection.js';
import { nodeAllocatable, podHoldsResources, podRequests, PODS, type ResourceAmounts } from './resources.js';
import type { Node, Pod } from './kube-types.js';

/** Capacity held on a node by a pod that is planned there but not bound yet (another gang's reservation). */
export interface Reservation {
  readonly nodeName: string;
  /** The pod's requests (podRequests). The pod takes one `pods` slot; a `pods` entry here is ignored. */
  readonly requests: ResourceAmounts;
}

export interface ClusterInput {
  readonly nodes: readonly Node[];
  /** Pods of the cluster; the bound, unfinished ones (podHoldsResources) count against their node. */
  readonly pods?: readonly Pod[];
  /** Reservations of other gangs, not yet bound. A pod must not appear both here and bound in `pods`. */
  readonly reservations?: readonly Reservation[];
}

/** The values of one label key: `ids[node]` indexes `values`, or is -1 when the node lacks the label. */
export interface LabelDomains {
  readonly ids: Int32Array;
  readonly values: readonly string[];
}

/** Which nodes a pod's node-selection rules allow: `reason[node]` is 0 when allowed, else 1 + index into `reasons`. */
export interface Eligibility {
  readonly reason: Uint8Array;
  readonly reasons: readonly string[];
}

/** What never changes for a set of nodes, shared by every index derived from it. */
interface NodeTable {
  readonly names: readonly string[];
  readonly views: readonly NodeView[];
  readonly byName: ReadonlyMap<string, number>;
  readonly resources: readonly string[];
  readonly resourceIds: ReadonlyMap<string, number>;
  readonly maxAllocatable: Float64Array;
  readonly domainMemo: Map<string, LabelDomains>;
  readonly eligibilityMemo: Map<string, Eligibility>;
  readonly all: readonly number[];
}

export class ClusterIndex {
  /** Node names, sorted: a node's position is its id everywhere in the planner. */
  readonly names: readonly string[];
  readonly views: readonly NodeView[];
  /** Resource names; `free` has one column per resource, `pods` among them. */
  readonly resources: readonly string[];
  /** The largest allocatable of each resource on any node, to weigh resources against each other. */
  readonly maxAllocatable: Float64Array;

  private constructor(
    private readonly table: NodeTable,
    /** allocatable − held, row-major [node × resource]; negative when a node is overcommitted. */
    readonly free: Float64Array,
  ) {
    this.names = table.names;
    this.views = table.views;
    this.resources = table.resources;
    this.maxAllocatable = table.maxAllocatable;
  }

  static from(input: ClusterInput): ClusterIndex {
    const nodes = [...input.nodes].sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
    const views = nodes.map(nodeView);
    const names = views.map((v) => v.name);
    const byName = uniqueNames(names);
    const allocatable = nodes.map(nodeAllocatable);
    const held = heldOn(input, byName);
    const resourceSet = new Set<string>([PODS]);
    for (const list of allocatable) for (const r in list) resourceSet.add(r);
    for (const h of held) for (const r in h.requests) resourceSet.add(r);
    const resources = [...resourceSet].sort((a, b) => (a === PODS ? -1 : b === PODS ? 1 : cmp(a, b)));
    const resourceIds = new Map(resources.map((r, i) => [r, i]));
    const width = resources.length;
    const free = new Float64Array(nodes.length * width);
    const maxAllocatable = new Float64Array(width);
    allocatable.forEach((alloc, n) => {
      for (const [r, v] of Object.entries(alloc)) {
        const j = resourceIds.get(r) ?? 0;
        free[n * width + j] = v;
        maxAllocatable[j] = Math.max(maxAllocatable[j] ?? 0, v);
      }
    });
    const all = names.map((_, i) => i);
    const table: NodeTable = { names, views, byName, resources, resourceIds, maxAllocatable, domainMemo: new Map(), eligibilityMemo: new Map(), all };
    const index = new ClusterIndex(table, free);
    index.subtract(held);
    return index;
  }

  get size(): number {
    return this.names.length;
  }

  /** Every node id, ascending. */
  get all(): readonly number[] {
    return this.table.all;
  }

  nodeId(name: string): number | undefined {
    return this.table.byName.get(name);
  }

  resourceId(name: string): number | undefined {
    return this.table.resourceIds.get(name);
  }

  /**
   * The same cluster with more capacity held: what a controller uses after reserving one gang's plan
   * before planning the next. Cheap (one copy of the free-capacity array); this index is unchanged.
   * A resource no node offers is ignored: nothing can be given out of it anyway.
   */
  reserve(reservations: readonly Reservation[]): ClusterIndex {
    const next = new ClusterIndex(this.table, this.free.slice());
    next.subtract(heldOn({ nodes: [], reservations }, this.table.byName));
    return next;
  }

  /** The domains of label `key`, memoised per key. */
  domains(key: string): LabelDomains {
    let d = this.table.domainMemo.get(key);
    if (!d) {
      d = labelDomains(this.views, key);
      this.table.domainMemo.set(key, d);
    }
    return d;
  }

  /** Node-selection verdicts for one pod shape, memoised by the rules' content. */
  eligibility(selection: PodSelection): Eligibility {
    const key = JSON.stringify([selection.nodeSelector ?? null, selection.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null, selection.tolerations ?? null]);
    let e = this.table.eligibilityMemo.get(key);
    if (!e) {
      e = eligibilityOf(this.views, selection);
      this.table.eligibilityMemo.set(key, e);
    }
    return e;
  }

  private subtract(held: readonly Held[]): void {
    const width = this.resources.length;
    const pods = this.table.resourceIds.get(PODS) ?? 0;
    for (const { node, requests } of held) {
      const base = node * width;
      this.free[base + pods] = (this.free[base + pods] ?? 0) - 1;
      for (const r in requests) {
        const j = this.table.resourceIds.get(r);
        if (j === undefined || r === PODS) continue;
        this.free[base + j] = (this.free[base + j] ?? 0) - (requests[r] ?? 0);
      }
    }
  }
}

function labelDomains(views: readonly NodeView[], key: string): LabelDomains {
  const ids = new Int32Array(views.length).fill(-1);
  const values: string[] = [];
  const seen = new Map<string, number>();
  views.forEach((v, n) => {
    const value = v.labels[key];
    if (value === undefined) return;
    let id = seen.get(value);
    if (id === undefined) {
      id = values.push(value) - 1;
      seen.set(value, id);
    }
    ids[n] = id;
  });
  return { ids, values };
}

function eligibilityOf(views: readonly NodeView[], selection: PodSelection): Eligibility {
  const reasons: string[] = [];
  const reason = new Uint8Array(views.length);
  views.forEach((v, n) => {
    const why = nodeRejection(selection, v);
    if (why === undefined) return;
    let i = reasons.indexOf(why);
    if (i < 0) i = reasons.push(why) - 1;
    reason[n] = Math.min(255, i + 1);
  });
  return { reason, reasons };
}

/** One pod's requests on one node. */
interface Held {
  readonly node: number;
  readonly requests: ResourceAmounts;
}

/** What bound pods and reservations hold; each also takes one `pods` slot. */
function heldOn(input: ClusterInput, byName: ReadonlyMap<string, number>): Held[] {
  const out: Held[] = [];
  // A pod on a node outside the snapshot takes nothing the planner can give out.
  (input.pods ?? []).forEach((pod, i) => {
    const node = byName.get(pod.spec?.nodeName ?? '');
    if (node !== undefined && pod.spec && podHoldsResources(pod)) out.push({ node, requests: podRequests(pod.spec, `pods[${i}].spec`) });
  });
  for (const r of input.reservations ?? []) {
    const node = byName.get(r.nodeName);
    if (node !== undefined) out.push({ node, requests: r.requests });
  }
  return out;
}

function uniqueNames(names: readonly string[]): Map<string, number> {
  const byName = new Map<string, number>();
  names.forEach((name, i) => {
    if (!name) throw new PlanInputError('nodes[].metadata.name', 'every node needs a name');
    if (byName.has(name)) throw new PlanInputError('nodes', `node ${name} appears twice`);
    byName.set(name, i);
  });
  return byName;
}

/** Code-point order: stable across locales, so plans do not depend on the host's collation. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function indexCluster(input: ClusterInput): ClusterIndex {
  return ClusterIndex.from(input);
}
