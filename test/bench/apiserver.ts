// Aggregated API (live.copse.io) benchmarks.
//  - compute: the pure views from scratch, what an object made dirty by an informer event costs
//    before it can be served: the PodCliqueSet view of a 1000-pod PCS (scale-test-1000: 500
//    replicas × 2 pods, 500 gangs) and every TopologyDomain of 5,000 nodes.
//  - direct: the real server (buildApiServer over the live collections, fed by informers whose
//    client holds those same objects in memory), over HTTPS keep-alive with a front-proxy client
//    certificate, as kube-apiserver calls it: GET .../podcliquesets/NAME/status, and the Table list
//    of topologydomains that `kubectl get ltd` asks for (5,148 rows).
//  - through kube-apiserver: the status of scale-test-1000 (Grove's sample, created on the local
//    stack, measured once every pod is Ready and the view has settled, or after 10 minutes) and the
//    Table list of the TopologyDomains of 5,000 nodes (the stack's kwok nodes plus cordoned Node
//    objects the bench creates and deletes; kwok cannot keep 5,000 Ready on a shared 2-core machine),
//    each also sent straight to the stack's copse server as the baseline.
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Node, Pod } from '../../api/core/wire.js';
import type { ClusterTopologyBinding, PodCliqueSet } from '../../api/generated/types.js';
import { clusterTopology, LOCAL_LEVELS } from '../support/admission.js';
import { podCliqueSetView, topologyDomains } from '../../api/views/index.js';
import { frontProxyConfig } from '../../apiserver/authn.js';
import { Authorizer } from '../../apiserver/authz.js';
import { ResourceVersionClock } from '../../apiserver/live/clock.js';
import { liveViews, type LiveViews } from '../../apiserver/live/views.js';
import { buildApiServer } from '../../apiserver/server.js';
import { issueCert, newCa } from '../../certs/issue.js';
import { readState } from '../../cluster/local.js';
import { nodeObject, placements, resolveShape, SIMULATED_LABEL } from '../../cluster/topology.js';
import { InformerFactory } from '../../controllers/runtime/factory.js';
import type { DynamicClient, ListResult, ObjectLike } from '../../kube/dynamic.js';
import { createLogger } from '../../kube/log.js';
import { Registry } from '../../kube/metrics.js';
import type { Resource } from '../../kube/resources.js';
import { RESOURCES } from '../../kube/resources.js';
import { clique, pcsOf, simulate } from '../support/desired.js';
import { createNamespace, testClient } from '../support/dynamic.js';
import { scaleTestPcs } from './controllers.js';
import { untilQuiet } from './quiet.js';
import { summarize, type LatencyResult } from './stats.js';

export const LIVE_PCS_STATUS_DIRECT = 'live: GET status of a 1000-pod PCS, direct (HTTPS keep-alive)';
export const LIVE_TOPOLOGY_LIST_DIRECT = 'live: list topologydomains as Table, 5,000 nodes, direct';
export const LIVE_PCS_STATUS_AGGREGATED = 'live: GET status of a 1000-pod PCS through kube-apiserver';
export const LIVE_PCS_STATUS_AGGREGATED_DIRECT = 'live: GET status of a 1000-pod PCS, direct to the stack\u2019s copse server';
export const LIVE_TOPOLOGY_LIST_AGGREGATED = 'live: list topologydomains as Table through kube-apiserver (local stack)';
export const LIVE_TOPOLOGY_LIST_AGGREGATED_DIRECT = 'live: list topologydomains as Table, direct to the stack\u2019s copse server';
export const LIVE_TOPOLOGY_PAGE_AGGREGATED = 'live: one 500-row page of topologydomains as Table through kube-apiserver (kubectl\u2019s chunk)';
export const LIVE_TOPOLOGY_PAGED_AGGREGATED = 'live: whole topologydomains Table in 500-row pages through kube-apiserver';
/** The floor for a list of that size: kube-apiserver's own Table of every Node, from its watch cache. */
export const LIVE_NODE_LIST_FLOOR = 'floor: list nodes as Table from kube-apiserver itself (5,000 rows)';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const TOPOLOGY = clusterTopology('bench-topology', LOCAL_LEVELS) as unknown as ClusterTopologyBinding;

