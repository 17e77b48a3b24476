// The planning unit's top level. The unit's required key (the PodCliqueSet replica's domain, shared
// by the base gang and its scaled gangs: grove#648) picks ONE domain for all gangs together; inside
// it the gangs are placed in order, each all or nothing. gangs[0] anchors the unit: a domain is a
// candidate only if the anchor fits it, and the domain that places the most gangs (earlier ones
// first) wins. Pods beyond minReplicas are then placed best effort inside the chosen domains.
import { byRank, capacityOf, evaluateBy, type Evaluation } from './domains.js';
import { fillShape } from './fill.js';
import { requiredFailure, type Failure } from './reasons.js';
import { pinnedValue, ROOT_CONTEXT, Search, type Context } from './search.js';
import { demandTotal, leavesOf, type Scope } from './tree.js';
import type { Domain, Workspace } from './workspace.js';

export const PLACED = 'placed';
export type Outcome = typeof PLACED | Failure;

function placedCount(outs: readonly Outcome[]): number {
  return outs.filter((o) => o === PLACED).length;
}

/** Earlier gangs weigh more than any number of later ones. */
export function betterOutcomes(a: readonly Outcome[], b: readonly Outcome[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const pa = a[i] === PLACED;
    const pb = b[i] === PLACED;
    if (pa !== pb) return pa;
  }
  return false;
}

function absentFailure(gang: Scope): Failure | undefined {
  for (const leaf of leavesOf(gang)) {
    const l = leaf.leaf;
    if (l && l.absent > 0) {
      return { message: `${leaf.label} needs ${l.minReplicas} pods for its minimum but ${l.minReplicas - l.absent} exist; the gang waits for the rest to be created` };
    }
  }
  return undefined;
}

interface Candidate {
  readonly anchor: Evaluation;
  readonly all: Evaluation;
}

function byCandidateRank(a: Candidate, b: Candidate): number {
  if (a.all.fits !== b.all.fits) return a.all.fits ? -1 : 1;
  return byRank(a.all, b.all);
}

export class UnitPlanner {
  private readonly search: Search;

  constructor(private readonly ws: Workspace) {
    this.search = new Search(ws);
  }

  /** Places the unit's gangs inside `nodes`; one outcome per gang, in order. */
  placeUnit(root: Scope, nodes: readonly number[]): Outcome[] {
    const key = root.required;
    if (key === undefined) return this.placePreferring(root, nodes, ROOT_CONTEXT);
    const anchor = root.children[0];
    const pinned = pinnedValue(this.ws, root, key);
    const evals = this.candidates(root, nodes, key, pinned);
    let best: { domain: Domain; outs: Outcome[] } | undefined;
    let firstFailure: { value: string; failure: Failure } | undefined;
    for (const c of evals.filter((e) => e.anchor.fits).sort(byCandidateRank)) {
      const mark = this.ws.mark();
      const outs = this.placeIn(root, c.all.domain);
      if (placedCount(outs) === outs.length) return outs;
      this.ws.undo(mark);
      if (outs[0] === PLACED && (!best || betterOutcomes(outs, best.outs))) best = { domain: c.all.domain, outs };
      if (outs[0] !== PLACED && outs[0] !== undefined) firstFailure ??= { value: c.all.domain.value, failure: outs[0] };
    }
    // Re-running the search on the best domain reproduces its placement: the search is deterministic.
    if (best) return this.placeIn(root, best.domain);
    const judged = evaluateBy(this.ws, nodes, key, anchor?.demand ?? new Map(), pinned, { free: true });
    const f = requiredFailure(this.ws, { label: root.label, key, path: [], pinned, demand: anchor?.demand ?? new Map(), nodes }, judged, firstFailure);
    return root.children.map((g, i) => (i === 0 ? f : this.blocked(root, g, f)));
  }

  /** Every domain of the unit's key, judged for the anchor alone and for all gangs together. */
  private candidates(root: Scope, nodes: readonly number[], key: string, pinned: string | undefined): Candidate[] {
    const anchors = evaluateBy(this.ws, nodes, key, root.children[0]?.demand ?? new Map(), pinned);
    const totals = evaluateBy(this.ws, nodes, key, root.demand, pinned);
    return anchors.flatMap((a, i): Candidate[] => {
      const all = totals[i];
      return all ? [{ anchor: a, all }] : [];
    });
  }

