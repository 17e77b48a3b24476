// The scheduler benchmarks' results, their verdicts against issues 9 and 10, and the text report.
// Pure: results in, verdicts and lines out.
import type { ScaleRun } from './controllers.js';
import type { HistogramStats } from './histogram.js';
import type { RackGangRun } from './scheduler-gangs.js';
import type { ThroughputRun } from './scheduler-throughput.js';
import type { LatencyResult } from './stats.js';

export type Backend = 'extender' | 'native';

export interface SchedulerBenchResult {
  /** Load averages (1, 5, 15 min) and cores when each backend's runs started and when all ended. */
  load: { at: string; loadavg: number[]; cpus: number }[];
  nodes: number;
  extender?: {
    nodes: number;
    cycle: LatencyResult;
    filter: LatencyResult;
    prioritize: LatencyResult;
    errors: number;
    /** kube-scheduler's scheduling algorithm per pod over the deploy. */
    algorithm: HistogramStats;
    /** copse's handler time over the deploy, every caller (its histogram's buckets). */
    handler?: { filter: HistogramStats; prioritize: HistogramStats };
  };
  /** The 1000-pod scale test per backend: create → all Ready, create → PCS available. */
  deploys: { backend: Backend; pods: number; podsReadyMs: number; deployMs: number; deleteMs: number }[];
  throughput: (ThroughputRun & { backend: Backend })[];
  /** From the node being schedulable (uncordoned and untainted) to all gates gone: copse's part. */
  gateLift?: LatencyResult;
  /** From the uncordon PATCH: kube-controller-manager's removal of the unschedulable taint included. */
  gateLiftFromPatch?: LatencyResult;
  rackGangs: (RackGangRun & { backend: Backend })[];
}

export interface SchedulerVerdict {
  name: string;
  value: number;
  unit: string;
  target: string;
  ok: boolean;
}

export const EXTENDER_P99_MAX_MS = 20;
export const THROUGHPUT_RATIO_MIN = 0.5;
export const GATE_LIFT_P99_MAX_MS = 1000;

export function deployOf(backend: Backend, run: ScaleRun): SchedulerBenchResult['deploys'][number] {
  return { backend, pods: run.pods ?? 0, podsReadyMs: Math.round(run.podsReadyMs), deployMs: Math.round(run.deployMs), deleteMs: Math.round(run.deleteMs) };
}

/** with / without, per backend that has both runs (the first of each). */
export function throughputRatios(runs: readonly (ThroughputRun & { backend: Backend })[]): { backend: Backend; with: number; without: number; ratio: number }[] {
  const out: { backend: Backend; with: number; without: number; ratio: number }[] = [];
  for (const backend of ['extender', 'native'] as const) {
    const w = runs.find((r) => r.backend === backend && r.extender);
    const wo = runs.find((r) => r.backend === backend && !r.extender);
    if (w && wo && wo.podsPerSec > 0) out.push({ backend, with: w.podsPerSec, without: wo.podsPerSec, ratio: Math.round((w.podsPerSec / wo.podsPerSec) * 100) / 100 });
  }
  return out;
}

export function schedulerVerdicts(r: SchedulerBenchResult): SchedulerVerdict[] {
  const out: SchedulerVerdict[] = [];
  if (r.extender) {
    const v = r.extender.cycle.p99Ms;
    out.push({ name: `extender filter + prioritize p99, ${r.extender.nodes} nodes, under a 1000-pod deploy`, value: v, unit: 'ms', target: `≤ ${EXTENDER_P99_MAX_MS} ms`, ok: v <= EXTENDER_P99_MAX_MS });
  }
  for (const t of throughputRatios(r.throughput)) {
    out.push({ name: `plain-pod throughput with extender / without (${t.backend} mode: ${t.with} vs ${t.without} pods/s)`, value: t.ratio, unit: '×', target: `≥ ${THROUGHPUT_RATIO_MIN}`, ok: t.ratio >= THROUGHPUT_RATIO_MIN });
  }
  if (r.gateLift) {
    const v = r.gateLift.p99Ms;
    out.push({ name: `gate lift p99 over ${r.gateLift.iterations} gangs (node schedulable → all gates gone)`, value: v, unit: 'ms', target: `≤ ${GATE_LIFT_P99_MAX_MS} ms`, ok: v <= GATE_LIFT_P99_MAX_MS });
  }
  return out;
}

const s = (ms: number): string => (ms / 1000).toFixed(1);
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] ?? NaN) : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
}

