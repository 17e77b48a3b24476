// Per-domain summaries: cut a candidate node set into the domains of a label key and judge each by
// aggregates (free capacity on eligible nodes, how many pods of each shape its nodes take) before any
// pod is fitted. A domain failing the aggregates cannot hold the demand, so the search never fits
// pods into it; the ones that pass are tried best first. One pass over the nodes does all domains.
import { cmp } from './cluster.js';
import type { Shape } from './shapes.js';
import type { Demand, Pack, Scope } from './tree.js';
import type { Domain, Workspace } from './workspace.js';

export interface Evaluation {
  readonly domain: Domain;
  /** Every shape's pod count fits by capacity, and (when summed) every resource by its sum. */
  readonly fits: boolean;
  /** The largest share of a resource or of a shape's pod capacity the demand takes: higher is tighter. */
  readonly tightness: number;
  /** Unit pods already in the domain. */
  readonly gravity: number;
  /** Demand per resource column. */
  readonly need: readonly number[];
  /** Free capacity per resource column on the nodes eligible for some shape, when summed (else empty). */
  readonly free: readonly number[];
  readonly shapes: readonly Shape[];
  /** Pods of each of `shapes` the domain's nodes take, each shape alone. */
  readonly cap: readonly number[];
}

/** Pods of `shape` the evaluated domain takes (0 for a shape that was not part of the demand). */
export function capacityOf(e: Evaluation, shape: Shape): number {
  const i = e.shapes.indexOf(shape);
  return i < 0 ? 0 : (e.cap[i] ?? 0);
}

function needOf(ws: Workspace, demand: Demand): number[] {
  const need = new Array<number>(ws.cluster.resources.length).fill(0);
  for (const [s, count] of demand) for (const j of s.columns) need[j] = (need[j] ?? 0) + count * (s.demand[j] ?? 0);
  return need;
}

/**
 * Resource sums are needed to judge a demand of several shapes (they compete for the same nodes) and
 * to word a failure; for one shape its pod capacity already accounts for every resource.
 */
export interface Sums {
  readonly free: boolean;
}

const NO_FREE: readonly number[] = [];

/** Running sums for one domain. */
class Tally {
  readonly nodes: number[] = [];
  readonly free: number[];
  readonly cap: number[];
  gravity = 0;

  constructor(
    readonly value: string,
    width: number,
    shapes: number,
  ) {
    this.free = width > 0 ? new Array<number>(width).fill(0) : [];
    this.cap = new Array<number>(shapes).fill(0);
  }

  add(ws: Workspace, n: number, shapes: readonly Shape[]): void {
    this.nodes.push(n);
    this.gravity += ws.unitPods[n] ?? 0;
    let eligible = false;
    for (let i = 0; i < shapes.length; i++) {
      const s = shapes[i];
      if (!s || s.missing !== undefined || s.eligibility.reason[n] !== 0) continue;
      eligible = true;
      this.cap[i] = (this.cap[i] ?? 0) + ws.fit(s, n);
    }
    const width = this.free.length;
    if (!eligible || width === 0) return;
    for (let j = 0; j < width; j++) this.free[j] = (this.free[j] ?? 0) + Math.max(0, ws.free[n * width + j] ?? 0);
  }

  judge(key: string, shapes: readonly Shape[], demand: Demand, need: readonly number[]): Evaluation {
    let fits = true;
    let tightness = 0;
    for (let i = 0; i < shapes.length; i++) {
      const want = demand.get(shapes[i] as Shape) ?? 0;
      const have = this.cap[i] ?? 0;
      if (want > have) fits = false;
      if (want > 0) tightness = Math.max(tightness, have > 0 ? want / have : Number.POSITIVE_INFINITY);
    }
    for (let j = 0; j < this.free.length; j++) {
      const want = need[j] ?? 0;
      const have = this.free[j] ?? 0;
      if (want > have) fits = false;
      if (want > 0) tightness = Math.max(tightness, have > 0 ? want / have : Number.POSITIVE_INFINITY);
    }
    const free = this.free.length ? this.free : NO_FREE;
    return { domain: { key, value: this.value, nodes: this.nodes }, fits, tightness, gravity: this.gravity, need, free, shapes, cap: this.cap };
  }
}

function sumsFor(demand: Demand, sums?: Sums): boolean {
  return sums?.free ?? demand.size > 1;
}

/**
 * The domains of `key` among `nodes` (only the one named `only`, when given), each judged against
 * `demand`, ordered by value. Nodes without the label belong to no domain.
 */
