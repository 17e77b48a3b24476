// The constraint tree of a planning unit: unit → gangs → group configs → pod groups. Every scope
// carries what the search needs: its pack keys, the pods it still has to place (by shape), and the
// nodes its already-placed pods sit on (which pin its required domain).
import { cmp, type ClusterIndex } from './cluster.js';
import type { GangInput, PackConstraint, PlanUnit, PodGroupInput, PodInput } from './model.js';
import { ShapeTable, type Shape } from './shapes.js';

export type ScopeKind = 'unit' | 'gang' | 'group config' | 'podgroup';

/** Pod counts per shape. Map iteration order is insertion order, which the builders keep stable. */
export type Demand = ReadonlyMap<Shape, number>;

export interface Leaf {
  readonly podGroup: string;
  /** Pods still to place for the minimum, per shape, sorted by name. */
  readonly pending: ReadonlyMap<Shape, readonly string[]>;
  /** Pods beyond the minimum, per shape, sorted by name. */
  readonly extras: ReadonlyMap<Shape, readonly string[]>;
  /** How many pods of the minimum do not exist yet (Grove creates the gang before its pods). */
  readonly absent: number;
  readonly minReplicas: number;
}

/** `count` children of a scope that each need one whole domain of `key` holding `demand`. */
export interface Pack {
  readonly key: string;
  readonly demand: Demand;
  readonly count: number;
  /** One of those children, for messages. */
  readonly example: string;
}

export interface Scope {
  readonly kind: ScopeKind;
  readonly name: string;
  /** "gang x": how messages and DomainChoice name the scope. */
  readonly label: string;
  readonly required?: string;
  /** Never equal to `required`. */
  readonly preferred?: string;
  /** In placement order: constrained scopes first, then the biggest. */
  readonly children: readonly Scope[];
  readonly leaf?: Leaf;
  /** Pods of the minimum still to place in this subtree. */
  readonly demand: Demand;
  /** Pods beyond the minimum in this subtree. */
  readonly extraDemand: Demand;
  /** Node ids of the subtree's already-placed pods. */
  readonly placed: readonly number[];
  /** True when this scope or a descendant has a required pack. */
  readonly constrained: boolean;
  /** The children with a required key of their own, grouped by key and identical demand. */
  readonly packs: readonly Pack[];
}

export function demandTotal(d: Demand): number {
  let t = 0;
  for (const v of d.values()) t += v;
  return t;
}

function demandWeight(d: Demand): number {
  let w = 0;
  for (const [s, v] of d) w += s.weight * v;
  return w;
}

function mergeDemand(parts: readonly Demand[]): Map<Shape, number> {
  const out = new Map<Shape, number>();
  for (const p of parts) for (const [s, v] of p) out.set(s, (out.get(s) ?? 0) + v);
  return out;
}

function countDemand(pods: ReadonlyMap<Shape, readonly string[]>): Map<Shape, number> {
  return new Map([...pods].map(([s, names]) => [s, names.length]));
}

// Constrained scopes first (a host-packed group placed after a big free-form one finds no whole host
// left), then first-fit decreasing by size; names break ties so the plan is deterministic. (Ordering
// the narrowest level first, hosts before racks, measured worse: rack-packed groups then find no rack.)
function placementOrder(a: Scope, b: Scope): number {
  if (a.constrained !== b.constrained) return a.constrained ? -1 : 1;
  const dw = demandWeight(b.demand) - demandWeight(a.demand);
  return dw !== 0 ? dw : cmp(a.name, b.name);
}

function packsOf(children: readonly Scope[]): Pack[] {
  const byKey = new Map<string, Pack>();
  for (const c of children) {
    if (c.required === undefined || c.demand.size === 0) continue;
    const sig = `${c.required} ${[...c.demand].map(([s, v]) => `${s.id}:${v}`).join(',')}`;
    const p = byKey.get(sig);
    byKey.set(sig, p ? { ...p, count: p.count + 1 } : { key: c.required, demand: c.demand, count: 1, example: c.label });
  }
  return [...byKey.values()];
}

