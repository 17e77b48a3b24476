// The whole local stack behind `copse up` (and the e2e global setup): the local
// control plane, copse installed into it, and copse's server as a background
// process recorded next to the cluster's own, so `copse down` stops it too.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { adminKubeconfigPath, down, restartScheduler, status, up, type DownOptions, type LocalCluster } from '../cluster/local.js';
import { repoRoot, stateDir as defaultStateDir } from '../cluster/paths.js';
import { isRunning, readRecord, startProcess, stopProcess, tailLog, type ProcessRecord } from '../cluster/processes.js';
import { LOCAL_TOPOLOGY_NAME, localTopologyBinding, type ClusterShape } from '../cluster/topology.js';
import type { WorkloadSchedulingMode } from '../cluster/workload-scheduling.js';
import { DEFAULT_API_SERVICE_NAME, deregisterLocal } from '../apiserver/register.js';
import { APISERVICE_NAME } from '../apiserver/resources.js';
import { isAlreadyExists } from '../kube/errors.js';
import { RESOURCES } from '../kube/resources.js';
import { loadKubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { KubeHttp } from '../kube/http.js';
import { COPSE_NAMESPACE, WEBHOOKS } from '../webhooks/registry.js';
import { extenderConfig, extendersYaml } from '../scheduler/config.js';
import { installCopse, manifestObjects } from './install.js';

export const SERVER_PROCESS = 'copse-server';
export const EXAMPLE_FILE = 'manifests/examples/disaggregated-inference.yaml';

type Log = (line: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Stack {
  cluster: LocalCluster;
  serverUrl: string;
}

function readyz(port: number): Promise<boolean> {
  return new Promise((resolveReady) => {
    // Loopback liveness only: the certificate is checked by kube-apiserver, not here.
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolveReady(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveReady(false));
    req.end();
  });
}

async function registered(kube: DynamicClient, url: string): Promise<boolean> {
  const names = [...new Set(WEBHOOKS.filter((w) => w.kind === 'validating').map((w) => w.configName))];
  for (const name of names) {
    try {
      const cfg = await kube.get(RESOURCES.validatingWebhookConfigurations, name);
      if (!cfg.webhooks?.every((w) => w.clientConfig.url?.startsWith(url) && w.clientConfig.caBundle)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The APIService is registered at this server's port and kube-apiserver reports it Available. */
async function apiAvailable(kube: DynamicClient, port: number): Promise<boolean> {
  try {
    const svc = await kube.get(RESOURCES.apiServices, APISERVICE_NAME);
    return svc.spec?.service?.port === port && (svc.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
  } catch {
    return false;
  }
}

/** Node's young-generation size for the server, here and in manifests/install/deployment.yaml. */
export const SERVER_SEMI_SPACE_FLAG = '--max-semi-space-size=8';

/** The local server's command line; a change to it restarts the server (serverIsStale). */
function serverArgs(cluster: LocalCluster): string[] {
  const native = cluster.state.workloadScheduling === 'native';
  // A young generation of 2 x 8 MB rather than 2 x 16 MB: ~24 MB less RSS for a few more cheap
  // scavenges (see "Memory" in the README).
  return [SERVER_SEMI_SPACE_FLAG, join(repoRoot(), 'bin', 'copse.js'), 'serve', '--kubeconfig', cluster.kubeconfig, '--host', '127.0.0.1', '--port', String(cluster.state.ports.webhook), '--register-local',
    '--metrics-bind-address', `127.0.0.1:${cluster.state.ports.metrics}`,
    '--api-bind-address', `127.0.0.1:${cluster.state.ports.aggregator}`,
    '--extender-bind-address', `127.0.0.1:${cluster.state.ports.extender}`,
    // Cheap on a local cluster, and a hand-edited caBundle heals within seconds.
    '--resync-interval', '10',
    // The mode is part of the command line, so switching it restarts the server, which probes again.
    '--native-scheduling', native ? 'auto' : 'off',
    // In native mode kube-scheduler would call the extender for every pod of every placement its gang
    // scheduling tries; the marker (with the managedResources entry in localExtendersYaml) keeps the
    // extender to the pods copse places outside native PodGroups.
    '--extender-marker', native ? 'on' : 'off'];
}

/**
 * Start copse's server unless it already runs; resolve once it serves, its webhooks are registered
 * and its APIService is Available (so kubectl sees live.copse.io as soon as this returns).
 */
export async function ensureServer(cluster: LocalCluster, kube: DynamicClient, log: Log): Promise<string> {
  const port = cluster.state.ports.webhook;
  const url = `https://127.0.0.1:${port}`;
  const args = serverArgs(cluster);
  let rec = readRecord(cluster.stateDir, SERVER_PROCESS);
  if (rec && isRunning(rec) && serverIsStale(rec, args, builtAt())) {
    log('copse: the running copse server is older than the build or started with other arguments; restarting it');
    await stopProcess(cluster.stateDir, SERVER_PROCESS);
    rec = undefined;
  }
  if (!rec || !isRunning(rec)) {
    const started = startProcess(cluster.stateDir, SERVER_PROCESS, process.execPath, args);
    log(`copse: started copse server (pid ${started.pid}), logs in ${started.log}`);
  }
  // Generous: on a busy machine key generation and the validators' compilation take a while.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const current = readRecord(cluster.stateDir, SERVER_PROCESS);
    if (!current || !isRunning(current)) {
      throw new Error(`copse: the copse server exited during start-up\n${current ? tailLog(current.log, 30) : ''}`);
    }
    if ((await readyz(port)) && (await registered(kube, url)) && (await apiAvailable(kube, cluster.state.ports.aggregator))) return url;
    if (Date.now() > deadline) throw new Error(`copse: the copse server did not become ready within 120s\n${tailLog(current.log, 30)}`);
    await sleep(250);
  }
}

/**
 * The `extenders:` entry that points the local kube-scheduler at copse, verified against copse's CA;
 * in native mode it manages copse's extender marker, as the server marks pods there (ensureServer).
 */
async function localExtendersYaml(cluster: LocalCluster, kube: DynamicClient): Promise<string> {
  const cfg = await kube.get(RESOURCES.validatingWebhookConfigurations, 'podcliqueset-validating-webhook');
  const caData = cfg.webhooks?.[0]?.clientConfig.caBundle;
  if (!caData) throw new Error('copse: no caBundle on podcliqueset-validating-webhook yet; cannot wire the scheduler extender');
  const marker = cluster.state.workloadScheduling === 'native';
  return extendersYaml([extenderConfig({ urlPrefix: `https://127.0.0.1:${cluster.state.ports.extender}/scheduler`, caData, marker })]);
}

/**
 * Point the local kube-scheduler at copse's extender (scheduler-extenders.yaml in the state directory,
 * read by cluster/local.ts), verified against copse's CA, and restart it when that changes. The CA is
 * copse's own, so this happens after the server has made it; on later starts nothing changes.
 */
export async function wireExtender(cluster: LocalCluster, kube: DynamicClient, log: Log): Promise<void> {
  const yaml = await localExtendersYaml(cluster, kube);
  const path = join(cluster.stateDir, 'scheduler-extenders.yaml');
  if (existsSync(path) && readFileSync(path, 'utf8') === yaml) return;
  writeFileSync(path, yaml, { mode: 0o600 });
  await restartScheduler(cluster.stateDir, log);
  log('copse: kube-scheduler now calls copse\'s extender (gang placement)');
}

/**
 * Restart the local kube-scheduler with copse's extender wired in or not, running `whileStopped` in
 * between: the scheduler benchmarks measure kube-scheduler with and without the extender in one run,
 * from a queue that is full when it starts. Without the extender gang pods stay gated and pinned, so
 * only the protection of reservations from other pods lapses, as when copse is down; `upStack` (or
 * this with `extender: true`) puts it back.
 */
export async function restartSchedulerWith(cluster: LocalCluster, kube: DynamicClient, o: { extender: boolean; whileStopped?: () => Promise<void> }, log: Log): Promise<void> {
  const path = join(cluster.stateDir, 'scheduler-extenders.yaml');
  if (o.extender) writeFileSync(path, await localExtendersYaml(cluster, kube), { mode: 0o600 });
  else rmSync(path, { force: true });
  await restartScheduler(cluster.stateDir, log, o.whileStopped);
}

/**
 * A running server to replace: started with other arguments, or before the code it runs was last built
 * (a reused cluster must never test yesterday's build).
 */
export function serverIsStale(rec: Pick<ProcessRecord, 'args' | 'startedAt'>, args: readonly string[], builtAtMs: number | undefined): boolean {
  if (JSON.stringify(rec.args) !== JSON.stringify(args)) return true;
  const started = Date.parse(rec.startedAt);
  return builtAtMs !== undefined && Number.isFinite(started) && started < builtAtMs;
}

/** When the server's code was last built: the compiled entry point's mtime. */
function builtAt(): number | undefined {
  try {
    return statSync(join(repoRoot(), 'dist', 'cli', 'serve.js')).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The local cluster's ClusterTopologyBinding `grove-topology`, created once (after the server, whose
 * webhook validates it). A binding of that name the user made or changed is left as it is.
 */
export async function ensureLocalTopology(client: DynamicClient, log: Log): Promise<void> {
  if (await client.tryGet(RESOURCES.clusterTopologyBindings, LOCAL_TOPOLOGY_NAME)) return;
  try {
    await client.create(RESOURCES.clusterTopologyBindings, localTopologyBinding() as never);
  } catch (err) {
    if (isAlreadyExists(err)) return;
    throw err;
  }
  log(`copse: created ClusterTopologyBinding ${LOCAL_TOPOLOGY_NAME} (zone, block, rack, host) for the simulated nodes`);
}

export interface StackOptions {
  shape?: Partial<ClusterShape>;
  /** Unset: keep the cluster's current mode. */
  workloadScheduling?: WorkloadSchedulingMode;
  example?: boolean;
  log?: Log;
}

export async function upStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const cluster = await up({
    ...(opts.shape ? { shape: opts.shape } : {}),
    ...(opts.workloadScheduling ? { workloadScheduling: opts.workloadScheduling } : {}),
    log,
  });
  const http = new KubeHttp(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  try {
    const kube = new DynamicClient(http, FIELD_MANAGERS.cluster);
    // The Dynamo CRD too, so the announcement's DynamoGraphDeployment walkthrough runs on the local cluster.
    await installCopse(kube, 'local', log, { dynamo: true });
    const serverUrl = await ensureServer(cluster, kube, log);
    await wireExtender(cluster, kube, log);
    await ensureLocalTopology(kube, log);
    if (opts.example) {
      for (const obj of manifestObjects(join(repoRoot(), EXAMPLE_FILE))) await kube.applyManifest(obj);
      log(`copse: applied the example workload (${EXAMPLE_FILE})`);
    }
    return { cluster, serverUrl };
  } finally {
    http.close();
  }
}

/**
 * `copse down`: stop copse's server first, while kube-apiserver still runs, so it removes its
 * APIService on the way out; remove the APIService here when the server could not (it had crashed or
 * was killed), since a registered group with no server behind it stalls every namespace deletion;
 * then stop the control plane.
 */
export async function downStack(opts: DownOptions = {}): Promise<string[]> {
  const dir = opts.stateDir ?? defaultStateDir();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const stopped: string[] = [];
  if (await stopProcess(dir, SERVER_PROCESS)) {
    stopped.push(SERVER_PROCESS);
    log(`copse: stopped ${SERVER_PROCESS}`);
  }
  if ((await status(dir)).components['kube-apiserver']?.healthy) {
    const client = new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig: adminKubeconfigPath(dir) }), { timeoutMs: 10_000 }), FIELD_MANAGERS.apiserver);
    try {
      await deregisterLocal(client, COPSE_NAMESPACE, DEFAULT_API_SERVICE_NAME);
    } finally {
      client.http.close();
    }
  }
  return [...stopped, ...(await down(opts))];
}