/** 5,000 Ready nodes: 4 zones × 4 blocks × 8 racks, 8 GPUs each. */
function syntheticNodes(count = 5000): Node[] {
  return Array.from({ length: count }, (_, i) => {
    const rack = i % 128;
    const block = Math.floor(rack / 8);
    const zone = Math.floor(block / 4);
    const name = `node-${i}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        resourceVersion: '1',
        creationTimestamp: '2025-01-01T00:00:00Z',
        labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `z${zone}`, 'topology.copse.io/block': `z${zone}-b${block}`, 'topology.copse.io/rack': `z${zone}-b${block}-r${rack}` },
      },
      status: { allocatable: { cpu: '64', memory: '512Gi', 'nvidia.com/gpu': '8', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    } as Node;
  });
}

/** scale-test-1000 with every pod bound and Ready, spread over the nodes. */
function bigPcs(nodes: readonly Node[]): { pcs: PodCliqueSet; graph: ReturnType<typeof simulate>; pods: Pod[] } {
  const pcs = pcsOf('scale-test-1000', { cliques: [clique('expert-worker', 2, { podSpec: { containers: [{ name: 'w', image: 'x', resources: { requests: { cpu: '1', 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } }] } })] }, 500);
  const graph = simulate(pcs);
  const pods = graph.pods.map((p, i) => ({
    ...p,
    metadata: { ...p.metadata, resourceVersion: '1' },
    spec: { ...(p.spec ?? { containers: [] }), nodeName: nodes[i % nodes.length]?.metadata?.name ?? '', schedulingGates: [] },
    status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] },
  }));
  return { pcs, graph, pods };
}

function timeLoop(name: string, iterations: number, fn: () => unknown): LatencyResult {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    fn();
    samples.push(performance.now() - s);
  }
  return summarize(name, samples, performance.now() - t0);
}

/** A DynamicClient that lists fixed objects and whose watches stay open, silent, until stopped. */
function memoryClient(objects: ReadonlyMap<string, readonly ObjectLike[]>): DynamicClient {
  const fake = {
    list: async <T>(r: Resource<T>): Promise<ListResult<T>> => ({ items: [...(objects.get(r.resource) ?? [])] as T[], resourceVersion: '1' }),
    watch: (_r: Resource, opts: { signal?: AbortSignal }): Promise<void> => new Promise((done) => opts.signal?.addEventListener('abort', () => done(), { once: true })),
  };
  return fake as unknown as DynamicClient;
}

interface Got {
  code: number;
  bytes: number;
}

function get(agent: Agent, opts: RequestOptions): Promise<Got> {
  return new Promise((resolveGet, reject) => {
    const req = request({ ...opts, agent }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolveGet({ code: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function timeRequests(name: string, iterations: number, agent: Agent, opts: RequestOptions): Promise<LatencyResult> {
  for (let i = 0; i < 10; i++) {
    const r = await get(agent, opts);
    if (r.code !== 200) throw new Error(`${name}: ${opts.path} answered ${r.code}`);
  }
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    const r = await get(agent, opts);
    samples.push(performance.now() - s);
    if (r.code !== 200) throw new Error(`${name}: ${opts.path} answered ${r.code}`);
  }
  return summarize(name, samples, performance.now() - t0);
}

/** A GET whose body is read (for its continue token). */
function getText(agent: Agent, opts: RequestOptions): Promise<{ code: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request({ ...opts, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolveGet({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A list walked in pages of `limit`, as kubectl does (--chunk-size, 500 by default): the latency of
 * every page, and of every whole walk.
 */
async function timePagedList(names: { page: string; whole: string }, iterations: number, agent: Agent, opts: RequestOptions, limit: number): Promise<LatencyResult[]> {
  const pages: number[] = [];
  const wholes: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < iterations + 2; i++) {
    const w = performance.now();
    let token: string | undefined;
    let first = true;
    while (first || token !== undefined) {
      first = false;
      const path = `${opts.path ?? ''}?limit=${limit}${token !== undefined ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const s = performance.now();
      const r = await getText(agent, { ...opts, path });
      if (i >= 2) pages.push(performance.now() - s);
      if (r.code !== 200) throw new Error(`${names.page}: ${path} answered ${r.code}: ${r.body.slice(0, 300)}`);
      token = (JSON.parse(r.body) as { metadata?: { continue?: string } }).metadata?.continue;
    }
    // Two warm-up walks, as timeRequests warms up.
    if (i >= 2) wholes.push(performance.now() - w);
  }
  const elapsed = performance.now() - t0;
  return [summarize(names.page, pages, elapsed), summarize(names.whole, wholes, elapsed)];
}

async function untilServed(views: LiveViews, pcsKey: string, domains: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(views.synced() && views.collections.podcliquesets.get(pcsKey) && views.collections.topologydomains.list().length === domains)) {
    if (Date.now() > deadline) throw new Error('the live views did not fill within 120s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pure recomputation and the in-process server at full scale. */
export async function benchLiveDirect(iterations: number): Promise<LatencyResult[]> {
  const nodes = syntheticNodes();
  const { pcs, graph, pods } = bigPcs(nodes);
  const results: LatencyResult[] = [];
  const computeN = Math.max(10, Math.floor(iterations / 20));
  results.push(timeLoop('live: compute PCS view, 1000 pods / 500 gangs', computeN, () => podCliqueSetView({ pcs, pclqs: graph.podCliques, pcsgs: graph.scalingGroups, podGangs: graph.tree.podGangs, pods })));
  const domainCount = topologyDomains([TOPOLOGY], nodes, pods).length;
  results.push(timeLoop(`live: compute all TopologyDomains, 5,000 nodes (${domainCount} domains)`, computeN, () => topologyDomains([TOPOLOGY], nodes, pods)));

  const objects = new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, [{ ...pcs, metadata: { ...pcs.metadata, resourceVersion: '1' } }]],
    [RESOURCES.podCliques.resource, graph.podCliques],
    [RESOURCES.podCliqueScalingGroups.resource, graph.scalingGroups],
    [RESOURCES.podGangs.resource, graph.tree.podGangs],
    [RESOURCES.pods.resource, pods],
    [RESOURCES.nodes.resource, nodes],
    [RESOURCES.clusterTopologyBindings.resource, [TOPOLOGY]],
  ]);
  const log = createLogger('silent');
  const factory = new InformerFactory(memoryClient(objects), log);
  const clock = new ResourceVersionClock();
  const views = liveViews(factory, { clock });
  factory.start();
  const now = new Date();
  const ca = newCa({ commonName: 'bench-serving-ca', now, validDays: 1 });
  const leaf = issueCert(ca, { commonName: 'copse-api', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });
  const proxyCa = newCa({ commonName: 'bench-front-proxy-ca', now, validDays: 1 });
  const proxyClient = issueCert(proxyCa, { commonName: 'front-proxy-client', usage: 'client', now, validDays: 1 });
  const frontProxy = frontProxyConfig({
    'requestheader-client-ca-file': proxyCa.certPem,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
  });
  // Every review allowed: the Authorizer's cache answers all but the first, as for a steady user.
  const authorizer = new Authorizer(async (sar) => ({ ...sar, status: { allowed: true } }));
  const server = buildApiServer({
    tls: leaf,
    clientCaPem: proxyCa.certPem,
    state: { frontProxy: () => frontProxy, ready: () => undefined, synced: () => views.synced() },
    authorizer,
    collections: views.collections,
    clock,
    log,
    metrics: new Registry(),
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = server.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await untilServed(views, `ns/${pcs.metadata.name ?? ''}`, domainCount);
    const base: RequestOptions = { host: '127.0.0.1', port, ca: ca.certPem, cert: proxyClient.certPem, key: proxyClient.keyPem, headers: { 'X-Remote-User': 'bench', 'X-Remote-Group': 'system:authenticated' } };
    results.push(await timeRequests(LIVE_PCS_STATUS_DIRECT, iterations, agent, { ...base, path: `/apis/live.copse.io/v1alpha1/namespaces/ns/podcliquesets/${pcs.metadata.name ?? ''}/status`, headers: { ...base.headers, accept: 'application/json' } }));
    results.push(await timeRequests(LIVE_TOPOLOGY_LIST_DIRECT, Math.max(20, Math.floor(iterations / 10)), agent, { ...base, path: '/apis/live.copse.io/v1alpha1/topologydomains', headers: { ...base.headers, accept: TABLE_ACCEPT } }));
  } finally {
    agent.destroy();
    await server.close();
    views.stop();
    await factory.shutdown();
  }
  return results;
}

/** The number of Nodes the cluster has now (one list call, for the report). */
async function nodeCount(client: ReturnType<typeof testClient>): Promise<number> {
  return (await client.list(RESOURCES.nodes)).items.length;
}

export const BENCH_NODE_LABEL = 'copse.io/bench';

/**
 * Nodes up to `total`, created directly as Node objects, not managed by kwok: on the shared 2-core
 * machine kwok could not keep 5,000 simulated nodes Ready (an attempt left 1,700 Unknown and 1,100
 * NotReady after creation took 18 minutes). They carry the local ClusterTopologyBinding's labels
 * (4 zones, blocks of 8 racks × 16 hosts) and a Ready condition, and are cordoned, so the scheduler
 * never binds a pod where nothing would run it. Without kubelet leases the node lifecycle controller
 * marks them Unknown and taints them about 40 s after creation: the topology view sees them as
 * unschedulable then (free 0), which changes the numbers it shows, not the work of serving them.
 */
export async function ensureBenchNodes(client: ReturnType<typeof testClient>, total: number, purpose = 'live'): Promise<number> {
  // A previous run's bench nodes may still be there (their deletion outlasts the client's timeout
  // and the stack's etcd is kept): they count, and only the names still missing are created.
  const nodes = (await client.list(RESOURCES.nodes)).items;
  const ours = new Set(nodes.filter((n) => n.metadata?.labels?.[BENCH_NODE_LABEL] === purpose).map((n) => n.metadata?.name ?? ''));
  const want = total - (nodes.length - ours.size);
  if (want <= 0) return 0;
  const shape = resolveShape({ nodes: want, zones: 4, racksPerBlock: 8, hostsPerRack: 16 });
  const queue = placements(shape).map((p): Node => {
    const name = `bench-${purpose}-${p.name.replace(/^kwok-/, '')}`;
    const base = nodeObject({ ...p, name }, shape) as unknown as Node;
    const { [SIMULATED_LABEL]: _sim, ...labels } = base.metadata?.labels ?? {};
    return {
      ...base,
      metadata: { name, labels: { ...labels, [BENCH_NODE_LABEL]: purpose } },
      spec: { unschedulable: true },
      status: { ...base.status, conditions: [{ type: 'Ready', status: 'True', reason: 'BenchNode', message: 'created by the live.copse.io benchmark' }] },
    } as Node;
  }).filter((n) => !ours.has(n.metadata?.name ?? ''));
  const missing = queue.length;
  // Nodes accept status on create. Bounded concurrency, as the local cluster creates its own.
  const workers = Array.from({ length: 32 }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) await client.create(RESOURCES.nodes, n);
  });
  await Promise.all(workers);
  return missing;
}

