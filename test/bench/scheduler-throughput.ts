// kube-scheduler's throughput on plain pods (no gang, no copse gate): `pods` pods are created while
// kube-scheduler is stopped, then it is started (with copse's extender wired in or not) and finds its
// whole queue at once, so neither creating the pods nor releasing them sets the pace. The rate is
// taken from the pods' bind times as the bench's watch saw them, first bind to last. kube-scheduler's
// own algorithm histogram (fresh, since it restarted) says what one pod's cycle cost, extender calls
// included.
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { inParallel, withNamespace } from './controllers.js';
import { bindRate, histogramSince, histogramSummary, parseHistogram, type HistogramStats } from './histogram.js';
import { ALGORITHM_HISTOGRAM, copseMetrics, extenderHistograms, schedulerMetrics } from './scheduler-metrics.js';
import { NamespaceWatch, until } from './watch.js';

const TIMEOUT_MS = 20 * 60_000;
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export interface ThroughputRun {
  extender: boolean;
  pods: number;
  /** Pods per second from the first bind to the last. */
  podsPerSec: number;
  /** From the first bind to the last. */
  firstToLastBindMs: number;
  /** From kube-scheduler reporting healthy after its start to the last bind. */
  startToAllBoundMs: number;
  /** kube-scheduler's scheduling algorithm per pod over the run (its own histogram). */
  algorithm: HistogramStats;
  /** With the extender: copse's handler time for kube-scheduler's calls over the run (the only caller then). */
  extenderCalls?: { filter: HistogramStats; prioritize: HistogramStats };
}

/** Restarts kube-scheduler, running the callback while it is down. */
export type SchedulerRestart = (whileStopped: () => Promise<void>) => Promise<void>;

function plainPod(namespace: string, i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `plain-${i}`, namespace, labels: { app: 'bench-throughput' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  } as Pod;
}

/** One run of `pods` plain pods; `extender` labels the result, `restart` wires kube-scheduler accordingly. */
export async function throughputRun(client: DynamicClient, kubeconfig: string, pods: number, extender: boolean, restart: SchedulerRestart): Promise<ThroughputRun> {
  return withNamespace(client, 'bench-tput', async (ns) => {
    const watch = new NamespaceWatch(client, ns);
    await watch.start();
    const names = Array.from({ length: pods }, (_, i) => `plain-${i}`);
    try {
      const before = extenderHistograms(await copseMetrics());
      await restart(async () => {
        await inParallel(
          names.map((_, i) => i),
          32,
          (i) => client.create(RESOURCES.pods, plainPod(ns, i)),
        );
        await until(`${pods} pods in ${ns}`, () => watch.pods.store.size === pods, TIMEOUT_MS, 50);
      });
      const tUp = performance.now();
      await until(`${pods} pods bound in ${ns}`, () => [...watch.times.values()].filter((t) => t.bound !== undefined).length === pods, TIMEOUT_MS, 20);
      const algorithm = histogramSummary(parseHistogram(await schedulerMetrics(kubeconfig), ALGORITHM_HISTOGRAM));
      const after = extenderHistograms(await copseMetrics());
      const calls = { filter: histogramSummary(histogramSince(before.filter, after.filter)), prioritize: histogramSummary(histogramSince(before.prioritize, after.prioritize)) };
      const bound = [...watch.times.values()].flatMap((t) => (t.bound === undefined ? [] : [t.bound]));
      const first = Math.min(...bound);
      const last = Math.max(...bound);
      const run: ThroughputRun = {
        extender,
        pods,
        podsPerSec: Math.round((bindRate(bound) ?? 0) * 10) / 10,
        firstToLastBindMs: Math.round(last - first),
        startToAllBoundMs: Math.round(last - tUp),
        algorithm,
        ...(extender ? { extenderCalls: calls } : {}),
      };
      log(`throughput (${extender ? 'with' : 'without'} extender): ${pods} pods at ${run.podsPerSec}/s, first to last bind ${(run.firstToLastBindMs / 1000).toFixed(1)} s; algorithm p50 ${algorithm.p50Ms} / p99 ${algorithm.p99Ms} ms over ${algorithm.n}`);
      // Empty the namespace before the next run shares the nodes and the scheduler. One DELETE per pod:
      // a deleteCollection of 1000 pods outlasts the client's timeout on a busy machine.
      await inParallel(names, 32, (name) => client.delete(RESOURCES.pods, name, ns, { gracePeriodSeconds: 0 }));
      await until(`${ns}: pods gone`, () => watch.pods.store.size === 0, TIMEOUT_MS, 100);
      return run;
    } finally {
      await watch.stop();
    }
  });
}