export function evaluateBy(ws: Workspace, nodes: readonly number[], key: string, demand: Demand, only?: string, sums?: Sums): Evaluation[] {
  const { ids, values } = ws.cluster.domains(key);
  const shapes = [...demand.keys()];
  const width = sumsFor(demand, sums) ? ws.cluster.resources.length : 0;
  const tallies = new Map<number, Tally>();
  for (const n of nodes) {
    const id = ids[n] ?? -1;
    if (id < 0) continue;
    let t = tallies.get(id);
    if (!t) {
      const value = values[id] ?? '';
      if (only !== undefined && value !== only) continue;
      tallies.set(id, (t = new Tally(value, width, shapes.length)));
    }
    t.add(ws, n, shapes);
  }
  const need = needOf(ws, demand);
  return [...tallies.values()].sort((a, b) => cmp(a.value, b.value)).map((t) => t.judge(key, shapes, demand, need));
}

/** One node set judged as a whole, with resource sums (it words failures). */
export function evaluate(ws: Workspace, domain: Domain, demand: Demand): Evaluation {
  const shapes = [...demand.keys()];
  const t = new Tally(domain.value, ws.cluster.resources.length, shapes.length);
  for (const n of domain.nodes) t.add(ws, n, shapes);
  const e = t.judge(domain.key, shapes, demand, needOf(ws, demand));
  return { ...e, domain };
}

/**
 * Candidate order: domains already holding the unit's pods first (locality, and a preferred pack
 * kept), then best fit (the tightest domain, leaving big holes for big gangs), then by value.
 */
export function byRank(a: Evaluation, b: Evaluation): number {
  const ga = a.gravity > 0 ? 1 : 0;
  const gb = b.gravity > 0 ? 1 : 0;
  if (ga !== gb) return gb - ga;
  if (a.tightness !== b.tightness) return b.tightness - a.tightness;
  return cmp(a.domain.value, b.domain.value);
}

/** The domains that pass the aggregates, best first. */
export function viable(evals: readonly Evaluation[]): Evaluation[] {
  return evals.filter((e) => e.fits).sort(byRank);
}

export interface PackShortfall {
  readonly pack: Pack;
  /** How many of the pack's children the candidate's sub-domains can hold. */
  readonly holds: number;
}

/**
 * A necessary condition the aggregates miss: children with their own required key need whole
 * sub-domains. N identical children packed per host need N hosts (counted with repetition) that each
 * take one child's pods, however much capacity is spread thinly over the other hosts.
 */
export function packShortfall(ws: Workspace, scope: Scope, nodes: readonly number[]): PackShortfall | undefined {
  for (const pack of scope.packs) {
    const holds = pack.demand.size === 1 ? holdsOne(ws, pack, nodes) : holdsMany(ws, pack, nodes);
    if (holds < pack.count) return { pack, holds };
  }
  return undefined;
}

// One shape: a domain holds floor(its pod capacity / the child's pods) children.
function holdsOne(ws: Workspace, pack: Pack, nodes: readonly number[]): number {
  const [shape, want] = [...pack.demand][0] ?? [];
  if (!shape || !want) return Number.POSITIVE_INFINITY;
  const { ids } = ws.cluster.domains(pack.key);
  const sums = ws.sums;
  sums.begin();
  for (const n of nodes) {
    const id = ids[n] ?? -1;
    if (id >= 0) sums.add(id, ws.fit(shape, n), 0);
  }
  let holds = 0;
  for (const id of sums.touched) holds += Math.floor((sums.cap[id] ?? 0) / want);
  return holds;
}

// Several shapes: as many children as the scarcest shape allows, per domain.
function holdsMany(ws: Workspace, pack: Pack, nodes: readonly number[]): number {
  const { ids } = ws.cluster.domains(pack.key);
  const shapes = [...pack.demand.keys()];
  const caps = new Map<number, number[]>();
  for (const n of nodes) {
    const id = ids[n] ?? -1;
    if (id < 0) continue;
    let c = caps.get(id);
    if (!c) caps.set(id, (c = new Array<number>(shapes.length).fill(0)));
    for (let i = 0; i < shapes.length; i++) c[i] = (c[i] ?? 0) + ws.fit(shapes[i] as Shape, n);
  }
  let holds = 0;
  for (const c of caps.values()) holds += Math.min(...shapes.map((s, i) => Math.floor((c[i] ?? 0) / (pack.demand.get(s) ?? 1))));
  return holds;
}
