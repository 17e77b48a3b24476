// The planner's entry points. planUnit is pure: the same unit and cluster index give the same plan.
import type { ClusterIndex, Reservation } from './cluster.js';
import type { DomainChoice, GangInput, GangPlan, PlanUnit, PodPlacement, SpreadConstraint, UnitPlan } from './model.js';
import { levelName, type Failure } from './reasons.js';
import { podRequests } from './resources.js';
import type { Shape } from './shapes.js';
import { buildTree, type Scope } from './tree.js';
import { betterOutcomes, PLACED, UnitPlanner, type Outcome } from './unit.js';
import { validateUnit } from './validate.js';
import { Workspace } from './workspace.js';

interface Attempt {
  readonly ws: Workspace;
  readonly outs: readonly Outcome[];
}

function attempt(cluster: ClusterIndex, root: Scope, nodes: readonly number[], extras: boolean): Attempt {
  const ws = new Workspace(cluster, root.placed);
  const planner = new UnitPlanner(ws);
  const outs = planner.placeUnit(root, nodes);
  // Every gang's minimum comes before any pod beyond one (Grove's order, GS6-GS8): while a gang of
  // the unit waits for room, the unit's extras wait too rather than take the room it needs.
  if (extras && outs.every((o) => o === PLACED)) planner.placeExtras(root, nodes, outs);
  return { ws, outs };
}

export interface PlanOptions {
  /** Plan the pods beyond each gang's minimum too (default true); false leaves them in unplacedExtras. */
  readonly extras?: boolean;
}

/** The nodes a unit may use without touching its siblings' domains of the spread key. */
function spreadNodes(cluster: ClusterIndex, spread: SpreadConstraint): number[] {
  const { ids, values } = cluster.domains(spread.key);
  const used = new Set(spread.usedDomains);
  const out: number[] = [];
  for (let n = 0; n < cluster.size; n++) {
    const id = ids[n] ?? -1;
    // Without the label a node is in no domain: harmless for a preference, never a candidate when required.
    if (id < 0 ? !spread.required : !used.has(values[id] ?? '')) out.push(n);
  }
  return out;
}

function spreadNote(spread: SpreadConstraint): string {
  if (spread.usedDomains.length === 0) return '';
  const level = levelName(spread.key);
  return ` (required spread: ${level}s ${[...spread.usedDomains].sort().join(', ')} are used by sibling replicas)`;
}

interface Assignments {
  readonly min: number[];
  readonly extra: number[];
}

function assignmentsByLeaf(ws: Workspace): Map<Scope, Map<Shape, Assignments>> {
  const out = new Map<Scope, Map<Shape, Assignments>>();
  for (const e of ws.log) {
    if (e.kind !== 'pods') continue;
    let byShape = out.get(e.leaf);
    if (!byShape) out.set(e.leaf, (byShape = new Map()));
    let a = byShape.get(e.shape);
    if (!a) byShape.set(e.shape, (a = { min: [], extra: [] }));
    const list = e.extra ? a.extra : a.min;
    for (let i = 0; i < e.count; i++) list.push(e.node);
  }
  return out;
}

function subtree(s: Scope): Scope[] {
  return [s, ...s.children.flatMap(subtree)];
}

// Pods sorted by name take the planned nodes in name order: stable, and easy to read back.
function zip(names: readonly string[], nodes: number[], podGroup: string, ws: Workspace): PodPlacement[] {
  nodes.sort((a, b) => a - b);
  return nodes.map((n, i) => ({ pod: names[i] ?? '', podGroup, node: ws.cluster.names[n] ?? '' }));
}

function placedGang(gang: Scope, ws: Workspace, byLeaf: Map<Scope, Map<Shape, Assignments>>): GangPlan {
  const placements: PodPlacement[] = [];
  const extras: PodPlacement[] = [];
  const unplacedExtras: string[] = [];
  const scopes = subtree(gang);
  for (const s of scopes) {
    if (!s.leaf) continue;
    const mine = byLeaf.get(s);
    for (const [shape, names] of s.leaf.pending) placements.push(...zip(names, mine?.get(shape)?.min ?? [], s.leaf.podGroup, ws));
    for (const [shape, names] of s.leaf.extras) {
      const got = zip(names, mine?.get(shape)?.extra ?? [], s.leaf.podGroup, ws);
      extras.push(...got);
      unplacedExtras.push(...names.slice(got.length));
    }
  }
  const inGang = new Set(scopes);
  const domains = ws.log.flatMap((e): DomainChoice[] =>
    e.kind === 'domain' && inGang.has(e.scope) ? [{ scope: e.scope.label, key: e.domain.key, value: e.domain.value, required: e.required }] : [],
  );
  return { gang: gang.name, status: 'placed', placements, extras, unplacedExtras, domains };
}

