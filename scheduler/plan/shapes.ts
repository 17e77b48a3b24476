// Pods of one pod group are stamped from one template, so a 1,000-pod gang usually has a handful of
// distinct (requests, node-selection) pairs. The planner works on these shapes: node eligibility and
// per-node fit are computed once per shape instead of once per pod.
import type { ClusterIndex, Eligibility } from './cluster.js';
import type { PodSelection } from './node-selection.js';
import { podRequests, PODS, type ResourceAmounts } from './resources.js';
import type { V1PodSpec } from './kube-types.js';

export interface Shape {
  readonly id: number;
  /** Per-pod demand in the cluster's resource columns, `pods` = 1. */
  readonly demand: Float64Array;
  /** The columns with non-zero demand: the only ones that can refuse a node. */
  readonly columns: Int32Array;
  readonly eligibility: Eligibility;
  /** The pod's requests as kube-scheduler counts them (without the pods slot), for messages. */
  readonly requests: ResourceAmounts;
  /** A requested resource that no node offers: the shape fits nowhere. */
  readonly missing?: string;
  /** Size relative to the largest node, summed over resources: orders big pods first. */
  readonly weight: number;
}

/** Interns shapes for one plan. */
export class ShapeTable {
  private readonly byKey = new Map<string, Shape>();
  // Pods stamped from one template object share it; informer copies do not, and take the keyed path.
  private readonly bySpec = new WeakMap<V1PodSpec, Shape>();
  private readonly requestMemo = new Map<string, ResourceAmounts>();

  constructor(private readonly cluster: ClusterIndex) {}

  shapeOf(spec: V1PodSpec, field: string): Shape {
    const known = this.bySpec.get(spec);
    if (known) return known;
    const requests = this.requestsOf(spec, field);
    const selection: PodSelection = { nodeSelector: spec.nodeSelector, affinity: spec.affinity, tolerations: spec.tolerations };
    const key = JSON.stringify([Object.entries(requests).sort(), selection.nodeSelector ?? null, selection.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null, selection.tolerations ?? null]);
    let shape = this.byKey.get(key);
    if (!shape) {
      shape = this.build(this.byKey.size, requests, selection);
      this.byKey.set(key, shape);
    }
    this.bySpec.set(spec, shape);
    return shape;
  }

  // Only the resource fields decide requests; keying on them skips re-parsing identical templates.
  private requestsOf(spec: V1PodSpec, field: string): ResourceAmounts {
    const key = JSON.stringify([
      (spec.containers ?? []).map((c) => c.resources ?? null),
      (spec.initContainers ?? []).map((c) => [c.resources ?? null, c.restartPolicy ?? null]),
      spec.overhead ?? null,
      spec.resources ?? null,
    ]);
    let r = this.requestMemo.get(key);
    if (!r) {
      r = podRequests(spec, field);
      this.requestMemo.set(key, r);
    }
    return r;
  }

  private build(id: number, requests: ResourceAmounts, selection: PodSelection): Shape {
    const width = this.cluster.resources.length;
    const demand = new Float64Array(width);
    demand[this.cluster.resourceId(PODS) ?? 0] = 1;
    let missing: string | undefined;
    for (const [r, v] of Object.entries(requests)) {
      if (v <= 0) continue;
      const j = this.cluster.resourceId(r);
      if (j === undefined) missing ??= r;
      else demand[j] = v;
    }
    const cols: number[] = [];
    demand.forEach((v, j) => {
      if (v > 0) cols.push(j);
    });
    const columns = Int32Array.from(cols);
    let weight = 0;
    for (const j of columns) weight += (demand[j] ?? 0) / Math.max(1, this.cluster.maxAllocatable[j] ?? 0);
    return { id, demand, columns, eligibility: this.cluster.eligibility(selection), requests, missing, weight };
  }
}
