// The embedded local control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok, all bound to 127.0.0.1, started from cached upstream
// binaries. `up` is idempotent: it starts only what is not already running and
// reconciles the simulated nodes to the requested shape.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { peerUrlUpdate, type EtcdMemberList } from './etcd-members.js';
import { kwokStagesYaml } from './kwok-stages.js';
import { ensurePki, FRONT_PROXY_CLIENT_CN, pkiPaths, SERVICE_CIDR, writeKubeconfigs, type CertKeyPaths } from './pki.js';
import { mkdirPrivate, tightenTree, writePrivate } from './private-files.js';
import { changedFlags, isRunning, listRecords, readRecord, startedWith, startProcess, stopProcess, tailLog } from './processes.js';
import { repoRoot, stateDir as defaultStateDir, stateSlot } from './paths.js';
import { KWOK_ANNOTATION, nodeObject, placements, resolveShape, SIMULATED_LABEL, type ClusterShape } from './topology.js';
import { binaryPath, ensureBinaries, KUBERNETES_VERSION } from './upstream.js';
import type { Node } from '../api/core/wire.js';
import { loadKubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { isAlreadyExists } from '../kube/errors.js';
import { KubeHttp } from '../kube/http.js';
import { RESOURCES } from '../kube/resources.js';
import {
  DEFAULT_WORKLOAD_SCHEDULING,
  modeOfApiserverArgs,
  workloadSchedulingFlags,
  type WorkloadSchedulingMode,
} from './workload-scheduling.js';

/** The ports of one cluster, in block order. New names go at the end, so existing clusters keep theirs. */
export const PORT_NAMES = ['etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'webhook', 'extender', 'aggregator', 'metrics'] as const;
export type PortName = (typeof PORT_NAMES)[number];
export type Ports = Record<PortName, number>;

/**
 * Each state directory owns a block of PORT_BLOCK_SIZE consecutive loopback ports in
 * [PORT_RANGE_FIRST, PORT_RANGE_END), below Linux's ephemeral range (32768+). PORT_NAMES
 * takes the first ones; the rest of the block is room for more names.
 */
export const PORT_BLOCK_SIZE = 20;
export const PORT_RANGE_FIRST = 20000;
export const PORT_RANGE_END = 32000;
export const PORT_BLOCKS = (PORT_RANGE_END - PORT_RANGE_FIRST) / PORT_BLOCK_SIZE;
if (PORT_NAMES.length > PORT_BLOCK_SIZE) throw new Error(`copse: ${PORT_NAMES.length} port names do not fit a block of ${PORT_BLOCK_SIZE}`);

/** The ports of block number `block` (0 ≤ block < PORT_BLOCKS). */
export function portBlock(block: number): Ports {
  const base = PORT_RANGE_FIRST + (block % PORT_BLOCKS) * PORT_BLOCK_SIZE;
  return Object.fromEntries(PORT_NAMES.map((n, idx) => [n, base + idx])) as Ports;
}

/**
 * The ports recorded for an existing cluster, with names added since it was created
 * filled in from the same block; undefined when nothing usable was recorded.
 */
export function completePorts(recorded: Partial<Record<string, number>> | undefined): Ports | undefined {
  const first = recorded?.[PORT_NAMES[0]];
  if (first === undefined || (first - PORT_RANGE_FIRST) % PORT_BLOCK_SIZE !== 0) return undefined;
  const block = portBlock((first - PORT_RANGE_FIRST) / PORT_BLOCK_SIZE);
  return Object.fromEntries(PORT_NAMES.map((n) => [n, recorded?.[n] ?? block[n]])) as Ports;
}

export interface ClusterState {
  version: 1;
  ports: Ports;
  shape: ClusterShape;
  kubernetesVersion: string;
  /** Absent in state files of older copse versions, which ran without it: read as 'off'. */
  workloadScheduling: WorkloadSchedulingMode;
}

const ETCD_MEMBER = 'copse';

/** Start order; `down` walks it backwards. */
export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type Component = (typeof COMPONENTS)[number];

type Log = (line: string) => void;
const defaultLog: Log = (l) => process.stderr.write(l + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LocalCluster {
  stateDir: string;
  state: ClusterState;
  kubeconfig: string;
}

function statePath(dir: string): string {
  return join(dir, 'cluster.json');
}

export function readState(dir = defaultStateDir()): ClusterState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  const raw = JSON.parse(readFileSync(p, 'utf8')) as Partial<ClusterState>;
  const ports = completePorts(raw.ports);
  if (!ports || !raw.shape) throw new Error(`copse: ${p} is not a copse cluster state file (no ports or shape); remove it or run \`copse down --purge\``);
  return {
    version: 1,
    ports,
    shape: raw.shape,
    kubernetesVersion: raw.kubernetesVersion ?? 'unknown',
    workloadScheduling: raw.workloadScheduling ?? DEFAULT_WORKLOAD_SCHEDULING,
  };
}

export function adminKubeconfigPath(dir = defaultStateDir()): string {
  return join(dir, 'admin.kubeconfig');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePort(true)));
  });
}

