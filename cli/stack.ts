// The whole local stack behind `copse up` (and the e2e global setup): the local
// control plane, copse installed into it, and copse's server as a background
// process recorded next to the cluster's own, so `copse down` stops it too.
import { loadAllYaml } from '@kubernetes/client-node';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { restartScheduler, up, type LocalCluster } from '../cluster/local.js';
import { extenderConfig, extendersYaml } from '../scheduler/config.js';
import { repoRoot } from '../cluster/paths.js';
import { isRunning, readRecord, startProcess, tailLog } from '../cluster/processes.js';
import type { ClusterShape } from '../cluster/topology.js';
import type { WorkloadSchedulingMode } from '../cluster/workload-scheduling.js';
import { applyObject } from '../kube/apply.js';
import { loadKubeConfig, makeClients, type KubeClients, type KubernetesObject } from '../kube/client.js';
import { WEBHOOKS } from '../webhooks/registry.js';
import { installCopse } from './install.js';

export const SERVER_PROCESS = 'copse-server';
export const EXAMPLE_FILE = 'manifests/examples/disaggregated-inference.yaml';

type Log = (line: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Stack {
  cluster: LocalCluster;
  kube: KubeClients;
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

async function registered(kube: KubeClients, url: string): Promise<boolean> {
  const names = [...new Set(WEBHOOKS.filter((w) => w.kind === 'validating').map((w) => w.configName))];
  for (const name of names) {
    try {
      const cfg = await kube.admission.readValidatingWebhookConfiguration({ name });
      if (!cfg.webhooks?.every((w) => w.clientConfig.url?.startsWith(url) && w.clientConfig.caBundle)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Start copse's server unless it already runs; resolve once it serves and its webhooks are registered. */
export async function ensureServer(cluster: LocalCluster, kube: KubeClients, log: Log): Promise<string> {
  const port = cluster.state.ports.webhook;
  const url = `https://127.0.0.1:${port}`;
  const rec = readRecord(cluster.stateDir, SERVER_PROCESS);
  if (!rec || !isRunning(rec)) {
    const args = [join(repoRoot(), 'bin', 'copse.js'), 'serve', '--kubeconfig', cluster.kubeconfig, '--host', '127.0.0.1', '--port', String(port), '--register-local',
      '--metrics-bind-address', `127.0.0.1:${cluster.state.ports.metrics}`,
      '--extender-bind-address', `127.0.0.1:${cluster.state.ports.extender}`,
      // Cheap on a local cluster, and a hand-edited caBundle heals within seconds.
      '--resync-interval', '10'];
    const started = startProcess(cluster.stateDir, SERVER_PROCESS, process.execPath, args);
    log(`copse: started copse server (pid ${started.pid}), logs in ${started.log}`);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = readRecord(cluster.stateDir, SERVER_PROCESS);
    if (!current || !isRunning(current)) {
      throw new Error(`copse: the copse server exited during start-up\n${current ? tailLog(current.log, 30) : ''}`);
    }
    if ((await readyz(port)) && (await registered(kube, url))) return url;
    if (Date.now() > deadline) throw new Error(`copse: the copse server did not become ready within 60s\n${tailLog(current.log, 30)}`);
    await sleep(250);
  }
}

/**
 * Point the local kube-scheduler at copse's extender (scheduler-extenders.yaml in the state directory,
 * read by cluster/local.ts), verified against copse's CA, and restart it when that changes. The CA is
 * copse's own, so this happens after the server has made it; on later starts nothing changes.
 */
export async function wireExtender(cluster: LocalCluster, kube: KubeClients, log: Log): Promise<void> {
  const cfg = await kube.admission.readValidatingWebhookConfiguration({ name: 'podcliqueset-validating-webhook' });
  const caData = cfg.webhooks?.[0]?.clientConfig.caBundle;
  if (!caData) throw new Error('copse: no caBundle on podcliqueset-validating-webhook yet; cannot wire the scheduler extender');
  const yaml = extendersYaml([extenderConfig({ urlPrefix: `https://127.0.0.1:${cluster.state.ports.extender}/scheduler`, caData })]);
  const path = join(cluster.stateDir, 'scheduler-extenders.yaml');
  if (existsSync(path) && readFileSync(path, 'utf8') === yaml) return;
  writeFileSync(path, yaml, { mode: 0o600 });
  await restartScheduler(cluster.stateDir, log);
  log('copse: kube-scheduler now calls copse\'s extender (gang placement)');
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
  const kube = makeClients(loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  await installCopse(kube, 'local', log);
  const serverUrl = await ensureServer(cluster, kube, log);
  await wireExtender(cluster, kube, log);
  if (opts.example) {
    for (const obj of loadAllYaml(readFileSync(join(repoRoot(), EXAMPLE_FILE), 'utf8')) as KubernetesObject[]) {
      await applyObject(kube.raw, obj);
    }
    log(`copse: applied the example workload (${EXAMPLE_FILE})`);
  }
  return { cluster, kube, serverUrl };
}