/** The report's lines: one block per benchmark, each backend side by side where both ran. */
/** The extender-under-load lines of the report (none without that run). */
function extenderLines(r: SchedulerBenchResult): string[] {
  const e = r.extender;
  if (!e) return [];
  const lines: string[] = [];
  lines.push(`  extender, ${e.nodes} node names, timed calls during the deploy (n=${e.cycle.iterations}, ${e.errors} errors): filter+prioritize p50 ${ms(e.cycle.p50Ms)} / p99 ${ms(e.cycle.p99Ms)} ms; filter p99 ${ms(e.filter.p99Ms)}, prioritize p99 ${ms(e.prioritize.p99Ms)} ms`);
  const h = e.handler;
  if (h) lines.push(`    copse's handler time over the deploy (this bench's calls and kube-scheduler's): filter n=${h.filter.n} p50 ${ms(h.filter.p50Ms)} / p99 ${ms(h.filter.p99Ms)} ms, prioritize p50 ${ms(h.prioritize.p50Ms)} / p99 ${ms(h.prioritize.p99Ms)} ms`);
  const a = e.algorithm;
  lines.push(`  kube-scheduler's scheduling algorithm per pod over the deploy (extender waits included): n=${a.n} p50 ${ms(a.p50Ms)} / p99 ${ms(a.p99Ms)} ms, mean ${ms(a.meanMs)} ms`);
  return lines;
}

export function schedulerReportText(r: SchedulerBenchResult, verdicts: readonly SchedulerVerdict[]): string {
  const lines: string[] = [`Scheduler benchmarks (${r.nodes} kwok nodes)`];
  for (const l of r.load) lines.push(`  load ${l.at}: ${l.loadavg.map((x) => x.toFixed(2)).join(' ')} (${l.cpus} cores)`);
  lines.push(...extenderLines(r));
  for (const d of r.deploys) lines.push(`  scale test (${d.pods} pods) on the ${d.backend} backend: all Ready ${s(d.podsReadyMs)} s, PCS available ${s(d.deployMs)} s, deleted ${s(d.deleteMs)} s`);
  for (const t of r.throughput) {
    lines.push(
      `  plain pods, ${t.backend} mode, ${t.extender ? 'with' : 'without'} extender: ${t.pods} pods at ${t.podsPerSec}/s (first to last bind ${s(t.firstToLastBindMs)} s, scheduler start to all bound ${s(t.startToAllBoundMs)} s); algorithm p50 ${ms(t.algorithm.p50Ms)} / p99 ${ms(t.algorithm.p99Ms)} ms`,
    );
    const c = t.extenderCalls;
    if (c) lines.push(`      its extender calls (kube-scheduler the only caller), copse handler time: filter n=${c.filter.n} p50 ${ms(c.filter.p50Ms)} / p99 ${ms(c.filter.p99Ms)} ms, prioritize n=${c.prioritize.n} p50 ${ms(c.prioritize.p50Ms)} / p99 ${ms(c.prioritize.p99Ms)} ms`);
  }
  if (r.gateLift) lines.push(`  gate lift over ${r.gateLift.iterations} gangs, from the node schedulable: p50 ${ms(r.gateLift.p50Ms)} / p99 ${ms(r.gateLift.p99Ms)} / max ${ms(r.gateLift.maxMs)} ms`);
  const fp = r.gateLiftFromPatch;
  if (fp) lines.push(`    from the uncordon PATCH (kube-controller-manager's untaint included): p50 ${ms(fp.p50Ms)} / p99 ${ms(fp.p99Ms)} / max ${ms(fp.maxMs)} ms`);
  for (const backend of ['extender', 'native'] as const) {
    const runs = r.rackGangs.filter((g) => g.backend === backend);
    if (!runs.length) continue;
    const held = [...new Set(runs.map((g) => g.heldBy))].join(', ');
    const racks = runs.map((g) => g.racks.length);
    lines.push(`  ${runs[0]?.pods}-pod rack gang, ${backend} mode (held by ${held}), ${runs.length} runs: all bound median ${s(median(runs.map((g) => g.boundMs)))} s (${runs.map((g) => s(g.boundMs)).join(', ')}); racks used per run ${racks.join(', ')}`);
    lines.push(`    medians: all created ${s(median(runs.map((g) => g.createdMs)))} s, all gates lifted ${s(median(runs.map((g) => g.releasedMs)))} s, first bound ${s(median(runs.map((g) => g.firstBoundMs)))} s`);
  }
  for (const v of verdicts) lines.push(`${v.ok ? 'PASS' : 'FAIL'}  ${v.name}: ${v.unit === '×' ? v.value.toFixed(2) : ms(v.value)} ${v.unit} (target ${v.target})`);
  return lines.join('\n');
}