/**
 * Deletes the bench's Nodes of `purpose`, asking again while some are left (a DeleteCollection that
 * outlasts the client's timeout is cancelled with it); false when some are still there after `maxMs`.
 */
export async function deleteBenchNodes(client: ReturnType<typeof testClient>, purpose: string, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  const labelSelector = `${BENCH_NODE_LABEL}=${purpose}`;
  for (;;) {
    await client.deleteCollection(RESOURCES.nodes, undefined, { labelSelector }).catch(() => undefined);
    const left = (await client.list(RESOURCES.nodes, { labelSelector, limit: 1 }).catch(() => undefined))?.items.length;
    if (left === 0) return true;
    if (Date.now() > deadline) return false;
  }
}

interface StatusSummary {
  rv: string;
  pods: number;
  placed: number;
  ready: number;
  gangs: number;
}

async function statusSummary(agent: Agent, opts: RequestOptions): Promise<StatusSummary | undefined> {
  return new Promise((res, rej) => {
    const req = request({ ...opts, agent }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString('utf8')));
      r.on('end', () => {
        if (r.statusCode !== 200) return res(undefined);
        const v = JSON.parse(body) as { metadata?: { resourceVersion?: string }; status?: { summary?: { pods: number; podsPlaced: number; podsReady: number; gangs: number } } };
        const s = v.status?.summary;
        res({ rv: v.metadata?.resourceVersion ?? '', pods: s?.pods ?? 0, placed: s?.podsPlaced ?? 0, ready: s?.podsReady ?? 0, gangs: s?.gangs ?? 0 });
      });
    });
    req.on('error', rej);
    req.end();
  });
}

