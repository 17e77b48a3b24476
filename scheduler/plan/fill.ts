// Fitting identical pods onto nodes, best fit: each pod goes to the fullest node that still takes
// it, and when one node can take all the remaining pods the smallest such node takes them. Fragments
// get used first, and whole free nodes stay whole for pods (and host-packed groups) that need them.
// Across domains of a preferred key it is the other way round: as few domains as possible.
import { cmp } from './cluster.js';
import type { Shape } from './shapes.js';
import type { Scope } from './tree.js';
import type { Workspace } from './workspace.js';

interface Slot {
  readonly node: number;
  /** Pods of the shape the node takes. */
  readonly k: number;
}

interface Bucket {
  readonly value: string | undefined;
  readonly slots: Slot[];
  cap: number;
  gravity: number;
}

/** First index in [lo, slots.length) whose k is at least `r` (slots sorted by k ascending). */
function firstAtLeast(slots: readonly Slot[], r: number, lo: number): number {
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((slots[mid]?.k ?? 0) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Places up to `want` pods on `slots` (best fit), returns how many were placed. */
function fillNodes(ws: Workspace, leaf: Scope, shape: Shape, slots: Slot[], want: number, extra: boolean): number {
  slots.sort((a, b) => a.k - b.k || a.node - b.node);
  let r = want;
  for (let i = 0; r > 0 && i < slots.length; i++) {
    const whole = slots[firstAtLeast(slots, r, i)];
    if (whole) {
      ws.take(leaf, shape, whole.node, r, extra);
      return want;
    }
    const s = slots[i];
    if (!s) break;
    ws.take(leaf, shape, s.node, s.k, extra);
    r -= s.k;
  }
  return want - r;
}

function bucketsOf(ws: Workspace, slots: readonly Slot[], nodes: readonly number[], key: string): Bucket[] {
  const { ids, values } = ws.cluster.domains(key);
  const byId = new Map<number, Bucket>();
  const bucket = (id: number): Bucket => {
    let b = byId.get(id);
    if (!b) {
      b = { value: id < 0 ? undefined : values[id], slots: [], cap: 0, gravity: 0 };
      byId.set(id, b);
    }
    return b;
  };
  for (const n of nodes) {
    const g = ws.unitPods[n] ?? 0;
    if (g > 0) bucket(ids[n] ?? -1).gravity += g;
  }
  for (const s of slots) {
    const b = bucket(ids[s.node] ?? -1);
    b.slots.push(s);
    b.cap += s.k;
  }
  return [...byId.values()].filter((b) => b.cap > 0);
}

// Domains holding the unit's pods first (keeps a preferred pack), unlabelled nodes last, then the
// smallest domain that takes all remaining pods, else the largest.
function pickBucket(buckets: readonly Bucket[], r: number): Bucket | undefined {
  const labelled = buckets.filter((b) => b.value !== undefined);
  const pool0 = labelled.length ? labelled : buckets;
  const sticky = pool0.filter((b) => b.gravity > 0);
  const pool = sticky.length ? sticky : pool0;
  const byValue = (a: Bucket, b: Bucket): number => cmp(a.value ?? '', b.value ?? '');
  const whole = pool.filter((b) => b.cap >= r).sort((a, b) => a.cap - b.cap || byValue(a, b));
  if (whole[0]) return whole[0];
  return [...pool].sort((a, b) => b.cap - a.cap || byValue(a, b))[0];
}

/**
 * Places up to `want` pods of `shape` for `leaf` on `nodes`, grouped by the preferred key when one
 * applies, and returns how many were placed (the caller decides whether fewer is a failure).
 */
export function fillShape(ws: Workspace, leaf: Scope, shape: Shape, want: number, nodes: readonly number[], prefKey: string | undefined, extra = false): number {
  const slots: Slot[] = [];
  for (const n of nodes) {
    const k = ws.fit(shape, n);
    if (k > 0) slots.push({ node: n, k });
  }
  if (prefKey === undefined) return fillNodes(ws, leaf, shape, slots, want, extra);
  let buckets = bucketsOf(ws, slots, nodes, prefKey);
  let r = want;
  while (r > 0) {
    const b = pickBucket(buckets, r);
    if (!b) break;
    r -= fillNodes(ws, leaf, shape, b.slots, Math.min(r, b.cap), extra);
    buckets = buckets.filter((x) => x !== b);
  }
  return want - r;
}
