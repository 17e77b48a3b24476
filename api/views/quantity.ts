// The three resources the live views count (CPU, memory and nvidia.com/gpu), read from Kubernetes
// quantities the way kube-scheduler counts them: CPU in millicores, everything else in whole units,
// both rounded up. Parsing is exact (BigInt): binary floating point would turn "0.1" CPU into
// 100.00000000000001 millicores and round it up to 101.
//
// The kube-scheduler extender's planner (scheduler/plan, in flight) parses quantities the same way;
// once both are merged, one of the two parsers should go.

import type { Node, Pod, V1Container } from '../core/wire.js';

export const GPU = 'nvidia.com/gpu';
/** The resources the views count, in display order. */
export const VIEW_RESOURCES = ['cpu', 'memory', GPU] as const;
export type ViewResource = (typeof VIEW_RESOURCES)[number];
/** Millicores for cpu, bytes for memory, devices for nvidia.com/gpu. */
export type Amounts = Record<ViewResource, number>;

export function zeroAmounts(): Amounts {
  return { cpu: 0, memory: 0, [GPU]: 0 };
}

// sign, integer digits, fraction digits, then one of: binary SI suffix, decimal exponent, decimal SI suffix.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([numkMGTPE]))?$/;
const DECIMAL_SI: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * ceil(quantity × 10^scale), exact; undefined when `text` is not a quantity. Values beyond 2^53 are
 * clamped: no real node has that much of anything, and a clamped number still sorts and sums sanely.
 */
function scaledCeil(text: string, scale: number): number | undefined {
  const m = QUANTITY.exec(text.trim());
  const intDigits = m?.[2] ?? '';
  const fracDigits = m?.[3] ?? '';
  if (!m || intDigits.length + fracDigits.length === 0) return undefined;
  const mantissa = BigInt(intDigits + fracDigits);
  if (mantissa === 0n) return 0;
  const exp10 = (m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? (DECIMAL_SI[m[6]] ?? 0) : 0) - fracDigits.length + scale;
  const exp2 = m[4] !== undefined ? (BINARY_SI[m[4]] ?? 0) : 0;
  if (exp10 > 40) return m[1] === '-' ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  if (exp10 < -300) return m[1] === '-' ? 0 : 1;
  const num = mantissa * 2n ** BigInt(exp2) * (exp10 > 0 ? 10n ** BigInt(exp10) : 1n);
  const den = exp10 < 0 ? 10n ** BigInt(-exp10) : 1n;
  const value = m[1] === '-' ? -(num / den) : (num + den - 1n) / den;
  const clamped = value > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : value < -BigInt(Number.MAX_SAFE_INTEGER) ? -BigInt(Number.MAX_SAFE_INTEGER) : value;
  return Number(clamped);
}

// Node allocatable and pod requests repeat the same few strings thousands of times.
const cache = new Map<string, number | undefined>();

/**
 * The amount of `resource` in `quantity` (millicores for cpu, whole units otherwise); undefined when
 * it is not a quantity. kube-apiserver validates quantities, so undefined means a hand-built object.
 */
export function parseAmount(resource: string, quantity: string | number): number | undefined {
  const text = String(quantity);
  const milli = resource === 'cpu';
  const key = (milli ? 'm:' : 'u:') + text;
  if (cache.has(key)) return cache.get(key);
  const v = scaledCeil(text, milli ? 3 : 0);
  if (cache.size > 4096) cache.clear();
  cache.set(key, v);
  return v;
}

type QuantityMap = { [key: string]: string | number } | undefined;

function amountsOf(list: QuantityMap): Amounts {
  const out = zeroAmounts();
  for (const r of VIEW_RESOURCES) {
    const q = list?.[r];
    if (q !== undefined) out[r] = parseAmount(r, q) ?? 0;
  }
  return out;
}

/** A container's requests; a resource with only a limit is requested at its limit (the apiserver defaults it so). */
function containerRequests(c: V1Container): Amounts {
  const limits = amountsOf(c.resources?.limits);
  const requests = amountsOf(c.resources?.requests);
  const out = zeroAmounts();
  for (const r of VIEW_RESOURCES) out[r] = c.resources?.requests?.[r] !== undefined ? requests[r] : limits[r];
  return out;
}

function add(target: Amounts, more: Amounts): void {
  for (const r of VIEW_RESOURCES) target[r] += more[r];
}

/**
 * What a pod asks for, as kube-scheduler counts it: the larger of the containers' sum (plus sidecars,
 * init containers with restartPolicy Always) and the largest init-container phase, then pod-level
 * cpu/memory when set, plus the RuntimeClass overhead.
 */
export function podRequests(pod: Pod): Amounts {
  const spec = pod.spec;
  const app = zeroAmounts();
  for (const c of spec?.containers ?? []) add(app, containerRequests(c));
  const sidecars = zeroAmounts();
  const initPeak = zeroAmounts();
  for (const c of spec?.initContainers ?? []) {
    const own = containerRequests(c);
    for (const r of VIEW_RESOURCES) initPeak[r] = Math.max(initPeak[r], sidecars[r] + own[r]);
    if (c.restartPolicy === 'Always') {
      add(app, own);
      add(sidecars, own);
    }
  }
  for (const r of VIEW_RESOURCES) app[r] = Math.max(app[r], initPeak[r]);
  const podLevel = spec?.resources;
  for (const r of ['cpu', 'memory'] as const) {
    const q = podLevel?.requests?.[r] ?? podLevel?.limits?.[r];
    if (q !== undefined) app[r] = parseAmount(r, q) ?? app[r];
  }
  add(app, amountsOf(spec?.overhead));
  return app;
}

/** What the scheduler may hand out on a node: status.allocatable. */
export function nodeAllocatable(node: Node): Amounts {
  return amountsOf(node.status?.allocatable);
}

/** Bound and not finished: the pod holds its requests on its node (a terminating pod still does). */
export function holdsResources(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

const BINARY = [
  ['Ei', 60],
  ['Pi', 50],
  ['Ti', 40],
  ['Gi', 30],
  ['Mi', 20],
  ['Ki', 10],
] as const;

/** A canonical, exact quantity: `64`, `500m`, `512Gi`, `1536Mi`, `8`. */
export function formatAmount(resource: ViewResource, amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const v = Math.abs(amount);
  if (resource === 'cpu') return v % 1000 === 0 ? `${sign}${v / 1000}` : `${sign}${v}m`;
  if (resource === 'memory' && v > 0) {
    for (const [suffix, exp] of BINARY) {
      const unit = 2 ** exp;
      if (v % unit === 0) return `${sign}${v / unit}${suffix}`;
    }
  }
  return `${sign}${v}`;
}

/** A short, rounded form for table cells: `63.5`, `480Gi`, `1.5Ti`, `8`. */
export function humanAmount(resource: ViewResource, amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const v = Math.abs(amount);
  const round = (x: number): string => String(Math.round(x * 10) / 10);
  if (resource === 'cpu') return `${sign}${round(v / 1000)}`;
  if (resource === 'memory') {
    for (const [suffix, exp] of BINARY) {
      const unit = 2 ** exp;
      if (v >= unit) return `${sign}${round(v / unit)}${suffix}`;
    }
  }
  return `${sign}${v}`;
}

/** Amounts as canonical quantity strings, for the objects the views serve. */
export function quantities(a: Amounts): Record<ViewResource, string> {
  return { cpu: formatAmount('cpu', a.cpu), memory: formatAmount('memory', a.memory), [GPU]: formatAmount(GPU, a[GPU]) };
}