export interface AggregatedLiveResult {
  results: LatencyResult[];
  /** What was measured: the cluster's nodes and domains, and the PCS's pods when the timing started. */
  notes: string[];
}

/**
 * Through the local stack's kube-apiserver, and straight to its copse server as the baseline: the
 * status of scale-test-1000 (Grove's sample, 500 replicas × 2 pods) and the Table list of every
 * TopologyDomain of `nodes` Nodes (the stack's kwok nodes plus Node objects created to make up the
 * number; see ensureBenchNodes).
 */
export async function benchLiveAggregated(kubeconfig: string, iterations: number, nodes: number): Promise<AggregatedLiveResult> {
  const stateDir = dirname(kubeconfig);
  const state = readState(stateDir);
  if (!state) throw new Error(`no cluster state in ${stateDir}`);
  const client = testClient(kubeconfig);
  const ns = await createNamespace(client, 'bench-live');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const viaApi: RequestOptions = { host: '127.0.0.1', port: state.ports.apiserver };
  await kc.applyToHTTPSOptions(viaApi);
  const pki = (n: string) => readFileSync(join(stateDir, 'pki', n), 'utf8');
  const direct: RequestOptions = {
    host: '127.0.0.1',
    port: state.ports.aggregator,
    rejectUnauthorized: false,
    cert: pki('front-proxy-client.crt'),
    key: pki('front-proxy-client.key'),
    headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' },
  };
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })] as const;
  const results: LatencyResult[] = [];
  const notes: string[] = [];
  try {
    const tNodes = performance.now();
    const created = await ensureBenchNodes(client, nodes);
    if (created > 0) notes.push(`created ${created} Node objects directly in ${((performance.now() - tNodes) / 1000).toFixed(0)} s (cordoned, not kwok-managed)`);
    const pcs = scaleTestPcs(ns.name);
    const name = pcs.metadata.name ?? '';
    const wantPods = (pcs.spec.replicas ?? 0) * 2;
    await client.create(RESOURCES.podCliqueSets, pcs);
    const status = `/apis/live.copse.io/v1alpha1/namespaces/${ns.name}/podcliquesets/${name}/status`;
    const t0 = performance.now();
    // Wait until every pod is Ready and the view has settled (the same resourceVersion 3 s apart), or
    // until SETTLE_MS. Timing while kwok still marks pods Ready measures a saturated 2-core machine
    // (kube-apiserver, etcd, kwok and copse all busy) rather than the request path; the note says
    // which it was, so a figure taken under load is never mistaken for the quiet one.
    const SETTLE_MS = 600_000;
    let last: StatusSummary | undefined;
    let settled = false;
    while (performance.now() - t0 < SETTLE_MS) {
      const cur = await statusSummary(agents[0], { ...viaApi, path: status });
      if (cur && last && cur.rv === last.rv && cur.pods === wantPods && cur.ready === wantPods) {
        settled = true;
        break;
      }
      last = cur ?? last;
      await new Promise((r) => setTimeout(r, 3000));
    }
    const at = await statusSummary(agents[0], { ...viaApi, path: status });
    if (!at) throw new Error(`the live view of ${name} did not appear within ${SETTLE_MS / 1000}s`);
    notes.push(
      `${name}: ${at.pods}/${wantPods} pods (${at.placed} bound, ${at.ready} Ready), ${at.gangs} gangs when timing started, ${((performance.now() - t0) / 1000).toFixed(0)} s after create; view ${settled ? 'settled' : 'still changing'}`,
    );
    const quiet = await untilQuiet();
    notes.push(
      quiet.quiet
        ? `machine quiet (${(quiet.busy * 100).toFixed(0)}% busy over 5 s) after ${(quiet.waitedMs / 1000).toFixed(0)} s more`
        : `machine still ${(quiet.busy * 100).toFixed(0)}% busy after ${(quiet.waitedMs / 1000).toFixed(0)} s: the figures below were taken under load`,
    );
    const json = { accept: 'application/json' };
    const table = { accept: TABLE_ACCEPT };
    results.push(await timeRequests(LIVE_PCS_STATUS_AGGREGATED, iterations, agents[0], { ...viaApi, path: status, headers: { ...viaApi.headers, ...json } }));
    results.push(await timeRequests(LIVE_PCS_STATUS_AGGREGATED_DIRECT, iterations, agents[1], { ...direct, path: status, headers: { ...direct.headers, ...json } }));
    const list = '/apis/live.copse.io/v1alpha1/topologydomains';
    const listN = Math.max(50, Math.floor(iterations / 4));
    results.push(await timeRequests(LIVE_TOPOLOGY_LIST_AGGREGATED, listN, agents[0], { ...viaApi, path: list, headers: { ...viaApi.headers, ...table } }));
    results.push(await timeRequests(LIVE_TOPOLOGY_LIST_AGGREGATED_DIRECT, listN, agents[1], { ...direct, path: list, headers: { ...direct.headers, ...table } }));
    results.push(...(await timePagedList({ page: LIVE_TOPOLOGY_PAGE_AGGREGATED, whole: LIVE_TOPOLOGY_PAGED_AGGREGATED }, Math.max(10, Math.floor(listN / 5)), agents[0], { ...viaApi, path: list, headers: { ...viaApi.headers, ...table } }, 500)));
    results.push(await timeRequests(LIVE_NODE_LIST_FLOOR, listN, agents[0], { ...viaApi, path: '/api/v1/nodes', headers: { ...viaApi.headers, ...table } }));
    const sizes = await Promise.all([
      get(agents[0], { ...viaApi, path: status, headers: { ...viaApi.headers, ...json } }),
      get(agents[1], { ...direct, path: list, headers: { ...direct.headers, ...table } }),
      get(agents[0], { ...viaApi, path: '/api/v1/nodes', headers: { ...viaApi.headers, ...table } }),
    ]);
    const kb = (g: Got) => `${(g.bytes / 1024).toFixed(0)} KiB`;
    notes.push(`response sizes: PCS status ${kb(sizes[0])}, topologydomains Table ${kb(sizes[1])}, nodes Table ${kb(sizes[2])}`);
    const domains = await new Promise<number>((res, rej) => {
      const req = request({ ...viaApi, path: list, agent: agents[0], headers: { ...viaApi.headers, ...json } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString('utf8')));
        r.on('end', () => res(((JSON.parse(body) as { items?: unknown[] }).items ?? []).length));
      });
      req.on('error', rej);
      req.end();
    });
    notes.push(`cluster: ${await nodeCount(client)} nodes, ${domains} TopologyDomains`);
  } finally {
    for (const a of agents) a.destroy();
    await ns.cleanup();
    // Thousands of deletes outlast the client's timeout; the server finishes them regardless, and the
    // measurements are already taken, so a timeout here is only reported.
    // Thousands of deletes outlast the client's timeout, and kube-apiserver stops a DeleteCollection
    // when its client goes away: ask again until none is left. The stack's etcd is kept, so leftovers
    // would show up in every later run (the e2e suite's topology included).
    if (!(await deleteBenchNodes(client, 'live', 600_000))) notes.push('bench Node objects still there after 10 minutes: run `copse down --purge` before the tests');
    client.http.close();
  }
  return { results, notes };
}
