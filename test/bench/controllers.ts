// Controller benchmarks on the real local control plane (issue 8):
//  - Grove's 1000-pod scale test (scale-test-1000.yaml: 500 replicas × 2 pods) applied unchanged but
//    for its namespace: apply → all pods Ready → PCS available, then delete → PCS and pods gone;
//  - in the same run the bare-client floor: the same 1000 pods (api/desired builds them, without
//    copse's gate and owner) created and then deleted by a minimal client with the copse server's
//    client QPS and burst, so the ratio shows what copse adds over Kubernetes itself;
//  - gate-removal latency over the copse runs (see NamespaceWatch.gateLatenciesMs);
//  - a no-op PodCliqueSet pass over the 1000-pod PCS, timed in this process against synced
//    caches with the controllers' own reconciler (and checked to write nothing);
//  - the copse server's RSS (/proc/<pid>/status VmRSS) with 1000 and with 10,000 managed pods.
// Runs alternate copse and floor so that the machine's noise (other work on the same cores) hits
// both alike; the table reports medians.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../../api/keys.js';
import { SERVER_PROCESS } from '../../cli/stack.js';
import { controllerConfig, parseServeOptions } from '../../cli/serve.js';
import { readState } from '../../cluster/local.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { registerControllers } from '../../controllers/index.js';
import { Manager } from '../../controllers/runtime/manager.js';
import { loadKubeConfig } from '../../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../../kube/dynamic.js';
import { KubeHttp } from '../../kube/http.js';
import { createLogger } from '../../kube/log.js';
import { RESOURCES, objectKey } from '../../kube/resources.js';
import { persisted, simulate } from '../support/desired.js';
import { podCliqueSetDocs } from '../support/grove-samples.js';
import { NamespaceWatch, formatTimeline, stageTimeline, until } from './watch.js';
import { type LatencyResult, summarize } from './stats.js';

const silent = createLogger('silent');
const SCALE_TEST_FILE = 'e2e-workloads/scale-test-1000.yaml';
const DEPLOY_TIMEOUT_MS = 60 * 60_000;

export interface ScaleRun {
  kind: 'copse' | 'floor';
  /** copse: create → PCS availableReplicas = replicas; floor: first create → all pods Ready. */
  deployMs: number;
  /** create → all pods Ready (both). */
  podsReadyMs: number;
  /** copse: delete → PCS and all pods gone; floor: delete → all pods gone. */
  deleteMs: number;
  /** copse only: delete → PodCliques and PodGangs gone too (Kubernetes' garbage collector). */
  childrenGoneMs?: number;
  /** copse only: the server's VmRSS with the PCS available. */
  rssMB?: number;
  gateLatenciesMs?: number[];
  /** Pods the run deployed. */
  pods?: number;
  /** copse only: the server's requests to kube-apiserver over deploy and delete, `VERB resource code` → count. */
  requests?: Record<string, number>;
}

