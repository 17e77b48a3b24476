// The controller benchmarks' part of `npm run bench`: their command-line options, the run, and a
// text report with verdicts against issue 8's targets (medians over the runs; the machine is shared).
import { type ControllerBenchResult, type ScaleRun, benchControllers, median, writesIn } from './controllers.js';

/** Options run.ts merges into its own parseArgs options. */
export const CONTROLLER_BENCH_OPTIONS = {
  'skip-admission': { type: 'boolean', default: false },
  // The controller benchmarks take minutes per run on a busy machine: 0 skips them.
  'controller-runs': { type: 'string', default: '3' },
  'noop-passes': { type: 'string', default: '200' },
  // Pod counts beyond the scale runs' 1000 to measure the server's RSS at (comma-separated; empty: none).
  'rss-pods': { type: 'string', default: '10000' },
  nodes: { type: 'string', default: '100' },
} as const;

type Values = Partial<Record<keyof typeof CONTROLLER_BENCH_OPTIONS, string | boolean>>;

export interface Verdict {
  name: string;
  value: number;
  unit: string;
  max: number;
  ok: boolean;
}

const verdict = (name: string, value: number, unit: string, max: number): Verdict => ({ name, value, unit, max, ok: value <= max });
const secs = (ms: number): string => (ms / 1000).toFixed(1);

/** The cluster shape the controller benchmarks want (100 kwok nodes), or none when they are skipped. */
export function controllerBenchShape(v: Values): { shape?: { nodes: number } } {
  return Number(v['controller-runs']) > 0 ? { shape: { nodes: Number(v.nodes) } } : {};
}

export interface ControllerReport {
  result: ControllerBenchResult;
  text: string;
  verdicts: Verdict[];
}

/** Runs the controller benchmarks unless --controller-runs=0. */
export async function runControllerBench(kubeconfig: string, v: Values): Promise<ControllerReport | undefined> {
  const runs = Number(v['controller-runs']);
  if (!(runs > 0)) return undefined;
  const rssPods = String(v['rss-pods'] ?? '').split(',').filter(Boolean).map(Number);
  const result = await benchControllers({ kubeconfig, runs, noopPasses: Number(v['noop-passes']), rssPods });
  return { result, ...controllerReport(result) };
}

/** The copse server's writes per pod over one deploy and delete (median run), with the five largest kinds. */
function writeLines(runs: readonly ScaleRun[]): string[] {
  const counted = runs.filter((r) => r.requests);
  if (counted.length === 0) return [];
  const perRun = counted.map((r) => writesIn(r.requests ?? {}) / (r.pods ?? 1000));
  const mid = counted[perRun.indexOf(median(perRun))] ?? counted[0];
  const top = Object.entries(mid?.requests ?? {})
    .filter(([k]) => !k.startsWith('GET '))
    .slice(0, 5)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [`  copse  writes to kube-apiserver per pod (deploy + delete): ${median(perRun).toFixed(2)}   largest: ${top}`];
}

export function controllerReport(c: ControllerBenchResult): { text: string; verdicts: Verdict[] } {
  const runsOf = (kind: ScaleRun['kind']) => c.runs.filter((r) => r.kind === kind);
  const of = (kind: ScaleRun['kind'], f: (r: ScaleRun) => number | undefined): number => median(runsOf(kind).map(f).filter((x): x is number => x !== undefined));
  const list = (kind: ScaleRun['kind'], f: (r: ScaleRun) => number) => runsOf(kind).map((r) => secs(f(r))).join(', ');
  const copseDeploy = of('copse', (r) => r.deployMs);
  const floorDeploy = of('floor', (r) => r.deployMs);
  const copseDelete = of('copse', (r) => r.deleteMs);
  const floorDelete = of('floor', (r) => r.deleteMs);
  const lines = [
    `scale-test-1000 (500 replicas × 2 pods), ${runsOf('copse').length} run(s) each, medians; client qps ${c.qps} / burst ${c.burst} on both sides`,
    `  copse  deploy (create → PCS available) ${secs(copseDeploy)} s   [pods Ready ${secs(of('copse', (r) => r.podsReadyMs))} s]   runs: ${list('copse', (r) => r.deployMs)}`,
    `  floor  deploy (create → pods Ready)    ${secs(floorDeploy)} s   runs: ${list('floor', (r) => r.deployMs)}`,
    `  copse  delete (PCS and pods gone)      ${secs(copseDelete)} s   [PodGangs gone ${secs(of('copse', (r) => r.childrenGoneMs))} s]   runs: ${list('copse', (r) => r.deleteMs)}`,
    `  floor  delete (pods gone)              ${secs(floorDelete)} s   runs: ${list('floor', (r) => r.deleteMs)}`,
    `  ratio  deploy ${(copseDeploy / floorDeploy).toFixed(2)}×, delete ${(copseDelete / floorDelete).toFixed(2)}×`,
    ...writeLines(runsOf('copse')),
    ...c.rss.map((r) => `  copse server RSS with ${r.pods} pods: ${r.rssMB} MB`),
    ...[c.gate, c.noop].flatMap((r) => (r ? [`  ${r.name}: n ${r.iterations}, p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms`] : [])),
  ];
  const verdicts = [
    verdict('scale-test-1000 deploy, copse / bare-client floor', copseDeploy / floorDeploy, '×', 1.25),
    verdict('scale-test-1000 delete, copse / bare-client floor', copseDelete / floorDelete, '×', 1.25),
    ...(c.gate ? [verdict(`${c.gate.name}: p99`, c.gate.p99Ms, 'ms', 1000)] : []),
    ...(c.noop ? [verdict(`${c.noop.name}: p50`, c.noop.p50Ms, 'ms', 20), verdict('no-op PodCliqueSet pass: writes', c.noop.writes, '', 0)] : []),
    ...c.rss.filter((r) => r.pods >= 10_000).map((r) => verdict(`copse server RSS with ${r.pods} pods`, r.rssMB, 'MB', 300)),
  ];
  const verdictLines = verdicts.map((v) => `${v.ok ? 'PASS' : 'FAIL'}  ${v.name}: ${v.value.toFixed(2)} ${v.unit} (target ≤ ${v.max} ${v.unit})`);
  return { text: [...lines, '', ...verdictLines].join('\n'), verdicts };
}
