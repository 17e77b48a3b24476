// Why a gang cannot be placed, in words a person can act on: which resource, how much, in which
// level, and the best candidate found ("needs 40 nvidia.com/gpu in one topology.copse.io/rack; the
// largest free rack, r0, has 32"). Node-level refusals use kube-scheduler's own wording.
import { cmp } from './cluster.js';
import { capacityOf, type Evaluation, type PackShortfall } from './domains.js';
import type { Shortfall } from './model.js';
import { formatAmount } from './quantity.js';
import { PODS } from './resources.js';
import type { Shape } from './shapes.js';
import type { Demand } from './tree.js';
import type { Domain, Workspace } from './workspace.js';

export interface Failure {
  readonly message: string;
  readonly shortfall?: Shortfall;
}

/** "rack" for topology.copse.io/rack, "host" for kubernetes.io/hostname. */
export function levelName(key: string): string {
  const last = key.slice(key.lastIndexOf('/') + 1);
  return last === 'hostname' ? 'host' : last;
}

/** " within <key>=<value>" for the innermost domain already chosen, or "". */
export function within(path: readonly Domain[]): string {
  const d = path[path.length - 1];
  return d ? ` within ${d.key}=${d.value}` : '';
}

function amountText(resource: string, amount: number): string {
  return resource === PODS ? `${amount} pod slots` : `${formatAmount(resource, amount)} ${resource}`;
}

/** "(4 cpu, 1 nvidia.com/gpu each)", or "" for a pod that requests nothing. */
function shapeText(shape: Shape): string {
  const parts = Object.entries(shape.requests)
    .filter(([, v]) => v > 0)
    .sort(([a], [b]) => cmp(a, b))
    .map(([r, v]) => `${formatAmount(r, v)} ${r}`);
  return parts.length ? ` (${parts.join(', ')} each)` : '';
}

function podsText(count: number, shape: Shape): string {
  return `${count} pod${count === 1 ? '' : 's'}${shapeText(shape)}`;
}

// kube-scheduler's per-node reasons for resources: the first resource the node lacks.
function insufficiency(ws: Workspace, shape: Shape, n: number): string {
  if (shape.missing !== undefined) return `Insufficient ${shape.missing}`;
  const width = ws.cluster.resources.length;
  for (const j of shape.columns) {
    if ((ws.free[n * width + j] ?? 0) < (shape.demand[j] ?? 0)) {
      const r = ws.cluster.resources[j] ?? '';
      return r === PODS ? 'Too many pods' : `Insufficient ${r}`;
    }
  }
  return 'no room';
}

