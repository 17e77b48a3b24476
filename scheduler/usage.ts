// What every node holds, kept up to date from the pod and node informers one event at a time, so the
// extender answers a filter call over thousands of nodes without re-adding every pod: allocatable,
// the requests of bound pods, and the requests of reservations (pods copse planned onto the node that
// kube-scheduler has not bound yet). No I/O.
import type { Node, Pod } from '../api/core/wire.js';
import { nodeAllocatable, podHoldsResources, podRequests, type ResourceAmounts } from './plan/index.js';
import { isReserved, plannedNode } from './placement-gate.js';

type Amounts = Record<string, number>;

interface Contribution {
  node: string;
  reserved: boolean;
  requests: ResourceAmounts;
}

function add(target: Map<string, Amounts>, node: string, req: ResourceAmounts, sign: 1 | -1): void {
  let sums = target.get(node);
  if (!sums) target.set(node, (sums = {}));
  for (const [r, v] of Object.entries(req)) sums[r] = (sums[r] ?? 0) + sign * v;
  // Every pod takes a slot of the node's `pods` allocatable.
  sums['pods'] = (sums['pods'] ?? 0) + sign;
}

function sameAmounts(a: ResourceAmounts, b: ResourceAmounts): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * One change to the index, as plain data: what the informers' events and the planner's own writes
 * come down to. The extender's thread keeps a copy of the index fed with these (extender-thread.ts).
 */
export type UsageOp =
  | { op: 'node'; name: string; allocatable: ResourceAmounts }
  | { op: 'removeNode'; name: string }
  | { op: 'pod'; key: string; node: string; reserved: boolean; requests: ResourceAmounts }
  | { op: 'removePod'; key: string };

export class NodeUsage {
  private readonly allocatable = new Map<string, ResourceAmounts>();
  private readonly bound = new Map<string, Amounts>();
  private readonly reserved = new Map<string, Amounts>();
  private readonly pods = new Map<string, Contribution>();

  private readonly mirrors = new Set<(op: UsageOp) => void>();

  /**
   * Keep `mirror` a copy of this index: it gets the changes that rebuild the index now, then every
   * change in order as it is applied here. Returns the function that stops it.
   */
  mirrorTo(mirror: (op: UsageOp) => void): () => void {
    for (const op of this.snapshot()) mirror(op);
    this.mirrors.add(mirror);
    return () => void this.mirrors.delete(mirror);
  }

  setNode(node: Node): void {
    const name = node.metadata?.name;
    if (name) this.apply({ op: 'node', name, allocatable: nodeAllocatable(node) });
  }

  removeNode(name: string): void {
    this.apply({ op: 'removeNode', name });
  }

  hasNode(name: string): boolean {
    return this.allocatable.has(name);
  }

  /** Record the pod's current state (bound, reserved, or neither). */
  setPod(pod: Pod): void {
    const key = podKey(pod);
    let node: string | undefined;
    let reserved = false;
    if (podHoldsResources(pod)) node = pod.spec?.nodeName;
    else if (isReserved(pod)) {
      node = plannedNode(pod);
      reserved = true;
    }
    if (!node || !pod.spec) {
      if (this.pods.has(key)) this.apply({ op: 'removePod', key });
      return;
    }
    const requests = podRequests(pod.spec);
    const had = this.pods.get(key);
    // Most pod events (status, conditions) change nothing here.
    if (had && had.node === node && had.reserved === reserved && sameAmounts(had.requests, requests)) return;
    this.apply({ op: 'pod', key, node, reserved, requests });
  }

  removePod(key: string): void {
    if (this.pods.has(key)) this.apply({ op: 'removePod', key });
  }

  /** Apply one change (a mirror's copy is fed through here). */
  apply(op: UsageOp): void {
    switch (op.op) {
      case 'node':
        this.allocatable.set(op.name, op.allocatable);
        break;
      case 'removeNode':
        this.allocatable.delete(op.name);
        break;
      case 'pod':
        this.dropPod(op.key);
        this.pods.set(op.key, { node: op.node, reserved: op.reserved, requests: op.requests });
        add(op.reserved ? this.reserved : this.bound, op.node, op.requests, 1);
        break;
      case 'removePod':
        this.dropPod(op.key);
        break;
    }
    for (const m of this.mirrors) m(op);
  }

  /** The whole index as changes that rebuild it from empty. */
  private snapshot(): UsageOp[] {
    const nodes = [...this.allocatable].map(([name, allocatable]): UsageOp => ({ op: 'node', name, allocatable }));
    const pods = [...this.pods].map(([key, c]): UsageOp => ({ op: 'pod', key, node: c.node, reserved: c.reserved, requests: c.requests }));
    return [...nodes, ...pods];
  }

  private dropPod(key: string): void {
    const c = this.pods.get(key);
    if (!c) return;
    this.pods.delete(key);
    add(c.reserved ? this.reserved : this.bound, c.node, c.requests, -1);
  }

  /** The node's free amount of `resource`, reservations counted as taken. */
  free(node: string, resource: string): number {
    const alloc = this.allocatable.get(node)?.[resource] ?? 0;
    return alloc - (this.bound.get(node)?.[resource] ?? 0) - (this.reserved.get(node)?.[resource] ?? 0);
  }

  /** Reserved amount of `resource` on the node (tests, views). */
  reservedOn(node: string, resource: string): number {
    return this.reserved.get(node)?.[resource] ?? 0;
  }

  /**
   * For each of `nodes`, in order, the first resource of `requests` it cannot give once reservations are
   * held back, with the amounts, to `each` (undefined: it fits). A pod's own reservation (`own`) is not
   * held against it. The extender's filter runs this over thousands of names per call, so what does not
   * depend on the node is worked out once.
   */
  shortfalls(nodes: readonly string[], requests: ResourceAmounts, own: string | undefined, each: (node: string, short: Shortfall | undefined) => void): void {
    const needs = Object.entries({ ...requests, pods: 1 }).filter(([, needed]) => needed > 0);
    const mine = own ? this.pods.get(own) : undefined;
    const credited = mine?.reserved ? mine : undefined;
    for (const node of nodes) each(node, this.firstShort(node, needs, credited?.node === node ? credited.requests : undefined));
  }

  /** The first of `needs` the node lacks, `credit` (the pod's own reservation there) given back. */
  private firstShort(node: string, needs: readonly [string, number][], credit: ResourceAmounts | undefined): Shortfall | undefined {
    const alloc = this.allocatable.get(node);
    const bound = this.bound.get(node);
    const reserved = this.reserved.get(node);
    for (const [resource, needed] of needs) {
      const back = credit ? (resource === 'pods' ? 1 : (credit[resource] ?? 0)) : 0;
      const free = (alloc?.[resource] ?? 0) - (bound?.[resource] ?? 0) - (reserved?.[resource] ?? 0) + back;
      if (needed > free) return { resource, needed, free };
    }
    return undefined;
  }
}

export interface Shortfall {
  resource: string;
  needed: number;
  free: number;
}