/** The copse server's request counters (copse_kube_request_duration_seconds_count), `VERB resource code` → count. */
export async function serverRequestCounts(): Promise<Map<string, number>> {
  const state = readState(stateDir());
  if (!state) throw new Error('bench: no local cluster state');
  const text = await (await fetch(`http://127.0.0.1:${state.ports.metrics}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^copse_kube_request_duration_seconds_count\{(.*)\} (\d+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    counts.set(`${labels['verb'] ?? ''} ${labels['resource'] ?? ''} ${labels['code'] ?? ''}`, Number(m[2]));
  }
  return counts;
}

/** What `after` counted beyond `before`, largest first. */
export function countsSince(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> {
  const rows = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, d]) => d > 0);
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]));
}

/** Writes (anything but GET) in a request count table. */
export function writesIn(requests: Record<string, number>): number {
  return Object.entries(requests).reduce((n, [k, v]) => (k.startsWith('GET ') ? n : n + v), 0);
}

export interface ControllerBenchResult {
  qps: number;
  burst: number;
  runs: ScaleRun[];
  noop?: LatencyResult & { writes: number };
  rss: { pods: number; rssMB: number }[];
  gate?: LatencyResult;
}

/** Grove's scale-test-1000 PodCliqueSet, renamed and placed in `namespace`. */
export function scaleTestPcs(namespace: string, name = 'scale-test-1000', replicas?: number): PodCliqueSet {
  const doc = podCliqueSetDocs('e2e-workloads').find((d) => d.file === SCALE_TEST_FILE);
  if (!doc) throw new Error(`bench: ${SCALE_TEST_FILE} not found under the Grove samples`);
  const pcs = structuredClone(doc.doc) as unknown as PodCliqueSet;
  return {
    ...pcs,
    metadata: { ...pcs.metadata, name, namespace },
    spec: { ...pcs.spec, ...(replicas !== undefined ? { replicas } : {}) },
  };
}

/** The pods copse creates for `pcs`, as a bare client would create them: no gang gate, no owner. */
export function floorPods(pcs: PodCliqueSet): Pod[] {
  return simulate(persisted(structuredClone(pcs))).pods.map((p) => {
    const { name: _n, uid: _u, creationTimestamp: _c, ownerReferences: _o, ...metadata } = p.metadata ?? {};
    const gates = (p.spec?.schedulingGates ?? []).filter((g) => g.name !== SCHEDULING_GATE_PODGANG_PENDING_CREATION);
    return { ...p, metadata: { ...metadata, namespace: pcs.metadata.namespace }, spec: { ...p.spec, containers: p.spec?.containers ?? [], schedulingGates: gates } };
  });
}

/** The QPS and burst of the running copse server, read from its recorded command line. */
export function serverClientLimits(): { qps: number; burst: number; pid: number } {
  const rec = readRecord(stateDir(), SERVER_PROCESS);
  if (!rec || !isRunning(rec)) throw new Error('bench: the copse server is not running');
  const at = rec.args.indexOf('serve');
  const o = parseServeOptions(rec.args.slice(at + 1), {});
  return { qps: o.qps, burst: o.burst, pid: rec.pid };
}

/** VmRSS of `pid` in MB (10^6 bytes; /proc reports KiB). */
export function rssMB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`bench: no VmRSS for pid ${pid}`);
  return Math.round((Number(m[1]) * 1024) / 1e5) / 10;
}

export async function withNamespace<T>(client: DynamicClient, prefix: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `${prefix}-${Math.random().toString(16).slice(2, 8)}`;
  await client.create(RESOURCES.namespaces, { metadata: { name: ns, labels: { 'copse.io/bench': 'true' } } });
  try {
    return await fn(ns);
  } finally {
    await client.delete(RESOURCES.namespaces, ns, undefined);
  }
}

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/** One copse run of the scale test in a fresh namespace. */
export async function copseRun(client: DynamicClient, serverPid: number, replicasOverride?: number, onAvailable?: () => Promise<void>): Promise<ScaleRun> {
  return withNamespace(client, 'bench-copse', async (ns) => {
    const watch = new NamespaceWatch(client, ns);
    await watch.start();
    try {
      const pcs = scaleTestPcs(ns, undefined, replicasOverride);
      const replicas = pcs.spec.replicas ?? 0;
      const pods = replicas * 2;
      const countsBefore = await serverRequestCounts();
      const t0 = performance.now();
      await client.create(RESOURCES.podCliqueSets, pcs);
      const tReady = await until(`${pods} Ready pods in ${ns}`, () => watch.podCounts().ready === pods, DEPLOY_TIMEOUT_MS, 20);
      const tAvailable = await until(`${ns}/${pcs.metadata.name} available`, () => watch.pcs.store.list()[0]?.status?.availableReplicas === replicas, DEPLOY_TIMEOUT_MS, 20);
      log(`copse: ${pods} pods Ready after ${((tReady - t0) / 1000).toFixed(1)} s, PCS available after ${((tAvailable - t0) / 1000).toFixed(1)} s`);
      for (const line of formatTimeline(stageTimeline(watch.times, watch.referencedAt, t0, pods))) log(`copse: ${line}`);
      // The scheduler benchmarks measure while the deploy runs and read their counters here, before the delete.
      await onAvailable?.();
      await new Promise((r) => setTimeout(r, 5000));
      const rss = rssMB(serverPid);
      const t1 = performance.now();
      await client.delete(RESOURCES.podCliqueSets, pcs.metadata.name ?? '', ns);
      const tDeleted = await until(`${ns}: PCS and pods gone`, () => watch.pcs.store.size === 0 && watch.pods.store.size === 0, DEPLOY_TIMEOUT_MS, 20);
      const tChildren = await until(`${ns}: PodCliques and PodGangs gone`, () => watch.gangs.store.size === 0, DEPLOY_TIMEOUT_MS, 100);
      log(`copse: PCS and pods gone after ${((tDeleted - t1) / 1000).toFixed(1)} s, gangs after ${((tChildren - t1) / 1000).toFixed(1)} s`);
      const requests = countsSince(countsBefore, await serverRequestCounts());
      log(`copse: ${writesIn(requests)} writes to kube-apiserver for ${pods} pods (deploy and delete)`);
      log(`copse: most frequent requests: ${Object.entries(requests).slice(0, 12).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
      return {
        kind: 'copse',
        deployMs: tAvailable - t0,
        podsReadyMs: tReady - t0,
        deleteMs: tDeleted - t1,
        childrenGoneMs: tChildren - t1,
        rssMB: rss,
        gateLatenciesMs: watch.gateLatenciesMs(),
        pods,
        requests,
      };
    } finally {
      await watch.stop();
    }
  });
}