/** "0/16 nodes are available: 4 node(s) were unschedulable, 12 Insufficient nvidia.com/gpu." */
function nodeSummary(ws: Workspace, shape: Shape, nodes: readonly number[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const r = shape.eligibility.reason[n] ?? 0;
    const why = r > 0 ? (shape.eligibility.reasons[r - 1] ?? '') : insufficiency(ws, shape, n);
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const parts = [...counts].sort(([a], [b]) => cmp(a, b)).map(([why, c]) => `${c} ${why}`);
  const fitting = nodes.filter((n) => ws.fit(shape, n) > 0).length;
  return `${fitting}/${nodes.length} nodes are available: ${parts.join(', ')}.`;
}

/** The resource whose best candidate falls shortest of the need, if any resource falls short. */
function resourceShortfall(ws: Workspace, evals: readonly Evaluation[]): (Shortfall & { domain: string }) | undefined {
  let worst: (Shortfall & { domain: string; ratio: number }) | undefined;
  const need = evals[0]?.need;
  need?.forEach((v, j) => {
    if (v <= 0) return;
    let best = -1;
    let where = '';
    for (const e of evals) {
      const f = e.free[j] ?? 0;
      if (f > best) [best, where] = [f, e.domain.value];
    }
    const ratio = best / v;
    if (ratio < 1 && (!worst || ratio < worst.ratio)) {
      worst = { resource: ws.cluster.resources[j] ?? '', needed: v, available: best, domain: where, ratio, key: evals[0]?.domain.key };
    }
  });
  if (!worst) return undefined;
  const { ratio: _ratio, ...s } = worst;
  return s;
}

/** The shape whose best candidate takes the smallest share of its pods. */
function capacityShortfall(evals: readonly Evaluation[], demand: Demand): { shape: Shape; count: number; best: number; where: string } | undefined {
  let worst: { shape: Shape; count: number; best: number; where: string; ratio: number } | undefined;
  for (const [shape, count] of demand) {
    let best = -1;
    let where = '';
    for (const e of evals) {
      const c = capacityOf(e, shape);
      if (c > best) [best, where] = [c, e.domain.value];
    }
    const ratio = best / count;
    if (ratio < 1 && (!worst || ratio < worst.ratio)) worst = { shape, count, best, where, ratio };
  }
  return worst;
}

export interface RequiredContext {
  readonly label: string;
  readonly key: string;
  readonly path: readonly Domain[];
  readonly pinned?: string;
  readonly demand: Demand;
  /** The nodes the domains were cut from, for node-level summaries. */
  readonly nodes: readonly number[];
}

function noDomain(c: RequiredContext): Failure {
  if (c.pinned !== undefined) {
    return { message: `${c.label} must stay in ${c.key}=${c.pinned}, where its placed pods run, but no candidate node${within(c.path)} is in it` };
  }
  return { message: `${c.label} needs one ${c.key}, but no candidate node${within(c.path)} carries that label` };
}

function demandText(demand: Demand): string {
  return [...demand].map(([shape, count]) => podsText(count, shape)).join(' + ');
}

// Nodes the pods may not use at all (selector, taints, cordon) are worth listing node by node; a
// plain lack of capacity reads better as a resource shortfall.
function filteredFailure(ws: Workspace, c: RequiredContext, evals: readonly Evaluation[]): Failure | undefined {
  for (const [shape, count] of c.demand) {
    const filtered = shape.missing !== undefined || c.nodes.some((n) => shape.eligibility.reason[n] !== 0);
    if (filtered && evals.every((e) => capacityOf(e, shape) === 0) && c.nodes.every((n) => ws.fit(shape, n) === 0)) {
      return { message: `${c.label} needs ${podsText(count, shape)} in one ${c.key}${within(c.path)}; ${nodeSummary(ws, shape, c.nodes)}` };
    }
  }
  return undefined;
}

function packFailure(c: RequiredContext, miss: { value: string; short: PackShortfall }): Failure {
  const { pack, holds } = miss.short;
  const whose = pack.count > 1 ? `one each for ${pack.example} and the ${pack.count - 1} like it` : `for ${pack.example}`;
  const each = `${pack.count} ${levelName(pack.key)}${pack.count > 1 ? 's' : ''} that can each take ${demandText(pack.demand)}`;
  return { message: `${c.label} needs one ${c.key}${within(c.path)} with ${each}, ${whose}; the best ${levelName(c.key)}, ${miss.value}, has ${holds}` };
}

// The aggregates ruled every domain out: name the resource (or, failing that, the pod count) that
// fell shortest in the best domain.
function amountFailure(ws: Workspace, c: RequiredContext, evals: readonly Evaluation[]): Failure {
  const level = levelName(c.key);
  const where = c.pinned !== undefined ? `${c.key}=${c.pinned}, where its placed pods run` : `one ${c.key}`;
  const res = resourceShortfall(ws, evals);
  if (res) {
    const best = c.pinned !== undefined ? `it has ${amountText(res.resource, res.available)} free` : `the largest free ${level}, ${res.domain}, has ${formatAmount(res.resource, res.available)}`;
    return { message: `${c.label} needs ${amountText(res.resource, res.needed)} in ${where}${within(c.path)}; ${best}`, shortfall: res };
  }
  const cap = capacityShortfall(evals, c.demand);
  if (!cap) return { message: `${c.label} does not fit in ${where}${within(c.path)}` };
  return {
    message: `${c.label} needs ${podsText(cap.count, cap.shape)} in ${where}${within(c.path)}; at most ${cap.best} fit in the best ${level}, ${cap.where}`,
    shortfall: { resource: PODS, needed: cap.count, available: cap.best, key: c.key, domain: cap.where },
  };
}

/** Why no domain of a required key could take the scope. */
export function requiredFailure(
  ws: Workspace,
  c: RequiredContext,
  evals: readonly Evaluation[],
  child?: { value: string; failure: Failure },
  packMiss?: { value: string; short: PackShortfall },
): Failure {
  if (evals.length === 0) return noDomain(c);
  const filtered = filteredFailure(ws, c, evals);
  if (filtered) return filtered;
  if (child) {
    const message = `${c.label}: no ${c.key}${within(c.path)} holds it; in the best candidate, ${c.key}=${child.value}, ${child.failure.message}`;
    return child.failure.shortfall ? { message, shortfall: child.failure.shortfall } : { message };
  }
  return packMiss ? packFailure(c, packMiss) : amountFailure(ws, c, evals);
}

/** Why a pod group's pods did not all fit on the candidate nodes (no required level of its own). */
export function leafFailure(ws: Workspace, label: string, shape: Shape, count: number, nodes: readonly number[], path: readonly Domain[], e: Evaluation): Failure {
  const head = `${label} needs ${podsText(count, shape)}${within(path)}`;
  if (capacityOf(e, shape) === 0) return { message: `${head}; ${nodeSummary(ws, shape, nodes)}` };
  const res = resourceShortfall(ws, [e]);
  const d = path[path.length - 1];
  if (res) {
    return {
      message: `${head}, ${amountText(res.resource, res.needed)} in all; its eligible nodes have ${formatAmount(res.resource, res.available)} free`,
      shortfall: { resource: res.resource, needed: res.needed, available: res.available, key: d?.key, domain: d?.value },
    };
  }
  const cap = capacityOf(e, shape);
  return { message: `${head}; only ${cap} fit on its nodes`, shortfall: { resource: PODS, needed: count, available: cap, key: d?.key, domain: d?.value } };
}
