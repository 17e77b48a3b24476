// The recursive search for one gang's minimum. A scope with a required key picks one domain of that
// key (pinned by already-placed pods when there are any), a scope with a preferred key first tries to
// fit whole inside one domain of it, and children are placed inside their parent's choice, most
// constrained and biggest first. Domains are pruned and ranked on aggregates (domains.ts); a failed
// attempt is undone and the next candidate tried, so a gang is placed whole or not at all.
import { cmp } from './cluster.js';
import { evaluate, evaluateBy, packShortfall, viable, type PackShortfall } from './domains.js';
import { fillShape } from './fill.js';
import { leafFailure, requiredFailure, type Failure } from './reasons.js';
import type { Shape } from './shapes.js';
import { demandTotal, type Scope } from './tree.js';
import type { Domain, Workspace } from './workspace.js';

export interface Context {
  /** Domains chosen by the enclosing scopes, outermost first (for messages). */
  readonly path: readonly Domain[];
  /** The innermost preferred key in force: pods are grouped by it when they cannot share one domain. */
  readonly prefKey?: string;
}

export const ROOT_CONTEXT: Context = { path: [] };

/** The value of `key` most of the scope's placed pods share (ties: first by value), if any. */
export function pinnedValue(ws: Workspace, scope: Scope, key: string): string | undefined {
  if (scope.placed.length === 0) return undefined;
  const { ids, values } = ws.cluster.domains(key);
  const counts = new Map<string, number>();
  for (const n of scope.placed) {
    const v = values[ids[n] ?? -1];
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].sort(([a, ca], [b, cb]) => cb - ca || cmp(a, b))[0]?.[0];
}

/** The best pack shortfall seen so far: the candidate that came closest. */
function closer(seen: { value: string; short: PackShortfall } | undefined, value: string, short: PackShortfall) {
  return !seen || short.holds > seen.short.holds ? { value, short } : seen;
}

interface Holder {
  readonly id: number;
  readonly cap: number;
  readonly sticky: boolean;
}

/** Each `key` domain's pod capacity for `shape`, and whether it already holds unit pods. */
function holders(ws: Workspace, shape: Shape, nodes: readonly number[], key: string, pinned: string | undefined): Holder[] {
  const { ids, values } = ws.cluster.domains(key);
  const sums = ws.sums;
  sums.begin();
  for (const n of nodes) {
    const id = ids[n] ?? -1;
    if (id < 0 || (pinned !== undefined && values[id] !== pinned)) continue;
    sums.add(id, ws.fit(shape, n), ws.unitPods[n] ?? 0);
  }
  return sums.touched.map((id) => ({ id, cap: sums.cap[id] ?? 0, sticky: (sums.gravity[id] ?? 0) > 0 }));
}

/**
 * The `key` domains among `nodes` that take `count` pods of `shape`, in byRank's order: domains
 * holding the unit's pods first, then the tightest, then by value. For one shape the pod capacity
 * accounts for every resource, so this needs no per-domain resource sums.
 */
function holdingDomains(ws: Workspace, shape: Shape, count: number, nodes: readonly number[], key: string, pinned: string | undefined): Domain[] {
  const { ids, values } = ws.cluster.domains(key);
  const order = (a: Holder, b: Holder): number => {
    if (a.sticky !== b.sticky) return a.sticky ? -1 : 1;
    return a.cap - b.cap || cmp(values[a.id] ?? '', values[b.id] ?? '');
  };
  const held = holders(ws, shape, nodes, key, pinned)
    .filter((h) => h.cap >= count)
    .sort(order);
  const members = new Map<number, number[]>(held.map((h) => [h.id, []]));
  for (const n of nodes) members.get(ids[n] ?? -1)?.push(n);
  return held.map((h) => ({ key, value: values[h.id] ?? '', nodes: members.get(h.id) ?? [] }));
}

export class Search {
  constructor(readonly ws: Workspace) {}

  /** Places the scope's pending minimum inside `nodes`; on failure the caller undoes to its mark. */
  placeScope(scope: Scope, nodes: readonly number[], ctx: Context): Failure | undefined {
    if (demandTotal(scope.demand) === 0) return undefined;
    const key = scope.required;
    if (key === undefined) return this.placeInside(scope, nodes, ctx);
    const pinned = pinnedValue(this.ws, scope, key);
    let first: { value: string; failure: Failure } | undefined;
    let packMiss: { value: string; short: PackShortfall } | undefined;
    for (const domain of this.candidates(scope, nodes, key, pinned)) {
      const short = packShortfall(this.ws, scope, domain.nodes);
      if (short) {
        packMiss = closer(packMiss, domain.value, short);
        continue;
      }
      const mark = this.ws.mark();
      this.ws.choose(scope, domain, true);
      const f = this.placeInside(scope, domain.nodes, { ...ctx, path: [...ctx.path, domain] });
      if (!f) return undefined;
      this.ws.undo(mark);
      first ??= { value: domain.value, failure: f };
    }
    // Every attempt is undone: judge the domains again, with resource sums, to word the failure.
    const judged = evaluateBy(this.ws, nodes, key, scope.demand, pinned, { free: true });
    return requiredFailure(this.ws, { label: scope.label, key, path: ctx.path, pinned, demand: scope.demand, nodes }, judged, first, packMiss);
  }

  /** The domains of `key` that pass the aggregates, best first. */
  private candidates(scope: Scope, nodes: readonly number[], key: string, pinned: string | undefined): Domain[] {
    const single = scope.demand.size === 1 ? [...scope.demand][0] : undefined;
    if (single) return holdingDomains(this.ws, single[0], single[1], nodes, key, pinned);
    return viable(evaluateBy(this.ws, nodes, key, scope.demand, pinned)).map((e) => e.domain);
  }

  /** A preferred key is met when the whole scope fits one of its domains; otherwise it groups the pods. */
  private placeInside(scope: Scope, nodes: readonly number[], ctx: Context): Failure | undefined {
    const key = scope.preferred;
    if (key === undefined) return this.placeChildren(scope, nodes, ctx);
    for (const e of viable(evaluateBy(this.ws, nodes, key, scope.demand))) {
      if (packShortfall(this.ws, scope, e.domain.nodes)) continue;
      const mark = this.ws.mark();
      this.ws.choose(scope, e.domain, false);
      if (!this.placeChildren(scope, e.domain.nodes, { path: [...ctx.path, e.domain], prefKey: key })) return undefined;
      this.ws.undo(mark);
    }
    return this.placeChildren(scope, nodes, { ...ctx, prefKey: key });
  }

  private placeChildren(scope: Scope, nodes: readonly number[], ctx: Context): Failure | undefined {
    if (scope.leaf) return this.fillLeaf(scope, nodes, ctx);
    for (const child of scope.children) {
      const f = this.placeScope(child, nodes, ctx);
      if (f) return f;
    }
    return undefined;
  }

  private fillLeaf(scope: Scope, nodes: readonly number[], ctx: Context): Failure | undefined {
    const pending = [...(scope.leaf?.pending ?? [])].sort(([a], [b]) => b.weight - a.weight || a.id - b.id);
    for (const [shape, names] of pending) {
      const mark = this.ws.mark();
      if (fillShape(this.ws, scope, shape, names.length, nodes, ctx.prefKey) < names.length) {
        // Judge what was free before this shape's partial fill, not after it.
        this.ws.undo(mark);
        const e = evaluate(this.ws, { key: '', value: '', nodes }, new Map([[shape, names.length]]));
        return leafFailure(this.ws, scope.label, shape, names.length, nodes, ctx.path, e);
      }
    }
    return undefined;
  }
}
