// Where the local control plane keeps its things. Binaries are cached outside the
// checkout (keyed by pin), state lives per checkout so two clones never share etcd.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: the folder holding package.json. */
export function repoRoot(): string {
  // The source sits at cluster/paths.ts and compiles to dist/cluster/paths.js, so
  // walk up to the first folder with a package.json rather than count levels.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('copse: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export function cacheRoot(): string {
  const base = process.env.COPSE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'copse');
  return resolve(base);
}

export function stateDir(): string {
  return resolve(process.env.COPSE_STATE_DIR ?? join(repoRoot(), '.copse', 'cluster'));
}

/** A small stable number per state directory, used to pick a port block. */
export function stateSlot(dir: string, slots: number): number {
  const digest = createHash('sha256').update(dir).digest();
  return digest.readUInt32BE(0) % slots;
}