// The first block tried comes from a hash of the state directory, so two checkouts
// on one machine do not collide; taken blocks are skipped.
export async function choosePorts(dir: string): Promise<Ports> {
  const first = stateSlot(dir, PORT_BLOCKS);
  for (let i = 0; i < PORT_BLOCKS; i++) {
    const candidate = portBlock(first + i);
    const free = await Promise.all(Object.values(candidate).map(portFree));
    if (free.every(Boolean)) return candidate;
  }
  throw new Error(`copse: no free block of ${PORT_BLOCK_SIZE} loopback ports between ${PORT_RANGE_FIRST} and ${PORT_RANGE_END}`);
}

interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

function request(method: 'GET' | 'POST', url: string, pki?: ClientTls, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveReq) => {
    const u = new URL(url);
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const opts = { hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, timeout: 3000 };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolveReq({ status: res.statusCode ?? 0, body: text }));
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest({ ...opts, ca: pki?.ca, cert: pki?.cert, key: pki?.key, rejectUnauthorized: pki !== undefined }, onRes)
        : httpRequest(opts, onRes);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveReq({ status: 0, body: '' }));
    req.end(body);
  });
}

const get = (url: string, pki?: ClientTls) => request('GET', url, pki);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  const tail = logFile ? `\nlast lines of ${logFile}:\n${tailLog(logFile, 25)}` : '';
  throw new Error(`copse: timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${tail}`);
}