function unschedulable(gang: Scope, f: Failure, note: string): GangPlan {
  return { gang: gang.name, status: 'unschedulable', reason: f.message + note, ...(f.shortfall ? { shortfall: f.shortfall } : {}) };
}

function assemble(unit: PlanUnit, root: Scope, a: Attempt, spreadSatisfied: boolean | undefined): UnitPlan {
  const byLeaf = assignmentsByLeaf(a.ws);
  const note = unit.spread?.required ? spreadNote(unit.spread) : '';
  const gangs = root.children.map((g, i) => {
    const o = a.outs[i];
    return o === PLACED || o === undefined ? placedGang(g, a.ws, byLeaf) : unschedulable(g, o, note);
  });
  const rootDomain = a.ws.log.find((e) => e.kind === 'domain' && e.scope === root);
  const domain: DomainChoice | undefined =
    rootDomain?.kind === 'domain' ? { scope: root.label, key: rootDomain.domain.key, value: rootDomain.domain.value, required: rootDomain.required } : undefined;
  return { unit: unit.name, gangs, ...(domain ? { domain } : {}), ...(spreadSatisfied === undefined ? {} : { spreadSatisfied }) };
}

/**
 * Plans one unit against a cluster snapshot: a node for every pod of each gang's minimum (all or
 * nothing per gang), best-effort nodes for the pods beyond it, or the reason a gang does not fit.
 * Throws PlanInputError for malformed input; capacity problems are reported in the plan.
 */
export function planUnit(unit: PlanUnit, cluster: ClusterIndex, opts: PlanOptions = {}): UnitPlan {
  validateUnit(unit);
  const extras = opts.extras ?? true;
  const root = buildTree(unit, cluster);
  const all = cluster.all;
  const spread = unit.spread;
  if (!spread) return assemble(unit, root, attempt(cluster, root, all, extras), undefined);
  const apart = attempt(cluster, root, spreadNodes(cluster, spread), extras);
  if (spread.required || apart.outs.every((o) => o === PLACED)) return assemble(unit, root, apart, true);
  const anywhere = attempt(cluster, root, all, extras);
  // When neither places anything, the reasons from the whole cluster are the ones to act on.
  const noneApart = apart.outs.every((o) => o !== PLACED);
  return noneApart || betterOutcomes(anywhere.outs, apart.outs) ? assemble(unit, root, anywhere, false) : assemble(unit, root, apart, true);
}

/** Plans a single gang on its own (a unit of one). */
export function planGang(gang: GangInput, cluster: ClusterIndex): GangPlan {
  const plan = planUnit({ name: gang.name, gangs: [gang] }, cluster);
  const g = plan.gangs[0];
  if (!g) throw new Error('planUnit returned no plan for the gang');
  return g;
}

/**
 * The reservations a plan makes: one per placed pod (minimum and extras), with the pod's requests. A
 * controller hands them to ClusterIndex.reserve before planning the next unit against the same
 * snapshot, and keeps them until the pods are bound.
 */
export function planReservations(unit: PlanUnit, plan: UnitPlan): Reservation[] {
  const specs = new Map(unit.gangs.flatMap((g) => g.podGroups.flatMap((pg) => pg.pods.map((p) => [p.name, p.spec] as const))));
  return plan.gangs.flatMap((g) =>
    g.status !== 'placed'
      ? []
      : [...g.placements, ...g.extras].map((p) => {
          const spec = specs.get(p.pod);
          return { nodeName: p.node, requests: spec ? podRequests(spec) : {} };
        }),
  );
}

/**
 * `unit` with the pods `plan` placed (each gang's minimum) pinned to their planned nodes, so that a
 * second planUnit against a snapshot holding `plan`'s reservations places only the pods beyond the
 * minimums.
 */
export function pinPlanned(unit: PlanUnit, plan: UnitPlan): PlanUnit {
  const at = new Map(plan.gangs.flatMap((g) => (g.status === 'placed' ? g.placements.map((p) => [p.pod, p.node] as const) : [])));
  const gangs = unit.gangs.map((g) => ({
    ...g,
    podGroups: g.podGroups.map((pg) => ({
      ...pg,
      pods: pg.pods.map((p) => {
        const node = at.get(p.name);
        return node && !p.nodeName ? { ...p, nodeName: node } : p;
      }),
    })),
  }));
  return { ...unit, gangs };
}

/** `minimums` (a plan made without extras) with the extras of `extras` (its pinPlanned re-plan). */
export function withExtras(minimums: UnitPlan, extras: UnitPlan): UnitPlan {
  const gangs = minimums.gangs.map((g, i) => {
    const e = extras.gangs[i];
    return g.status === 'placed' && e?.status === 'placed' ? { ...g, extras: e.extras, unplacedExtras: e.unplacedExtras } : g;
  });
  return { ...minimums, gangs };
}
