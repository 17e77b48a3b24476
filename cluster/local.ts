// The embedded local control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok, all bound to 127.0.0.1, started from cached upstream
// binaries. `up` is idempotent: it starts only what is not already running and
// reconciles the simulated nodes to the requested shape.
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { kwokStagesYaml } from './kwok-stages.js';
import { ensurePki, FRONT_PROXY_CLIENT_CN, pkiPaths, SERVICE_CIDR, writeKubeconfigs } from './pki.js';
import { isRunning, listRecords, readRecord, startProcess, stopProcess, tailLog } from './processes.js';
import { stateDir as defaultStateDir, stateSlot } from './paths.js';
import { KWOK_ANNOTATION, nodeObject, placements, resolveShape, SIMULATED_LABEL, type ClusterShape } from './topology.js';
import { binaryPath, ensureBinaries, KUBERNETES_VERSION } from './upstream.js';

export const PORT_NAMES = ['etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'webhook', 'extender', 'aggregator', 'metrics'] as const;
export type PortName = (typeof PORT_NAMES)[number];
export type Ports = Record<PortName, number>;

export interface ClusterState {
  version: 1;
  ports: Ports;
  shape: ClusterShape;
  kubernetesVersion: string;
}

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
  return JSON.parse(readFileSync(p, 'utf8')) as ClusterState;
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

// Ports come in a block of ten chosen from a hash of the state directory, below
// Linux's ephemeral range, so two checkouts on one machine do not collide.
async function choosePorts(dir: string): Promise<Ports> {
  const slots = 600;
  const first = stateSlot(dir, slots);
  for (let i = 0; i < slots; i++) {
    const base = 20000 + ((first + i) % slots) * 20;
    const candidate = Object.fromEntries(PORT_NAMES.map((n, idx) => [n, base + idx])) as Ports;
    const free = await Promise.all(Object.values(candidate).map(portFree));
    if (free.every(Boolean)) return candidate;
  }
  throw new Error('copse: no free block of loopback ports between 20000 and 32000');
}

function get(url: string, pki?: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet) => {
    const u = new URL(url);
    const opts = { hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', timeout: 3000 };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest({ ...opts, ca: pki?.ca, cert: pki?.cert, key: pki?.key, rejectUnauthorized: pki !== undefined }, onRes)
        : httpRequest(opts, onRes);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveGet({ status: 0, body: '' }));
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  const tail = logFile ? `\nlast lines of ${logFile}:\n${tailLog(logFile, 25)}` : '';
  throw new Error(`copse: timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${tail}`);
}

function adminPki(dir: string): { ca: string; cert: string; key: string } {
  const p = pkiPaths(dir);
  const admin = p.client('admin');
  return { ca: readFileSync(p.caCert, 'utf8'), cert: readFileSync(admin.cert, 'utf8'), key: readFileSync(admin.key, 'utf8') };
}

/** Health probe of each component, by its own endpoint. */
export async function componentHealth(dir: string, state: ClusterState): Promise<Record<Component, { running: boolean; healthy: boolean; pid?: number }>> {
  const pki = existsSync(pkiPaths(dir).caCert) ? adminPki(dir) : undefined;
  const probe: Record<Component, () => Promise<boolean>> = {
    etcd: async () => (await get(`http://127.0.0.1:${state.ports.etcd}/health`)).body.includes('"health":"true"'),
    'kube-apiserver': async () => (await get(`https://127.0.0.1:${state.ports.apiserver}/readyz`, pki)).status === 200,
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

function schedulerConfig(dir: string, state: ClusterState): string {
  const path = join(dir, 'kube-scheduler.yaml');
  const extra = join(dir, 'scheduler-extenders.yaml');
  // copse's extender registers itself by writing scheduler-extenders.yaml (see
  // scheduler/); the scheduler is restarted when that changes.
  const extenders = existsSync(extra) ? readFileSync(extra, 'utf8').trimEnd() + '\n' : '';
  writeFileSync(
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
  void state;
  return path;
}

function commandFor(c: Component, dir: string, state: ClusterState): string[] {
  const p = pkiPaths(dir);
  const { ports } = state;
  switch (c) {
    case 'etcd':
      return [
        `--name=copse`,
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=copse=http://127.0.0.1:${ports.etcdPeer}`,
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
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
        '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
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
        '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
        '--horizontal-pod-autoscaler-sync-period=5s',
        '--profiling=false',
        '--v=1',
      ];
    }
    case 'kube-scheduler': {
      const kc = join(dir, 'kube-scheduler.kubeconfig');
      return [
        `--config=${schedulerConfig(dir, state)}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        '--profiling=false',
        '--v=1',
      ];
    }
    case 'kwok': {
      const stages = join(dir, 'kwok-stages.yaml');
      writeFileSync(stages, kwokStagesYaml());
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

export interface UpOptions {
  shape?: Partial<ClusterShape>;
  stateDir?: string;
  log?: Log;
}

function makeClient(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

async function start(c: Component, dir: string, state: ClusterState, log: Log): Promise<void> {
  const rec = readRecord(dir, c);
  if (rec && isRunning(rec)) return;
  const args = commandFor(c, dir, state);
  const started = startProcess(dir, c, binaryPath(c), args);
  log(`copse: started ${c} (pid ${started.pid})`);
  const health = async () => {
    const h = await componentHealth(dir, state);
    if (!h[c].running) throw new Error(`copse: ${c} exited during start-up\nlast lines of ${started.log}:\n${tailLog(started.log, 30)}`);
    return h[c].healthy;
  };
  await waitFor(`${c} to become healthy`, health, c === 'kube-apiserver' ? 120_000 : 60_000, started.log);
}

async function reconcileNodes(core: CoreV1Api, shape: ClusterShape, log: Log): Promise<void> {
  const wanted = new Map<string, V1Node>(placements(shape).map((p) => [p.name, nodeObject(p, shape)]));
  const existing = await core.listNode({ labelSelector: `${SIMULATED_LABEL}=kwok` });
  const have = new Set(existing.items.map((n) => n.metadata?.name ?? ''));
  const surplus = existing.items.map((n) => n.metadata?.name ?? '').filter((n) => !wanted.has(n));
  const missing = [...wanted.values()].filter((n) => !have.has(n.metadata?.name ?? ''));
  // Bounded concurrency keeps thousands of creates from swamping a 2-core machine.
  const queue = [...missing];
  const workers = Array.from({ length: Math.min(16, queue.length) }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) {
      try {
        await core.createNode({ body: n });
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
      }
    }
  });
  await Promise.all(workers);
  for (const name of surplus) await core.deleteNode({ name });
  if (missing.length > 0 || surplus.length > 0) log(`copse: simulated nodes: ${missing.length} created, ${surplus.length} removed, ${wanted.size} wanted`);
}

async function readyNodeCount(core: CoreV1Api): Promise<number> {
  const nodes = await core.listNode({ labelSelector: `${SIMULATED_LABEL}=kwok` });
  return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

export async function up(opts: UpOptions = {}): Promise<LocalCluster> {
  const log = opts.log ?? defaultLog;
  const dir = opts.stateDir ?? defaultStateDir();
  mkdirSync(dir, { recursive: true });
  await ensureBinaries(log);

  const previous = readState(dir);
  const anyRunning = listRecords(dir).some(isRunning);
  const shape = resolveShape(opts.shape ?? previous?.shape ?? {});
  const state: ClusterState = {
    version: 1,
    ports: previous?.ports ?? (await choosePorts(dir)),
    shape,
    kubernetesVersion: KUBERNETES_VERSION,
  };
  if (previous && !anyRunning) {
    // Ports were ours last time; make sure nobody else took them meanwhile.
    const free = await Promise.all(Object.values(state.ports).map(portFree));
    if (!free.every(Boolean)) state.ports = await choosePorts(dir);
  }
  writeFileSync(statePath(dir), JSON.stringify(state, null, 2));

  ensurePki(dir);
  const kubeconfigs = writeKubeconfigs(dir, `https://127.0.0.1:${state.ports.apiserver}`);
  for (const c of COMPONENTS) await start(c, dir, state, log);

  const core = makeClient(kubeconfigs.admin ?? adminKubeconfigPath(dir));
  await reconcileNodes(core, shape, log);
  await waitFor(`${shape.nodes} simulated nodes to be Ready`, async () => (await readyNodeCount(core)) >= shape.nodes, 120_000, join(dir, 'logs', 'kwok.log'));
  // Pods are refused until the ServiceAccount controller has made `default`.
  await waitFor(
    'the default ServiceAccount',
    async () => {
      try {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      } catch {
        return false;
      }
    },
    60_000,
  );
  return { stateDir: dir, state, kubeconfig: adminKubeconfigPath(dir) };
}

/** Restart the scheduler so it re-reads its configuration (e.g. a new extender). */
export async function restartScheduler(dir = defaultStateDir(), log: Log = defaultLog): Promise<void> {
  const state = readState(dir);
  if (!state) throw new Error('copse: no local cluster state; run `copse cluster up` first');
  await stopProcess(dir, 'kube-scheduler');
  await start('kube-scheduler', dir, state, log);
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
    nodes = { ready: await readyNodeCount(makeClient(adminKubeconfigPath(dir))), wanted: state.shape.nodes };
  }
  const healthy = COMPONENTS.every((c) => components[c]?.healthy) && nodes !== undefined && nodes.ready >= nodes.wanted;
  return { stateDir: dir, state, components, ...(nodes ? { nodes } : {}), healthy };
}