/** Client TLS material from the PKI, or undefined while (part of) it does not exist yet. */
function clientTls(caCert: string, client: CertKeyPaths): ClientTls | undefined {
  if (![caCert, client.cert, client.key].every((f) => existsSync(f))) return undefined;
  return { ca: readFileSync(caCert, 'utf8'), cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') };
}

/** What copse presents to etcd for its health probe; tests use it to show a client cert is what etcd wants. */
export function etcdHealthcheckTls(dir: string): ClientTls | undefined {
  const p = pkiPaths(dir);
  return clientTls(p.etcdCaCert, p.etcdHealthcheckClient);
}

/** Health probe of each component, by its own endpoint. */
export async function componentHealth(dir: string, state: ClusterState): Promise<Record<Component, { running: boolean; healthy: boolean; pid?: number }>> {
  const p = pkiPaths(dir);
  const admin = clientTls(p.caCert, p.client('admin'));
  const etcdClient = etcdHealthcheckTls(dir);
  const probe: Record<Component, () => Promise<boolean>> = {
    // Without the etcd client cert there is no way in: etcd demands one.
    etcd: async () => etcdClient !== undefined && (await get(`https://127.0.0.1:${state.ports.etcd}/health`, etcdClient)).body.includes('"health":"true"'),
    'kube-apiserver': async () => (await get(`https://127.0.0.1:${state.ports.apiserver}/readyz`, admin)).status === 200,
    'kube-controller-manager': async () => (await get(`https://127.0.0.1:${state.ports.controllerManager}/healthz`)).status === 200,
    'kube-scheduler': async () => (await get(`https://127.0.0.1:${state.ports.scheduler}/healthz`)).status === 200,
    // kwok has no health endpoint of its own; its liveness shows in Ready nodes.
    kwok: async () => true,
  };
  const out = {} as Record<Component, { running: boolean; healthy: boolean; pid?: number }>;
  for (const c of COMPONENTS) {
    const rec = readRecord(dir, c);
    const running = rec !== undefined && isRunning(rec);
    out[c] = { running, healthy: running && (await probe[c]()), ...(rec ? { pid: rec.pid } : {}) };
  }
  return out;
}

function schedulerConfig(dir: string): string {
  const path = join(dir, 'kube-scheduler.yaml');
  const extra = join(dir, 'scheduler-extenders.yaml');
  // copse's extender registers itself by writing scheduler-extenders.yaml (see
  // scheduler/); the scheduler is restarted when that changes.
  const extenders = existsSync(extra) ? readFileSync(extra, 'utf8').trimEnd() + '\n' : '';
  writePrivate(
    path,
    [
      'apiVersion: kubescheduler.config.k8s.io/v1',
      'kind: KubeSchedulerConfiguration',
      'clientConnection:',
      `  kubeconfig: ${join(dir, 'kube-scheduler.kubeconfig')}`,
      'leaderElection:',
      '  leaderElect: false',
      'profiles:',
      '- schedulerName: default-scheduler',
      extenders,
    ].join('\n'),
  );
  return path;
}

/**
 * The command line of each component. `up` compares it with what a running component
 * was started with and restarts only the components whose command line changed (a
 * new workload-scheduling mode, new binaries, a state directory from an older copse).
 */
export function commandFor(c: Component, dir: string, state: ClusterState): string[] {
  const p = pkiPaths(dir);
  const { ports } = state;
  const mode = workloadSchedulingFlags(state.workloadScheduling);
  switch (c) {
    case 'etcd':
      // TLS with client-certificate auth on both ports: only holders of a cert from
      // the etcd CA (kube-apiserver, copse's probe, etcd itself) get in, so no local
      // user can read or write cluster state around the apiserver's RBAC.
      return [
        `--name=${ETCD_MEMBER}`,
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--cert-file=${p.etcdServer.cert}`,
        `--key-file=${p.etcdServer.key}`,
        '--client-cert-auth=true',
        `--trusted-ca-file=${p.etcdCaCert}`,
        `--listen-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=${ETCD_MEMBER}=https://127.0.0.1:${ports.etcdPeer}`,
        `--peer-cert-file=${p.etcdPeer.cert}`,
        `--peer-key-file=${p.etcdPeer.key}`,
        '--peer-client-cert-auth=true',
        `--peer-trusted-ca-file=${p.etcdCaCert}`,
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=https://127.0.0.1:${ports.etcd}`,
        `--etcd-cafile=${p.etcdCaCert}`,
        `--etcd-certfile=${p.apiserverEtcdClient.cert}`,
        `--etcd-keyfile=${p.apiserverEtcdClient.key}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${p.apiserverCert}`,
        `--tls-private-key-file=${p.apiserverKey}`,
        `--client-ca-file=${p.caCert}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${p.serviceAccountPub}`,
        `--service-account-signing-key-file=${p.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        // The default reconciler would publish 127.0.0.1 as the `kubernetes`
        // endpoint, which EndpointSlice validation rejects; nothing here needs it.
        '--endpoint-reconciler-type=none',
        // Aggregation layer (k8s-wire §1.3): a separate front-proxy CA and client cert.
        `--requestheader-client-ca-file=${p.frontProxyCaCert}`,
        `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_CN}`,
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${p.frontProxyClientCert}`,
        `--proxy-client-key-file=${p.frontProxyClientKey}`,
        // OwnerReferencesPermissionEnforcement: setting blockOwnerDeletion needs update on the owner's
        // finalizers, as on OpenShift; copse's RBAC (controllers/permissions.ts) is proven against it.
        '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,OwnerReferencesPermissionEnforcement,MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
        ...mode['kube-apiserver'],
        '--profiling=false',
        '--v=1',
      ];
    case 'kube-controller-manager': {
      const kc = join(dir, 'kube-controller-manager.kubeconfig');
      return [
        `--kubeconfig=${kc}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.controllerManager}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${p.serviceAccountKey}`,
        `--root-ca-file=${p.caCert}`,
        `--cluster-signing-cert-file=${p.caCert}`,
        `--cluster-signing-key-file=${p.caKey}`,
        '--use-service-account-credentials=true',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // v1.37 refuses controller names it no longer has (cloud-node-lifecycle,
        // service-lb-controller, node-route-controller), so only nodeipam is named.
        '--controllers=*,-nodeipam',
        '--horizontal-pod-autoscaler-sync-period=5s',
        ...mode['kube-controller-manager'],
        '--profiling=false',
        '--v=1',
      ];
    }
    case 'kube-scheduler': {
      const kc = join(dir, 'kube-scheduler.kubeconfig');
      return [
        `--config=${schedulerConfig(dir)}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        ...mode['kube-scheduler'],
        '--profiling=false',
        '--v=1',
      ];
    }
    case 'kwok': {
      const stages = join(dir, 'kwok-stages.yaml');
      writePrivate(stages, kwokStagesYaml());
      return [
        `--config=${stages}`,
        `--kubeconfig=${join(dir, 'kwok.kubeconfig')}`,
        `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
        // Node and pod addresses are only ever recorded, never dialled; the node
        // address is loopback so nothing could reach elsewhere if something tried.
        '--node-ip=127.0.0.1',
        '--cidr=10.244.0.0/16',
        '--node-lease-duration-seconds=40',
        // At INFO kwok logs every lease renewal of every node.
        '--v=WARN',
      ];
    }
  }
}

