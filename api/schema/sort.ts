// Deterministic key order for generated JSON/YAML.
/** Deep copy with object keys sorted (arrays keep their order), for stable, diffable output. */
export function sortKeysDeep<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => sortKeysDeep(x)) as T;
  if (typeof v === 'object' && v !== null) {
    const src = v as { [key: string]: unknown };
    const out: { [key: string]: unknown } = {};
    for (const k of Object.keys(src).sort()) out[k] = sortKeysDeep(src[k]);
    return out as T;
  }
  return v;
}
