// Kubernetes resource quantities (`resource.Quantity`): the string forms the apiserver accepts,
// e.g. "1", "500m", "4Gi", "1e3".

const QUANTITY_RE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;

/** Whether `s` parses as a resource quantity. */
export function isQuantity(s: string): boolean {
  return QUANTITY_RE.test(s);
}

const SUFFIX: { readonly [suffix: string]: number } = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity as a number (approximate beyond 2^53), or undefined when it does not parse. */
export function quantityValue(s: string): number | undefined {
  if (!isQuantity(s)) return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(s);
  if (!m) return undefined;
  const [, num = '', suffix = ''] = m;
  if (/^[eE]/.test(suffix)) return Number(num + suffix);
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : Number(num) * factor;
}