/** The recorded name of the local init-container runner (cluster/initc-runner.ts). */
export const INITC_RUNNER = 'initc-runner';

/** The runner's command line: copse's own CLI, pointed at this cluster's admin kubeconfig, CA and API. */
export function initcRunnerCommand(dir: string, state: ClusterState): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      join(repoRoot(), 'bin', 'copse.js'),
      'cluster',
      'initc-runner',
      `--kubeconfig=${adminKubeconfigPath(dir)}`,
      `--ca-file=${pkiPaths(dir).caCert}`,
      `--server=https://127.0.0.1:${state.ports.apiserver}`,
      `--work-dir=${join(dir, 'initc')}`,
    ],
  };
}

/**
 * Simulated nodes run no containers, so copse's startup init program runs as a local process instead,
 * started by this runner. Without it pods that wait for parents would stay in their init phase, as
 * they would on a node whose kubelet is down.
 */
async function ensureInitcRunner(dir: string, state: ClusterState, log: Log): Promise<void> {
  const { command, args } = initcRunnerCommand(dir, state);
  const rec = readRecord(dir, INITC_RUNNER);
  if (rec && isRunning(rec)) {
    if (startedWith(rec, command, args)) return;
    log(`copse: restarting ${INITC_RUNNER} (changed ${changedFlags(rec.args, args).join(', ') || 'node binary'})`);
    await stopProcess(dir, INITC_RUNNER);
  }
  const started = startProcess(dir, INITC_RUNNER, command, args);
  log(`copse: started ${INITC_RUNNER} (pid ${started.pid})`);
}

export interface UpOptions {
  shape?: Partial<ClusterShape>;
  /** Unset: keep the mode recorded in the state directory ('off' for a new cluster). */
  workloadScheduling?: WorkloadSchedulingMode;
  stateDir?: string;
  log?: Log;
}

/** Runs `fn` with a client for the local cluster, closing its connections afterwards. */
async function withClient<T>(kubeconfig: string, fn: (client: DynamicClient) => Promise<T>): Promise<T> {
  const http = new KubeHttp(loadKubeConfig({ kubeconfig }));
  try {
    return await fn(new DynamicClient(http, FIELD_MANAGERS.cluster));
  } finally {
    http.close();
  }
}

/** Start a component unless it already runs with the wanted command line; a running one with another is restarted. */
async function start(c: Component, dir: string, state: ClusterState, log: Log): Promise<void> {
  const command = binaryPath(c);
  const args = commandFor(c, dir, state);
  const rec = readRecord(dir, c);
  if (rec && isRunning(rec)) {
    if (startedWith(rec, command, args)) return;
    const why = rec.command !== command ? 'new binary' : `changed ${changedFlags(rec.args, args).join(', ')}`;
    log(`copse: restarting ${c} (${why})`);
    await stopProcess(dir, c);
  }
  const started = startProcess(dir, c, command, args);
  log(`copse: started ${c} (pid ${started.pid})`);
  const health = async () => {
    const h = await componentHealth(dir, state);
    if (!h[c].running) throw new Error(`copse: ${c} exited during start-up\nlast lines of ${started.log}:\n${tailLog(started.log, 30)}`);
    return h[c].healthy;
  };
  await waitFor(`${c} to become healthy`, health, c === 'kube-apiserver' ? 120_000 : 60_000, started.log);
}

