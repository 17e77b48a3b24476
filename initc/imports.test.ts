// `copse initc` runs once per ordered pod and its start-up is on the critical path of every child
// start, so what it loads at start is pinned here: the static import graph of cli/initc.ts (type-only
// imports erased, dynamic import() left out because it loads lazily) must not reach the metrics library.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Static runtime import specifiers of one TypeScript source. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue; // import type / export type: erased by tsc
    const spec = m[3] ?? '';
    // `import { type A, type B } from` is erased too when every name is a type.
    const names = /\{([^}]*)\}/.exec(m[0])?.[1];
    if (names !== undefined && /^\s*(import|export)\s+\{/.test(m[0]) && names.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    out.push(spec);
  }
  return out;
}

/** Every module statically reachable from `entry` (relative .js specifiers mapped to .ts sources); bare specifiers as given. */
export function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [resolve(ROOT, entry)];
  while (stack.length > 0) {
    const file = stack.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        seen.add(spec);
        continue;
      }
      const ts = join(dirname(file), spec).replace(/\.js$/, '.ts');
      if (!existsSync(ts)) throw new Error(`${file}: import ${spec} has no source ${ts}`);
      stack.push(ts);
    }
  }
  return seen;
}

describe('copse initc start-up', () => {
  it('does not load prom-client (metrics are the server’s, loaded through the informer factory)', () => {
    const graph = reachable('cli/initc.ts');
    expect(graph.has(resolve(ROOT, 'initc/run.ts'))).toBe(true);
    expect(graph.has(resolve(ROOT, 'controllers/runtime/informer.ts'))).toBe(true);
    expect([...graph].filter((m) => m === 'prom-client' || m.endsWith('kube/metrics.ts'))).toEqual([]);
  });

  it('the walk does find prom-client where it is loaded (the controllers’ informer factory)', () => {
    expect(reachable('controllers/runtime/factory.ts').has('prom-client')).toBe(true);
  });
});