  /** Best-effort placement of the pods beyond minReplicas, for the placed gangs only. */
  placeExtras(root: Scope, nodes: readonly number[], outs: readonly Outcome[]): void {
    const skip = new Set(root.children.filter((_, i) => outs[i] !== PLACED));
    this.extrasIn(root, nodes, ROOT_CONTEXT, skip);
  }

  private blocked(root: Scope, gang: Scope, f: Failure): Outcome {
    if (demandTotal(gang.demand) === 0 && !absentFailure(gang)) return PLACED;
    return { message: `${gang.label} waits for ${root.children[0]?.label ?? 'the anchor gang'}: ${f.message}`, shortfall: f.shortfall };
  }

  private placeIn(root: Scope, domain: Domain): Outcome[] {
    this.ws.choose(root, domain, true);
    return this.placePreferring(root, domain.nodes, { path: [domain] });
  }

  /** With a preferred key, first try to fit every gang in one of its domains. */
  private placePreferring(root: Scope, nodes: readonly number[], ctx: Context): Outcome[] {
    const key = root.preferred;
    if (key !== undefined) {
      const fitting = evaluateBy(this.ws, nodes, key, root.demand).filter((e) => e.fits).sort(byRank);
      for (const e of fitting) {
        const mark = this.ws.mark();
        this.ws.choose(root, e.domain, false);
        const outs = this.placeGangs(root, e.domain.nodes, { path: [...ctx.path, e.domain], prefKey: key });
        if (placedCount(outs) === outs.length) return outs;
        this.ws.undo(mark);
      }
    }
    return this.placeGangs(root, nodes, { ...ctx, prefKey: key ?? ctx.prefKey });
  }

  private placeGangs(root: Scope, nodes: readonly number[], ctx: Context): Outcome[] {
    const outs: Outcome[] = [];
    root.children.forEach((gang, i) => {
      const anchorOut = outs[0];
      if (i > 0 && anchorOut !== undefined && anchorOut !== PLACED) {
        outs.push(this.blocked(root, gang, anchorOut));
        return;
      }
      const absent = absentFailure(gang);
      if (absent) {
        outs.push(absent);
        return;
      }
      const mark = this.ws.mark();
      const f = this.search.placeScope(gang, nodes, ctx);
      if (f) this.ws.undo(mark);
      outs.push(f ?? PLACED);
    });
    return outs;
  }

  private extrasIn(scope: Scope, nodes: readonly number[], ctx: Context, skip: ReadonlySet<Scope>): void {
    if (skip.has(scope) || demandTotal(scope.extraDemand) === 0) return;
    let set = nodes;
    let path = ctx.path;
    if (scope.required !== undefined) {
      const d = this.ws.chosen(scope) ?? this.extrasDomain(scope, nodes, scope.required);
      if (!d) return;
      set = d.nodes;
      path = [...path, d];
    }
    const next: Context = { path, prefKey: scope.preferred ?? ctx.prefKey };
    if (!scope.leaf) {
      for (const child of scope.children) this.extrasIn(child, set, next, skip);
      return;
    }
    for (const [shape, names] of scope.leaf.extras) fillShape(this.ws, scope, shape, names.length, set, next.prefKey, true);
  }

  /**
   * A required domain for a scope none of whose minimum was placed by this plan: the one its placed
   * pods pin, else the one that takes the most of its extra pods. Recorded so its siblings share it.
   */
  private extrasDomain(scope: Scope, nodes: readonly number[], key: string): Domain | undefined {
    let best: { e: Evaluation; takes: number } | undefined;
    for (const e of evaluateBy(this.ws, nodes, key, scope.extraDemand, pinnedValue(this.ws, scope, key))) {
      let takes = 0;
      for (const [s, want] of scope.extraDemand) takes += Math.min(want, capacityOf(e, s));
      if (takes > 0 && (!best || takes > best.takes || (takes === best.takes && byRank(e, best.e) < 0))) best = { e, takes };
    }
    if (!best) return undefined;
    this.ws.choose(scope, best.e.domain, true);
    return best.e.domain;
  }
}
