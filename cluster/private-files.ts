// Everything in a local cluster's state directory is owner-only: etcd's data, the PKI
// keys, admin-level kubeconfigs and logs would each let another local user take over
// the cluster. Files are created with their final mode (never chmod-ed after the
// content is in place), and files left behind by older copse versions are tightened.
import { chmodSync, closeSync, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Create (or reuse) a folder and make it owner-only. */
export function mkdirPrivate(dir: string): void {
  // `mode` only applies to folders mkdir creates; an existing one is tightened.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Open a file owner-only. A new file is created 0600 (whatever the umask); an existing
 * one is tightened before anything new is written to it.
 */
export function openPrivate(path: string, flags: 'w' | 'a'): number {
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** Write a whole file owner-only. */
export function writePrivate(path: string, content: string): void {
  const fd = openPrivate(path, 'w');
  try {
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** The permission bits a path should have (the owner's kept, group and others' cleared), or undefined when it is already owner-only. */
export function tightenedMode(mode: number): number | undefined {
  const perms = mode & 0o7777;
  return (perms & 0o077) === 0 ? undefined : perms & ~0o077;
}

/**
 * Make a whole state directory owner-only, for state written by copse versions that
 * created some of it world-readable. Returns the paths it changed. Symlinks are left
 * alone (chmod would follow them out of the tree).
 */
export function tightenTree(root: string): string[] {
  const changed: string[] = [];
  if (!existsSync(root)) return changed;
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    const want = tightenedMode(st.mode);
    if (want !== undefined) {
      chmodSync(path, want);
      changed.push(path);
    }
    if (st.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return changed;
}
