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
import { ExtenderClient } from './extender-client.js';
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
  const ext = new ExtenderClient(extenderUrlPrefix(), Buffer.from(caB64, 'base64').toString('utf8'));
  try {
    const names = (await client.list(RESOURCES.nodes)).items.map((n) => n.metadata?.name ?? '');
    const pod = probePod('default');
    // Warm the connection and the server's code paths, so the first TLS handshake is not a sample.
    for (let i = 0; i < 20; i++) await ext.cycle(pod, names);
    const filter: number[] = [];
    const prioritize: number[] = [];
    const both: number[] = [];
    let errors = 0;
    let deployed = false;
    let after: PathHistograms | undefined;
    const before = await pathHistograms(kubeconfig);
    const tLoop = performance.now();
    const loop = (async () => {
      while (!deployed) {
        const t = performance.now();
        try {
          const c = await ext.cycle(pod, names);
          filter.push(c.filterMs);
          prioritize.push(c.prioritizeMs);
          both.push(c.filterMs + c.prioritizeMs);
        } catch (err) {
          errors++;
          if (errors <= 3) log(`extender call failed: ${(err as Error).message}`);
        }
        const wait = o.intervalMs - (performance.now() - t);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    const deploy = await copseRun(client, serverPid, o.replicas, async () => {
      deployed = true;
      await loop;
      after = await pathHistograms(kubeconfig);
    });
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
      deploy,
      errors,
    };
  } finally {
    ext.close();
    if (!(await deleteBenchNodes(client, 'extender', 600_000))) log('bench Node objects still there after 10 minutes: run `copse down --purge` before the tests');
  }
}