/** Runs `fn` over `items` with `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** One bare-client run: the same pods, created and deleted without copse. */
export async function floorRun(client: DynamicClient, kubeconfig: string, qps: number, burst: number): Promise<ScaleRun> {
  const bare = new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig }), { qps, burst }), FIELD_MANAGERS.test);
  try {
    return await withNamespace(client, 'bench-floor', async (ns) => {
      const watch = new NamespaceWatch(client, ns);
      await watch.start();
      try {
        const pcs = scaleTestPcs(ns);
        const pods = floorPods(pcs);
        const t0 = performance.now();
        await inParallel(pods, 32, (p) => bare.create(RESOURCES.pods, p));
        const tReady = await until(`${pods.length} Ready pods in ${ns}`, () => watch.podCounts().ready === pods.length, DEPLOY_TIMEOUT_MS, 20);
        log(`floor: ${pods.length} pods Ready after ${((tReady - t0) / 1000).toFixed(1)} s`);
        for (const line of formatTimeline(stageTimeline(watch.times, watch.referencedAt, t0, pods.length))) log(`floor: ${line}`);
        const t1 = performance.now();
        // One DELETE per pod, as a minimal controller would: a server-side deleteCollection of 1000 pods
        // outlasts the client's request timeout on a busy machine.
        const names = watch.pods.store.list().map((p) => p.metadata?.name ?? '');
        await inParallel(names, 32, (name) => bare.delete(RESOURCES.pods, name, ns));
        const tDeleted = await until(`${ns}: pods gone`, () => watch.pods.store.size === 0, DEPLOY_TIMEOUT_MS, 20);
        log(`floor: pods gone after ${((tDeleted - t1) / 1000).toFixed(1)} s`);
        return { kind: 'floor', deployMs: tReady - t0, podsReadyMs: tReady - t0, deleteMs: tDeleted - t1 };
      } finally {
        await watch.stop();
      }
    });
  } finally {
    bare.http.close();
  }
}

/**
 * No-op PodCliqueSet passes: the scale-test PCS is deployed and available, this process syncs the
 * same informers the server uses and runs the controllers' PodCliqueSet reconciler on it `n` times.
 * Every request the passes make is counted; a converged PCS must cost none.
 */