/**
 * A member bootstrapped on plain HTTP (older copse) is made to advertise its TLS peer
 * URL. A single member never dials its peers, so a failure here is only reported.
 */
async function reconcileEtcdPeerUrl(dir: string, state: ClusterState, log: Log): Promise<void> {
  const tls = etcdHealthcheckTls(dir);
  const base = `https://127.0.0.1:${state.ports.etcd}/v3/cluster/member`;
  try {
    const list = await request('POST', `${base}/list`, tls, '{}');
    if (list.status !== 200) throw new Error(`listing members: ${list.status} ${list.body}`);
    const update = peerUrlUpdate(JSON.parse(list.body) as EtcdMemberList, ETCD_MEMBER, [`https://127.0.0.1:${state.ports.etcdPeer}`]);
    if (!update) return;
    const r = await request('POST', `${base}/update`, tls, JSON.stringify(update));
    if (r.status !== 200) throw new Error(`updating the member: ${r.status} ${r.body}`);
    log(`copse: etcd member ${ETCD_MEMBER} now advertises ${update.peerURLs.join(', ')}`);
  } catch (e) {
    log(`copse: warning: could not check etcd's advertised peer URL (${(e as Error).message})`);
  }
}

async function reconcileNodes(client: DynamicClient, shape: ClusterShape, log: Log): Promise<void> {
  const wanted = new Map<string, Node>(placements(shape).map((p) => [p.name, nodeObject(p, shape)]));
  const existing = await client.list(RESOURCES.nodes, { labelSelector: `${SIMULATED_LABEL}=kwok` });
  const have = new Set(existing.items.map((n) => n.metadata?.name ?? ''));
  const surplus = existing.items.map((n) => n.metadata?.name ?? '').filter((n) => !wanted.has(n));
  const missing = [...wanted.values()].filter((n) => !have.has(n.metadata?.name ?? ''));
  // Bounded concurrency keeps thousands of creates from swamping a 2-core machine.
  const queue = [...missing];
  const workers = Array.from({ length: Math.min(16, queue.length) }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) {
      try {
        await client.create(RESOURCES.nodes, n);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  });
  await Promise.all(workers);
  for (const name of surplus) await client.delete(RESOURCES.nodes, name, undefined);
  if (missing.length > 0 || surplus.length > 0) log(`copse: simulated nodes: ${missing.length} created, ${surplus.length} removed, ${wanted.size} wanted`);
}

