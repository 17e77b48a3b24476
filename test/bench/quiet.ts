// Waiting for a quiet machine before timing requests through the local stack. On a shared 2-core
// machine kube-apiserver, etcd, kwok, the node lifecycle controller and copse all take turns; a
// latency figure taken while they still digest thousands of new objects measures the backlog, not
// the request path. Busy share comes from /proc/stat (the whole machine, every process).
import { readFileSync } from 'node:fs';

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

/** The machine's busy share (0–1, over all cores) during `windowMs`. */
export async function busyShare(windowMs: number): Promise<number> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

export interface QuietResult {
  quiet: boolean;
  /** Busy share of the last window. */
  busy: number;
  waitedMs: number;
}

/**
 * Waits until the machine's busy share over a `windowMs` window is at most `threshold`, or until
 * `maxMs` has passed (the result says which, for the report).
 */
export async function untilQuiet(opts: { threshold?: number; windowMs?: number; maxMs?: number } = {}): Promise<QuietResult> {
  const { threshold = 0.35, windowMs = 5_000, maxMs = 180_000 } = opts;
  const t0 = Date.now();
  let busy = 1;
  while (Date.now() - t0 < maxMs) {
    busy = await busyShare(windowMs);
    if (busy <= threshold) return { quiet: true, busy, waitedMs: Date.now() - t0 };
  }
  return { quiet: false, busy, waitedMs: Date.now() - t0 };
}