export async function noopReconcile(client: DynamicClient, kubeconfig: string, n: number): Promise<LatencyResult & { writes: number }> {
  return withNamespace(client, 'bench-noop', async (ns) => {
    const watch = new NamespaceWatch(client, ns);
    await watch.start();
    const pcs = scaleTestPcs(ns);
    const replicas = pcs.spec.replicas ?? 0;
    await client.create(RESOURCES.podCliqueSets, pcs);
    try {
      await until(`${ns} available`, () => watch.pcs.store.list()[0]?.status?.availableReplicas === replicas, DEPLOY_TIMEOUT_MS, 100);
      let requests = 0;
      const counting = new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig }), { observe: (verb) => void (verb !== 'GET' && requests++) }), FIELD_MANAGERS.controller);
      const manager = new Manager({ client: counting, log: silent });
      const controllers = registerControllers(manager, controllerConfig(parseServeOptions([], {})), silent);
      manager.informers.start();
      await manager.informers.waitForSync();
      // Let the status writes of the last pods settle in the caches.
      await new Promise((r) => setTimeout(r, 5000));
      const key = objectKey(ns, pcs.metadata.name ?? '');
      const signal = new AbortController().signal;
      for (let i = 0; i < 5; i++) await controllers.podCliqueSet.reconciler.reconcile(key, silent, signal);
      requests = 0;
      const samples: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        await controllers.podCliqueSet.reconciler.reconcile(key, silent, signal);
        samples.push(performance.now() - s);
      }
      const result = { ...summarize(`no-op PodCliqueSet pass, ${replicas * 2} pods (in-process, synced caches)`, samples, performance.now() - t0), writes: requests };
      await manager.informers.shutdown();
      counting.http.close();
      return result;
    } finally {
      await client.delete(RESOURCES.podCliqueSets, pcs.metadata.name ?? '', ns);
      await until(`${ns}: pods gone`, () => watch.pods.store.size === 0, DEPLOY_TIMEOUT_MS, 100);
      await watch.stop();
    }
  });
}

/**
 * The server's RSS with `pods` managed pods: `pods / 1000` copies of the scale test in one namespace,
 * measured once every pod is Ready and every PCS available.
 */
export async function rssWith(client: DynamicClient, serverPid: number, pods: number): Promise<{ pods: number; rssMB: number }> {
  return withNamespace(client, 'bench-rss', async (ns) => {
    const watch = new NamespaceWatch(client, ns);
    await watch.start();
    const copies = Math.max(1, Math.round(pods / 1000));
    const all = Array.from({ length: copies }, (_, i) => scaleTestPcs(ns, `scale-test-${i}`));
    try {
      for (const pcs of all) await client.create(RESOURCES.podCliqueSets, pcs);
      await until(`${pods} Ready pods in ${ns}`, () => watch.podCounts().ready === copies * 1000, DEPLOY_TIMEOUT_MS * 3, 500);
      await until(`${copies} PCS available`, () => watch.pcs.store.list().filter((p) => p.status?.availableReplicas === p.spec.replicas).length === copies, DEPLOY_TIMEOUT_MS, 500);
      // Settle: let the last status writes and a garbage collection go by.
      await new Promise((r) => setTimeout(r, 15_000));
      const rss = rssMB(serverPid);
      log(`rss: ${rss} MB with ${copies * 1000} pods`);
      return { pods: copies * 1000, rssMB: rss };
    } finally {
      for (const pcs of all) await client.delete(RESOURCES.podCliqueSets, pcs.metadata.name ?? '', ns);
      await until(`${ns}: pods gone`, () => watch.pods.store.size === 0, DEPLOY_TIMEOUT_MS * 3, 500);
      await watch.stop();
    }
  });
}

export interface ControllerBenchOptions {
  kubeconfig: string;
  runs: number;
  noopPasses: number;
  /** Pod counts to measure the server's RSS at, beyond the 1000 of the scale runs. */
  rssPods: number[];
}

export async function benchControllers(o: ControllerBenchOptions): Promise<ControllerBenchResult> {
  const { qps, burst, pid } = serverClientLimits();
  log(`copse server pid ${pid}, client qps ${qps} burst ${burst}; the floor uses the same`);
  const client = new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig: o.kubeconfig })), FIELD_MANAGERS.test);
  const runs: ScaleRun[] = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      runs.push(await copseRun(client, pid));
      runs.push(await floorRun(client, o.kubeconfig, qps, burst));
    }
    const gateSamples = runs.flatMap((r) => r.gateLatenciesMs ?? []);
    const gate = gateSamples.length ? summarize('gate removal after the gang condition holds (1000-pod runs)', gateSamples, Infinity) : undefined;
    const noop = o.noopPasses > 0 ? await noopReconcile(client, o.kubeconfig, o.noopPasses) : undefined;
    const rss: { pods: number; rssMB: number }[] = runs.filter((r) => r.rssMB !== undefined).map((r) => ({ pods: 1000, rssMB: r.rssMB ?? 0 }));
    for (const n of o.rssPods) rss.push(await rssWith(client, pid, n));
    return { qps, burst, runs, ...(noop ? { noop } : {}), rss, ...(gate ? { gate } : {}) };
  } finally {
    client.http.close();
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
