// Kubernetes resource quantities, counted the way kube-scheduler counts them: CPU in millicores
// (Quantity.MilliValue), everything else in whole base units (Quantity.Value: bytes, devices, pods),
// both rounded up. Parsing is exact (BigInt) because binary floating point would turn "0.1" CPU into
// 100.00000000000001 millicores and round it up to 101.
import { PlanInputError } from './errors.js';

// sign, integer digits, fraction digits, then one of: binary SI suffix, decimal exponent, decimal SI suffix.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([numkMGTPE]))?$/;

const DECIMAL_SI: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

// Beyond these exponents the value is either far above any real capacity or far below one unit.
const MAX_EXPONENT = 40;
const MIN_EXPONENT = -300;

/** Resources counted in millicores; all others are counted in whole units. */
function isMilliResource(resource: string): boolean {
  return resource === 'cpu';
}

interface Parsed {
  readonly negative: boolean;
  readonly mantissa: bigint;
  /** value = ±mantissa × 10^exp10 × 2^exp2 */
  readonly exp10: number;
  readonly exp2: number;
}

function suffixExp10(m: RegExpExecArray): number {
  if (m[5] !== undefined) return Number(m[5]);
  return m[6] !== undefined ? (DECIMAL_SI[m[6]] ?? 0) : 0;
}

function parse(quantity: string, field: string): Parsed {
  const m = QUANTITY.exec(quantity);
  const intDigits = m?.[2] ?? '';
  const fracDigits = m?.[3] ?? '';
  if (!m || intDigits.length + fracDigits.length === 0) {
    throw new PlanInputError(field, `invalid quantity ${JSON.stringify(quantity)}`);
  }
  return {
    negative: m[1] === '-',
    mantissa: BigInt(intDigits + fracDigits),
    exp10: suffixExp10(m) - fracDigits.length,
    exp2: m[4] !== undefined ? (BINARY_SI[m[4]] ?? 0) : 0,
  };
}

/** ceil(quantity × 10^scaleExp10), exact. Throws PlanInputError naming `field` when malformed. */
function scaledCeil(quantity: string, scaleExp10: number, field: string): number {
  const { negative, mantissa, exp10: e, exp2 } = parse(quantity, field);
  if (mantissa === 0n) return 0;
  const exp10 = e + scaleExp10;
  if (exp10 > MAX_EXPONENT) return negative ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  if (exp10 < MIN_EXPONENT) return negative ? 0 : 1;
  const num = mantissa * 2n ** BigInt(exp2) * (exp10 > 0 ? 10n ** BigInt(exp10) : 1n);
  const den = exp10 < 0 ? 10n ** BigInt(-exp10) : 1n;
  // BigInt division truncates toward zero, which is already the ceiling for negative values.
  return Number(negative ? -(num / den) : (num + den - 1n) / den);
}

// Node allocatable and pod requests repeat the same few strings thousands of times.
const cache = new Map<string, number>();
const CACHE_LIMIT = 8192;

/**
 * The amount of `resource` in `quantity`, in the unit kube-scheduler compares: millicores for cpu,
 * whole units (rounded up) for everything else. `field` names the input for error messages.
 */
export function resourceAmount(resource: string, quantity: string | number, field: string): number {
  if (typeof quantity !== 'number' && typeof quantity !== 'string') {
    throw new PlanInputError(field, `invalid quantity ${JSON.stringify(quantity)}`);
  }
  const text = typeof quantity === 'number' ? String(quantity) : quantity;
  const milli = isMilliResource(resource);
  const key = (milli ? 'm:' : 'u:') + text;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = scaledCeil(text, milli ? 3 : 0, field);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const BYTE_UNITS: readonly [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

function isByteResource(resource: string): boolean {
  return resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-');
}

/** An amount in planner units written back as a person would write the quantity ("500m", "16Gi", "8"). */
export function formatAmount(resource: string, amount: number): string {
  if (isMilliResource(resource)) return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  if (isByteResource(resource) && amount !== 0) {
    for (const [suffix, size] of BYTE_UNITS) {
      if (amount % size === 0) return `${amount / size}${suffix}`;
    }
  }
  return String(amount);
}