async function readyNodeCount(client: DynamicClient): Promise<number> {
  const nodes = await client.list(RESOURCES.nodes, { labelSelector: `${SIMULATED_LABEL}=kwok` });
  return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

/** The state `up` brings about: what was asked, else what was recorded, else the defaults. */
async function wantedState(dir: string, opts: UpOptions): Promise<ClusterState> {
  const previous = readState(dir);
  const anyRunning = listRecords(dir).some(isRunning);
  const shape = resolveShape(opts.shape ?? previous?.shape ?? {});
  const state: ClusterState = {
    version: 1,
    ports: previous?.ports ?? (await choosePorts(dir)),
    shape,
    kubernetesVersion: KUBERNETES_VERSION,
    workloadScheduling: opts.workloadScheduling ?? previous?.workloadScheduling ?? DEFAULT_WORKLOAD_SCHEDULING,
  };
  if (previous && !anyRunning) {
    // Ports were ours last time; make sure nobody else took them meanwhile.
    const free = await Promise.all(Object.values(state.ports).map(portFree));
    if (!free.every(Boolean)) state.ports = await choosePorts(dir);
  }
  return state;
}

export async function up(opts: UpOptions = {}): Promise<LocalCluster> {
  const log = opts.log ?? defaultLog;
  const dir = opts.stateDir ?? defaultStateDir();
  mkdirPrivate(dir);
  // State directories of older copse versions had world-readable keys, kubeconfigs and logs.
  const tightened = tightenTree(dir);
  if (tightened.length > 0) log(`copse: made ${tightened.length} files and folders in ${dir} owner-only`);
  await ensureBinaries(log);

  const state = await wantedState(dir, opts);
  writePrivate(statePath(dir), JSON.stringify(state, null, 2));

  ensurePki(dir);
  const kubeconfigs = writeKubeconfigs(dir, `https://127.0.0.1:${state.ports.apiserver}`);
  for (const c of COMPONENTS) {
    await start(c, dir, state, log);
    if (c === 'etcd') await reconcileEtcdPeerUrl(dir, state, log);
  }

  await ensureInitcRunner(dir, state, log);

  await withClient(kubeconfigs.admin ?? adminKubeconfigPath(dir), async (client) => {
    await reconcileNodes(client, state.shape, log);
    await waitFor(`${state.shape.nodes} simulated nodes to be Ready`, async () => (await readyNodeCount(client)) >= state.shape.nodes, 120_000, join(dir, 'logs', 'kwok.log'));
    // Pods are refused until the ServiceAccount controller has made `default`.
    await waitFor('the default ServiceAccount', async () => (await client.tryGet(RESOURCES.serviceAccounts, 'default', 'default').catch(() => undefined)) !== undefined, 60_000);
  });
  return { stateDir: dir, state, kubeconfig: adminKubeconfigPath(dir) };
}

/**
 * Restart the scheduler so it re-reads its configuration (e.g. a new extender). `whileStopped` runs
 * with no scheduler up: the scheduler benchmarks create their pods then, so the restarted scheduler
 * finds its whole queue at once.
 */
export async function restartScheduler(dir = defaultStateDir(), log: Log = defaultLog, whileStopped?: () => Promise<void>): Promise<void> {
  const state = readState(dir);
  if (!state) throw new Error('copse: no local cluster state; run `copse cluster up` first');
  await stopProcess(dir, 'kube-scheduler');
  try {
    await whileStopped?.();
  } finally {
    await start('kube-scheduler', dir, state, log);
  }
}

export interface DownOptions {
  stateDir?: string;
  purge?: boolean;
  log?: Log;
}

/** Stop every process copse started in this state directory, newest first. */
export async function down(opts: DownOptions = {}): Promise<string[]> {
  const dir = opts.stateDir ?? defaultStateDir();
  const log = opts.log ?? defaultLog;
  const records = listRecords(dir).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const order = [
    ...records.filter((r) => !(COMPONENTS as readonly string[]).includes(r.name)).map((r) => r.name),
    ...[...COMPONENTS].reverse().filter((c) => records.some((r) => r.name === c)),
  ];
  const stopped: string[] = [];
  for (const name of order) {
    if (await stopProcess(dir, name)) {
      stopped.push(name);
      log(`copse: stopped ${name}`);
    }
  }
  if (opts.purge) {
    rmSync(dir, { recursive: true, force: true });
    log(`copse: removed ${dir}`);
  }
  return stopped;
}

export interface StatusReport {
  stateDir: string;
  state?: ClusterState;
  /** The mode the running kube-apiserver was started with (the recorded one while it is down). */
  workloadScheduling?: WorkloadSchedulingMode;
  components: Record<string, { running: boolean; healthy: boolean; pid?: number }>;
  nodes?: { ready: number; wanted: number };
  healthy: boolean;
}

export async function status(dir = defaultStateDir()): Promise<StatusReport> {
  const state = readState(dir);
  if (!state) return { stateDir: dir, components: {}, healthy: false };
  const components: StatusReport['components'] = await componentHealth(dir, state);
  for (const rec of listRecords(dir)) {
    if (!(rec.name in components)) components[rec.name] = { running: isRunning(rec), healthy: isRunning(rec), pid: rec.pid };
  }
  let nodes: StatusReport['nodes'];
  if (components['kube-apiserver']?.healthy) {
    nodes = { ready: await withClient(adminKubeconfigPath(dir), readyNodeCount), wanted: state.shape.nodes };
  }
  const healthy = COMPONENTS.every((c) => components[c]?.healthy) && nodes !== undefined && nodes.ready >= nodes.wanted;
  const apiserver = readRecord(dir, 'kube-apiserver');
  const workloadScheduling = apiserver && isRunning(apiserver) ? modeOfApiserverArgs(apiserver.args) : state.workloadScheduling;
  return { stateDir: dir, state, workloadScheduling, components, ...(nodes ? { nodes } : {}), healthy };
}
