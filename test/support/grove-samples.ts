// Grove's sample and e2e manifests, which live beside the project in ../shared
// (not shipped with it). Suites that use them skip, with a message, when absent; under CI=true a
// missing fixture is a failure, never a quiet skip.
import { loadAllYaml } from '@kubernetes/client-node';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../cluster/paths.js';

// From the package root, so the compiled benchmarks (dist/test/...) find them too.
export const GROVE_SAMPLES_ROOT = join(repoRoot(), '..', 'shared', 'grove-samples');

/** True when `sub` exists under the samples root; warns once for `suite` otherwise, and throws under CI=true. */
export function groveSamplesPresent(suite: string, sub = ''): boolean {
  const dir = join(GROVE_SAMPLES_ROOT, sub);
  const present = existsSync(dir);
  if (!present && process.env.CI === 'true') throw new Error(`${suite}: the Grove samples are required under CI: ${dir} not found`);
  if (!present) console.warn(`${suite}: skipping the Grove samples: ${dir} not found`);
  return present;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(entry) ? [p] : [];
    });
}

export interface SampleDoc {
  /** Absolute path of the file. */
  path: string;
  /** Path relative to the samples root, e.g. `samples/simple/simple1.yaml`. */
  file: string;
  /** The document exactly as written. */
  doc: Record<string, unknown>;
}

/** Every PodCliqueSet document in the YAML files under `sub`, in sorted file order. */
export function podCliqueSetDocs(sub: string): SampleDoc[] {
  return yamlFiles(join(GROVE_SAMPLES_ROOT, sub)).flatMap((path) =>
    (loadAllYaml(readFileSync(path, 'utf8')) as Array<Record<string, unknown> | null>)
      .filter((doc): doc is Record<string, unknown> => doc?.kind === 'PodCliqueSet')
      .map((doc) => ({ path, file: relative(GROVE_SAMPLES_ROOT, path), doc })),
  );
}
