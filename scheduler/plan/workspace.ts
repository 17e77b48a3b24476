// The mutable state of one plan: free capacity as pods are tentatively placed, and an undo log so a
// failed attempt (a domain that turned out too fragmented, a gang that did not fit) leaves no trace.
import type { ClusterIndex } from './cluster.js';
import type { Shape } from './shapes.js';
import type { Scope } from './tree.js';

/** Nodes sharing one value of a label key, within the candidate set it was cut from. */
export interface Domain {
  readonly key: string;
  readonly value: string;
  /** Node ids, ascending (name order). */
  readonly nodes: readonly number[];
}

export type Entry =
  | { readonly kind: 'pods'; readonly leaf: Scope; readonly shape: Shape; readonly node: number; readonly count: number; readonly extra: boolean }
  | { readonly kind: 'domain'; readonly scope: Scope; readonly domain: Domain; readonly required: boolean };

/**
 * Per-domain sums indexed directly by domain id (a key has at most one value per node, so ids stay
 * below the node count), reused across calls: only the entries a pass touches are reset. Avoids a Map
 * per pass on the hottest path, a pod group choosing among the hosts or racks of its parent's domain.
 */
export class DomainSums {
  readonly cap: Float64Array;
  readonly gravity: Float64Array;
  readonly touched: number[] = [];
  private readonly stamp: Int32Array;
  private epoch = 0;

  constructor(size: number) {
    this.cap = new Float64Array(size);
    this.gravity = new Float64Array(size);
    this.stamp = new Int32Array(size);
  }

  begin(): void {
    this.epoch += 1;
    this.touched.length = 0;
  }

  add(id: number, cap: number, gravity: number): void {
    if (this.stamp[id] !== this.epoch) {
      this.stamp[id] = this.epoch;
      this.cap[id] = 0;
      this.gravity[id] = 0;
      this.touched.push(id);
    }
    this.cap[id] = (this.cap[id] ?? 0) + cap;
    this.gravity[id] = (this.gravity[id] ?? 0) + gravity;
  }
}

export class Workspace {
  readonly free: Float64Array;
  readonly sums: DomainSums;
  /** Pods of the unit on each node, already placed or planned: draws the unit's pods together. */
  readonly unitPods: Int32Array;
  readonly log: Entry[] = [];
  private readonly width: number;

  constructor(
    readonly cluster: ClusterIndex,
    placed: readonly number[],
  ) {
    this.free = cluster.free.slice();
    this.width = cluster.resources.length;
    this.unitPods = new Int32Array(cluster.size);
    this.sums = new DomainSums(cluster.size);
    for (const n of placed) this.unitPods[n] = (this.unitPods[n] ?? 0) + 1;
  }

  /** How many more pods of `shape` node `n` takes. */
  fit(shape: Shape, n: number): number {
    if (shape.missing !== undefined || shape.eligibility.reason[n] !== 0) return 0;
    let k = Number.POSITIVE_INFINITY;
    const base = n * this.width;
    for (const j of shape.columns) {
      const f = this.free[base + j] ?? 0;
      const d = shape.demand[j] ?? 1;
      let c = Math.floor(f / d);
      if (c * d > f) c -= 1; // guard the division against rounding up near an integer
      if (c <= 0) return 0;
      if (c < k) k = c;
    }
    return k === Number.POSITIVE_INFINITY ? 0 : k;
  }

  take(leaf: Scope, shape: Shape, node: number, count: number, extra: boolean): void {
    this.adjust(shape, node, -count);
    this.log.push({ kind: 'pods', leaf, shape, node, count, extra });
  }

  choose(scope: Scope, domain: Domain, required: boolean): void {
    this.log.push({ kind: 'domain', scope, domain, required });
  }

  /** The required domain chosen for `scope` so far, if any. */
  chosen(scope: Scope): Domain | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i];
      if (e?.kind === 'domain' && e.required && e.scope === scope) return e.domain;
    }
    return undefined;
  }

  mark(): number {
    return this.log.length;
  }

  undo(mark: number): void {
    while (this.log.length > mark) {
      const e = this.log.pop();
      if (e?.kind === 'pods') this.adjust(e.shape, e.node, e.count);
    }
  }

  private adjust(shape: Shape, node: number, count: number): void {
    const base = node * this.width;
    for (const j of shape.columns) this.free[base + j] = (this.free[base + j] ?? 0) + count * (shape.demand[j] ?? 0);
    this.unitPods[node] = (this.unitPods[node] ?? 0) - count;
  }
}
