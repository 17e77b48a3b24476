// Grove's sample and e2e manifests, which live beside the project in ../shared/grove-samples (not
// shipped with it), or wherever $COPSE_GROVE_SAMPLES points. The one loader for every suite that
// uses them.
//
// A missing directory must never pass for a green run: under CI=true it is an error that fails the
// test file; elsewhere the suites are skipped with one console.warn line naming the path and how
// many suites it costs (an `it.each` over an empty list would otherwise drop dozens of tests while
// the report shows a handful skipped).
import { loadAllYaml } from '@kubernetes/client-node';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../cluster/paths.js';

// From the package root, so the compiled benchmarks (dist/test/...) find them too.
const BESIDE_THE_REPOSITORY = join(repoRoot(), '..', 'shared', 'grove-samples');

/** The samples root: $COPSE_GROVE_SAMPLES, else ../shared/grove-samples beside the repository. */
export function groveSamplesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['COPSE_GROVE_SAMPLES'] || BESIDE_THE_REPOSITORY;
}

export interface SamplesCheck {
  /** What is skipped, for the warning, e.g. `admission e2e`. */
  suite: string;
  /** How many describe blocks depend on the samples (all of them are skipped when they are missing). */
  suites: number;
  /** A subdirectory the suite needs, e.g. `samples`. */
  sub?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether the samples (under `sub`) are there. Missing: throws under CI=true, naming the path;
 * otherwise warns once, naming the path and the number of suites skipped, and returns false.
 */
export function groveSamplesPresent({ suite, suites, sub = '', env = process.env }: SamplesCheck): boolean {
  const dir = join(groveSamplesRoot(env), sub);
  if (existsSync(dir)) return true;
  if (env['CI'] === 'true') {
    throw new Error(`${suite}: the Grove samples are missing: ${dir} does not exist (CI=true, so this is a failure; set COPSE_GROVE_SAMPLES to their location)`);
  }
  console.warn(`${suite}: SKIPPING ${suites} suite${suites === 1 ? '' : 's'}: the Grove samples are missing at ${dir} (set COPSE_GROVE_SAMPLES)`);
  return false;
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

/** Every PodCliqueSet document in the YAML files under `sub` (all of them for ''), in sorted file order. */
export function podCliqueSetDocs(sub: string, env: NodeJS.ProcessEnv = process.env): SampleDoc[] {
  const root = groveSamplesRoot(env);
  return yamlFiles(join(root, sub)).flatMap((path) =>
    (loadAllYaml(readFileSync(path, 'utf8')) as Array<Record<string, unknown> | null>)
      .filter((doc): doc is Record<string, unknown> => doc?.kind === 'PodCliqueSet')
      .map((doc) => ({ path, file: relative(root, path), doc })),
  );
}
