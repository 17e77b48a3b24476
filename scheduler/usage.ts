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

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export class NodeUsage {
  private readonly allocatable = new Map<string, ResourceAmounts>();
  private readonly bound = new Map<string, Amounts>();
  private readonly reserved = new Map<string, Amounts>();
  private readonly pods = new Map<string, Contribution>();

  setNode(node: Node): void {
    const name = node.metadata?.name;
    if (name) this.allocatable.set(name, nodeAllocatable(node));
  }

  removeNode(name: string): void {
    this.allocatable.delete(name);
  }

  hasNode(name: string): boolean {
    return this.allocatable.has(name);
  }

  /** Record the pod's current state (bound, reserved, or neither). */
  setPod(pod: Pod): void {
    const key = podKey(pod);
    this.removePod(key);
    let node: string | undefined;
    let reserved = false;
    if (podHoldsResources(pod)) node = pod.spec?.nodeName;
    else if (isReserved(pod)) {
      node = plannedNode(pod);
      reserved = true;
    }
    if (!node || !pod.spec) return;
    const requests = podRequests(pod.spec);
    this.pods.set(key, { node, reserved, requests });
    add(reserved ? this.reserved : this.bound, node, requests, 1);
  }

  removePod(key: string): void {
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
   * The first resource of `requests` the node cannot give once reservations are held back, with the
   * amounts; undefined when it fits. A pod's own reservation (`own`) is not held against it.
   */
  shortfall(node: string, requests: ResourceAmounts, own?: string): { resource: string; needed: number; free: number } | undefined {
    const mine = own ? this.pods.get(own) : undefined;
    const credit = mine?.reserved && mine.node === node ? mine.requests : undefined;
    for (const [resource, needed] of Object.entries({ ...requests, pods: 1 })) {
      if (needed <= 0) continue;
      const free = this.free(node, resource) + (credit ? (resource === 'pods' ? 1 : (credit[resource] ?? 0)) : 0);
      if (needed > free) return { resource, needed, free };
    }
    return undefined;
  }
}
