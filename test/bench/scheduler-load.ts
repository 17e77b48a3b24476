// The extender under load (issue 9): while the controllers deploy Grove's 1000-pod scale test, this
// process plays kube-scheduler against the running copse server's extender: one scheduling cycle's
// calls (filter over every node name, prioritize over the nodes that passed) for a plain pod, paced
// like a scheduler's queue, on a cluster of `nodes` Nodes (the kwok nodes plus cordoned Node objects
// created for the run, which copse's node cache holds like any other). A plain pod is the extender's
// costliest case: each node's free capacity is checked against reservations; a gang pod pinned to its
// planned node is answered by one name comparison.
// Over the same window kube-scheduler's scheduling-algorithm histogram is read (it contains its waits
// on the extender for the deploy's pods, which are pinned gang pods, so one node name per call).
// copse's own extender histogram is not: it would count this bench's calls with kube-scheduler's. The
// throughput runs read it, where kube-scheduler is the only caller.
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { deleteBenchNodes, ensureBenchNodes } from './apiserver.js';
import { type ScaleRun, copseRun, floorPods, scaleTestPcs } from './controllers.js';
import { Worker } from 'node:worker_threads';
import type { LoadThreadData, LoadThreadResult } from './extender-load-thread.js';
import { histogramSince, histogramSummary, type HistogramStats } from './histogram.js';
import { extenderUrlPrefix, pathHistograms, type PathHistograms } from './scheduler-metrics.js';
import { summarize, type LatencyResult } from './stats.js';

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export const EXTENDER_CYCLE = (nodes: number): string => `extender: filter + prioritize, ${nodes.toLocaleString('en-US')} node names, during a 1000-pod deploy`;

export interface ExtenderLoadResult {
  nodes: number;
  results: LatencyResult[];
  /** What the real components observed over the deploy. */
  /** kube-scheduler's scheduling algorithm per pod over the deploy. */
  algorithm: HistogramStats;
  deploy: ScaleRun;
  errors: number;
  /** copse's own handler time over the deploy (its histogram: this bench's calls and kube-scheduler's). */
  handler: { filter: HistogramStats; prioritize: HistogramStats };
}

/** The pod kube-scheduler would send for a plain pod of the scale test's shape (not a gang member). */
function probePod(namespace: string): Pod {
  const template = floorPods(scaleTestPcs(namespace, 'probe', 1))[0];
  if (!template) throw new Error('bench: the scale test has no pods');
  return {
    ...template,
    metadata: { ...template.metadata, name: 'bench-extender-probe', namespace, uid: '00000000-0000-4000-8000-000000000001', resourceVersion: '1', creationTimestamp: new Date().toISOString() },
    spec: { ...template.spec, containers: template.spec?.containers ?? [], schedulingGates: [] },
    status: { phase: 'Pending' },
  } as Pod;
}

export async function benchExtenderUnderLoad(client: DynamicClient, kubeconfig: string, serverPid: number, o: { nodes: number; intervalMs: number; replicas?: number }): Promise<ExtenderLoadResult> {
  const tNodes = performance.now();
  const created = await ensureBenchNodes(client, o.nodes, 'extender');
  if (created > 0) log(`extender: created ${created} cordoned Node objects in ${((performance.now() - tNodes) / 1000).toFixed(0)} s`);
  const cfg = await client.get(RESOURCES.validatingWebhookConfigurations, 'podcliqueset-validating-webhook');
  const caB64 = cfg.webhooks?.[0]?.clientConfig.caBundle;
  if (!caB64) throw new Error('bench: no caBundle on podcliqueset-validating-webhook');
  let thread: Worker | undefined;
  try {
    const names = (await client.list(RESOURCES.nodes)).items.map((n) => n.metadata?.name ?? '');
    const data: LoadThreadData = { urlPrefix: extenderUrlPrefix(), caPem: Buffer.from(caB64, 'base64').toString('utf8'), pod: probePod('default'), names, intervalMs: o.intervalMs, warmup: 20 };
    thread = new Worker(new URL('./extender-load-thread.js', import.meta.url), { workerData: data });
    const t = thread;
    const finished = new Promise<LoadThreadResult>((resolve, reject) => {
      t.on('message', (m: { type: string; result?: LoadThreadResult }) => m.type === 'done' && m.result && resolve(m.result));
      t.on('error', reject);
      t.on('exit', (code) => reject(new Error(`bench: the extender load thread exited with code ${code} before its results`)));
    });
    await new Promise<void>((resolve, reject) => {
      t.on('message', (m: { type: string }) => m.type === 'warm' && resolve());
      void finished.catch(reject);
    });
    let after: PathHistograms | undefined;
    const before = await pathHistograms(kubeconfig);
    const tLoop = performance.now();
    const deploy = await copseRun(client, serverPid, o.replicas, async () => {
      t.postMessage({ type: 'stop' });
      after = await pathHistograms(kubeconfig);
    });
    const { filter, prioritize, both, errors, firstErrors } = await finished;
    for (const e of firstErrors) log(`extender call failed: ${e}`);
    const wall = performance.now() - tLoop;
    if (!after) throw new Error('bench: the deploy ended without becoming available');
    const n = names.length;
    const results = [
      summarize(EXTENDER_CYCLE(n), both, wall),
      summarize(`extender: filter only, ${n.toLocaleString('en-US')} node names, during a 1000-pod deploy`, filter, wall),
      summarize(`extender: prioritize only, over the nodes that passed`, prioritize, wall),
    ];
    log(`extender: ${both.length} cycles over ${n} nodes during the deploy, p50 ${results[0]?.p50Ms} ms, p99 ${results[0]?.p99Ms} ms, ${errors} errors`);
    return {
      nodes: n,
      results,
      algorithm: histogramSummary(histogramSince(before.algorithm, after.algorithm)),
      handler: { filter: histogramSummary(histogramSince(before.filter, after.filter)), prioritize: histogramSummary(histogramSince(before.prioritize, after.prioritize)) },
      deploy,
      errors,
    };
  } finally {
    await thread?.terminate();
    if (!(await deleteBenchNodes(client, 'extender', 600_000))) log('bench Node objects still there after 10 minutes: run `copse down --purge` before the tests');
  }
}
