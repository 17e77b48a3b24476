// The scheduler benchmarks' part of `npm run bench` (issues 9 and 10): their options and the run over
// both backends of the local cluster, workload-scheduling mode `off` (copse's planner and extender)
// and `native` (kube-scheduler's own gang scheduling), in that order, the mode put back afterwards.
import { loadavg, availableParallelism } from 'node:os';
import { restartSchedulerWith, upStack } from '../../cli/stack.js';
import { status } from '../../cluster/local.js';
import { loadKubeConfig } from '../../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../../kube/dynamic.js';
import { KubeHttp } from '../../kube/http.js';
import { copseRun, serverClientLimits } from './controllers.js';
import { benchGateLift, benchRackGang } from './scheduler-gangs.js';
import { benchExtenderUnderLoad } from './scheduler-load.js';
import { type Backend, type SchedulerBenchResult, type SchedulerVerdict, deployOf, schedulerReportText, schedulerVerdicts } from './scheduler-report.js';
import { throughputRun } from './scheduler-throughput.js';
import { summarize, type LatencyResult } from './stats.js';

/** Options run.ts merges into its own parseArgs options. */
export const SCHEDULER_BENCH_OPTIONS = {
  // Only the scheduler benchmarks.
  scheduler: { type: 'boolean', default: false },
  'skip-scheduler': { type: 'boolean', default: false },
  // kwok nodes for the whole scheduler run (issue 10's rack gang asks for 1,000).
  'scheduler-nodes': { type: 'string', default: '1000' },
  // Node names per extender call (issue 9: 5,000): the kwok nodes plus cordoned Node objects.
  'extender-nodes': { type: 'string', default: '5000' },
  // Pause between the timed extender cycles, as a scheduler's queue paces them.
  'extender-interval-ms': { type: 'string', default: '20' },
  // Replicas of the scale test (2 pods each); 500 is Grove's 1000-pod test.
  'scale-replicas': { type: 'string', default: '500' },
  'plain-pods': { type: 'string', default: '1000' },
  'gate-lifts': { type: 'string', default: '30' },
  'gang-pods': { type: 'string', default: '64' },
  'gang-runs': { type: 'string', default: '3' },
  'scheduler-backends': { type: 'string', default: 'extender,native' },
} as const;

type Values = Partial<Record<keyof typeof SCHEDULER_BENCH_OPTIONS, string | boolean>>;

export interface SchedulerReport {
  result: SchedulerBenchResult;
  verdicts: SchedulerVerdict[];
  text: string;
  /** Rows for the bench's latency table. */
  latency: LatencyResult[];
}

const quiet = (): void => {};
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const load = (at: string): SchedulerBenchResult['load'][number] => ({ at, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), cpus: availableParallelism() });

/** One backend's runs, in the cluster's mode for it; results go into `result` and `latency`. */
async function benchBackend(backend: Backend, v: Values, result: SchedulerBenchResult, latency: LatencyResult[]): Promise<void> {
  const replicas = Number(v['scale-replicas']);
  const plainPods = Number(v['plain-pods']);
  const stack = await upStack({ shape: { nodes: result.nodes }, workloadScheduling: backend === 'native' ? 'native' : 'off', log: quiet });
  const kubeconfig = stack.cluster.kubeconfig;
  const client = new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig })), FIELD_MANAGERS.test);
  try {
    const { pid } = serverClientLimits();
    if (backend === 'extender') {
      const e = await benchExtenderUnderLoad(client, kubeconfig, pid, { nodes: Number(v['extender-nodes']), intervalMs: Number(v['extender-interval-ms']), replicas });
      const [cycle, filter, prioritize] = e.results;
      if (cycle && filter && prioritize) result.extender = { nodes: e.nodes, cycle, filter, prioritize, errors: e.errors, algorithm: e.algorithm, handler: e.handler };
      latency.push(...e.results);
      result.deploys.push(deployOf(backend, e.deploy));
    } else {
      result.deploys.push(deployOf(backend, await copseRun(client, pid, replicas)));
    }
    for (let i = 0; i < Number(v['gang-runs']); i++) result.rackGangs.push({ backend, ...(await benchRackGang(client, Number(v['gang-pods']))) });
    // Gate lift is the extender backend's placement gate (issue 9); native gangs have no planner.
    if (backend === 'extender' && Number(v['gate-lifts']) > 0) {
      const samples = await benchGateLift(client, Number(v['gate-lifts']));
      result.gateLift = summarize('gate lift: node schedulable → all placement gates gone (4-pod gangs)', samples.fromSchedulable, Infinity);
      result.gateLiftFromPatch = summarize('gate lift: uncordon PATCH → all placement gates gone (kube-controller-manager untaints between)', samples.fromPatch, Infinity);
      latency.push(result.gateLift, result.gateLiftFromPatch);
    }
    // Without first, so the run ends with the extender wired in, as the stack runs it.
    for (const extender of plainPods > 0 ? [false, true] : []) {
      const restart = (whileStopped: () => Promise<void>): Promise<void> => restartSchedulerWith(stack.cluster, client, { extender, whileStopped }, quiet);
      try {
        result.throughput.push({ backend, ...(await throughputRun(client, kubeconfig, plainPods, extender, restart)) });
      } catch (err) {
        if (!extender) await restartSchedulerWith(stack.cluster, client, { extender: true }, quiet);
        throw err;
      }
    }
  } finally {
    client.http.close();
  }
}

export async function runSchedulerBench(v: Values): Promise<SchedulerReport> {
  const backends = String(v['scheduler-backends']).split(',').filter((b): b is Backend => b === 'extender' || b === 'native');
  const result: SchedulerBenchResult = { load: [], nodes: Number(v['scheduler-nodes']), deploys: [], throughput: [], rackGangs: [] };
  const latency: LatencyResult[] = [];
  const modeBefore = (await status()).workloadScheduling;
  try {
    for (const backend of backends) {
      result.load.push(load(`${backend} start`));
      log(`scheduler: ${backend} backend, ${result.nodes} kwok nodes; load ${result.load.at(-1)?.loadavg.join(' ')}`);
      await benchBackend(backend, v, result, latency);
    }
  } finally {
    result.load.push(load('end'));
    if (modeBefore && (await status()).workloadScheduling !== modeBefore) await upStack({ workloadScheduling: modeBefore, log: quiet });
  }
  const verdicts = schedulerVerdicts(result);
  return { result, verdicts, text: schedulerReportText(result, verdicts), latency };
}