function packOf(pack: PackConstraint | undefined): Pick<Scope, 'required' | 'preferred'> {
  const required = pack?.required || undefined;
  const preferred = pack?.preferred && pack.preferred !== required ? pack.preferred : undefined;
  return { required, preferred };
}

interface Parts {
  readonly leaf?: Leaf;
  readonly placed?: readonly number[];
}

function scope(kind: ScopeKind, name: string, pack: PackConstraint | undefined, children: Scope[], parts: Parts = {}): Scope {
  const { leaf } = parts;
  const { required, preferred } = packOf(pack);
  const demands = leaf ? [countDemand(leaf.pending)] : children.map((c) => c.demand);
  return {
    kind,
    name,
    label: `${kind} ${name}`,
    required,
    preferred,
    children,
    leaf,
    demand: mergeDemand(demands),
    extraDemand: leaf ? countDemand(leaf.extras) : mergeDemand(children.map((c) => c.extraDemand)),
    placed: leaf ? (parts.placed ?? []) : children.flatMap((c) => c.placed),
    constrained: required !== undefined || children.some((c) => c.constrained),
    packs: packsOf(children),
  };
}

function byShape(pods: readonly PodInput[], shapes: ShapeTable, field: string): Map<Shape, string[]> {
  const out = new Map<Shape, string[]>();
  pods.forEach((p, k) => {
    const s = shapes.shapeOf(p.spec, `${field}.pods[${k}].spec`);
    const list = out.get(s);
    if (list) list.push(p.name);
    else out.set(s, [p.name]);
  });
  return out;
}

function leafScope(pg: PodGroupInput, shapes: ShapeTable, cluster: ClusterIndex, field: string): Scope {
  const sorted = [...pg.pods].sort((a, b) => cmp(a.name, b.name));
  const placedPods = sorted.filter((p) => p.nodeName);
  const free = sorted.filter((p) => !p.nodeName);
  // Placed pods count toward the minimum first; the rest of the minimum is taken in name order.
  const stillNeeded = Math.max(0, pg.minReplicas - placedPods.length);
  const pendingPods = free.slice(0, stillNeeded);
  const leaf: Leaf = {
    podGroup: pg.name,
    pending: byShape(pendingPods, shapes, field),
    extras: byShape(free.slice(stillNeeded), shapes, field),
    absent: stillNeeded - pendingPods.length,
    minReplicas: pg.minReplicas,
  };
  // A pod placed on a node outside the snapshot still counts toward the minimum but pins nothing.
  const placed = placedPods.flatMap((p) => {
    const id = cluster.nodeId(p.nodeName ?? '');
    return id === undefined ? [] : [id];
  });
  return scope('podgroup', pg.name, pg.pack, [], { leaf, placed });
}

function gangScope(gang: GangInput, shapes: ShapeTable, cluster: ClusterIndex, field: string): Scope {
  const leaves = new Map(gang.podGroups.map((pg, j) => [pg.name, leafScope(pg, shapes, cluster, `${field}.podGroups[${j}]`)]));
  const grouped = new Set<string>();
  const configs = (gang.groupConfigs ?? []).map((gc) => {
    gc.podGroupNames.forEach((n) => grouped.add(n));
    const members = gc.podGroupNames.flatMap((n) => leaves.get(n) ?? []).sort(placementOrder);
    return scope('group config', gc.name, gc.pack, members);
  });
  const loose = [...leaves.values()].filter((l) => !grouped.has(l.name));
  return scope('gang', gang.name, gang.pack, [...configs, ...loose].sort(placementOrder));
}

/** The unit's scope tree. Gangs keep their input order: it is their priority. */
export function buildTree(unit: PlanUnit, cluster: ClusterIndex): Scope {
  const shapes = new ShapeTable(cluster);
  const gangs = unit.gangs.map((g, i) => gangScope(g, shapes, cluster, `unit.gangs[${i}]`));
  return scope('unit', unit.name, unit.pack, gangs);
}

/** Every leaf of a scope, depth first in placement order. */
export function leavesOf(s: Scope): Scope[] {
  return s.leaf ? [s] : s.children.flatMap(leavesOf);
}
