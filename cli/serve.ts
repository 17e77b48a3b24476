// `copse serve`: run copse's server in the foreground: the admission webhooks and the aggregated API
// server (on every replica), the controllers (on the replica holding the leader Lease) and the
// monitoring listener. The aggregated API reads the same informers the controllers do.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { defaultSchedulerBackend, type SchedulerBackend, withExtenderMarker } from '../api/desired/index.js';
import { type NativeSetting, nativeBackend, parseNativeSetting } from '../api/native/index.js';
import { initContainerConfig } from '../api/image.js';
import type { PodGang } from '../api/index.js';
import { registerControllers, type ControllerConfig } from '../controllers/index.js';
import { dynamoCrdServed } from '../controllers/dynamo.js';
import { runApiServer, type RunningApiServer } from '../apiserver/run.js';
import { InformerFactory } from '../controllers/runtime/factory.js';
import { Manager } from '../controllers/runtime/manager.js';
import { loadKubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { KubeHttp } from '../kube/http.js';
import { componentLogger } from '../kube/log.js';
import { defaultRegistry, enableProcessMetrics } from '../kube/metrics.js';
import { startMonitoring } from '../kube/monitoring.js';
import { kubeRequestObserver } from '../kube/request-metrics.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import { PendingReasons, registerGangScheduling, withPlacementGate, type GangScheduling } from '../scheduler/index.js';
import { startExtenderServer, type ExtenderServer } from '../scheduler/extender-host.js';
import { registerNativeScheduling, type NativeScheduling } from '../scheduler/native/controller.js';
import { nativeSupport } from '../scheduler/native/probe.js';
import { runWebhooks, type RunningWebhooks, type RunWebhooksOptions } from '../webhooks/run.js';
import type { ServingCertificate } from '../certs/sync.js';
import type { Command } from './main.js';

const help = `Usage: copse serve [options]

  --kubeconfig PATH          cluster to serve (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --in-cluster               use the pod's service account (the Deployment in manifests/ does this)
  --host ADDR --port N       where to listen (default 0.0.0.0:9443)
  --namespace NS             copse's own namespace: certificate Secrets, excluded from admission
                             (default: $COPSE_NAMESPACE, which the Deployment sets to the pod's namespace; else copse-system)
  --register-local           register the webhook configurations with url: https://<host>:<port>/...,
                             and the APIService with an ExternalName Service to 127.0.0.1 (removed again
                             on shutdown) (what \`copse up\` does for a server running outside the cluster)
  --cert-mode auto|manual    auto: self-managed CA in a Secret, rotated and injected (default);
                             manual: read tls.crt/tls.key/ca.crt from --cert-dir (e.g. cert-manager)
  --cert-dir DIR             certificate directory for manual mode
  --resync-interval SECONDS  how often certificates and injected caBundles are re-checked (default 3600)
  --topology-aware-scheduling=false
                             reject topology constraints, as Grove does when TAS is off
  --metrics-bind-address HOST:PORT
                             monitoring listener: /metrics, /healthz, /livez, /readyz (default 0.0.0.0:8080)
  --controllers=false        serve admission only (no controllers)
  --aggregated-api=false     do not serve the live.copse.io aggregated API
  --api-bind-address HOST:PORT
                             where the aggregated API listens (default 0.0.0.0:6443)
  --api-cert-dir DIR         certificate directory of the aggregated API for --cert-mode=manual
  --leader-elect=false       reconcile without a leader Lease (a single replica only)
  --leader-election-namespace NS
                             namespace of the Lease copse-controller-leader (default: --namespace)
  --kube-api-qps N --kube-api-burst N
                             client-side rate limit towards kube-apiserver (default 200 / 400)
  --heap-growth-percent N    let V8 grow the heap by N% of what survived the last full collection before the
                             next one (default 40; 0 keeps V8's own factor, up to 300%). A controller's heap is
                             mostly its caches, which V8's default would let grow to ~4x in garbage
  --watch-stall-seconds N    restart a watch that has sent nothing (not even a bookmark) for this long (default 180)
  --gang-scheduling extender|off
                             extender: gang placement on a stock kube-scheduler through copse's placement gate and
                             scheduler extender (default); off: pods go to kube-scheduler one by one, as with Grove's
                             default-scheduler profile
  --extender-marker on|off   on: the pods copse sends to kube-scheduler outside native PodGroups request 1
                             scheduling.copse.io/extender, and only they reach the extender. Needs the extender
                             entry of manifests/scheduler/kube-scheduler-config-native.yaml (managedResources);
                             without it marked pods stay Pending. For native clusters, where kube-scheduler
                             would otherwise call the extender for every pod of every placement it tries.
                             Other pods are then not kept off gang reservations (default off; $COPSE_EXTENDER_MARKER)
  --extender-bind-address HOST:PORT
                             the scheduler extender's HTTPS listener (default 0.0.0.0:9444)
  --dynamo auto|false        auto: run the DynamoGraphDeployment controller when the cluster serves the
                             nvidia.com DGD CRD at start-up (default); false: never
  --reservation-timeout SECONDS
                             how long a planned gang may wait for kube-scheduler before it is planned again (default 30)
  --partial-gang-timeout SECONDS
                             how long a gang that never ran may stay partly bound with no room for the rest before
                             its bound pods are deleted and it is placed again whole (default 60; 0: never)
  --native-scheduling auto|on|off
                             hand gangs to kube-scheduler's own gang scheduling (Kubernetes v1.37 Workload,
                             CompositePodGroup, PodGroup) where it can express them; the others keep the
                             --gang-scheduling path. auto: when discovery and a dry-run PodGroup show the
                             apiserver serves it (default; $COPSE_NATIVE_SCHEDULING); on: without probing (the
                             scheduler's feature gates cannot be discovered); off: never
`;

export interface ServeOptions {
  help: boolean;
  kubeconfig?: string;
  inCluster: boolean;
  host: string;
  port: number;
  namespace?: string;
  registerLocal: boolean;
  certMode: 'auto' | 'manual';
  certDir?: string;
  resyncSeconds: number;
  topologyAwareScheduling: boolean;
  metricsHost: string;
  metricsPort: number;
  controllers: boolean;
  aggregatedApi: boolean;
  apiHost: string;
  apiPort: number;
  apiCertDir?: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  qps: number;
  burst: number;
  watchStallSeconds: number;
  /** V8's heap growing percent (0: V8's default). */
  heapGrowthPercent: number;
  gangScheduling: 'extender' | 'off';
  extenderHost: string;
  extenderPort: number;
  extenderMarker: boolean;
  reservationTimeoutSeconds: number;
  partialGangTimeoutSeconds: number;
  nativeScheduling: NativeSetting;
  dynamo: 'auto' | 'false';
}

export class UsageError extends Error {}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new UsageError(`--${flag}: must be ${allowed.join(' or ')}, got "${value}"`);
  return found;
}

function numberIn(flag: string, value: string | undefined, ok: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (!ok(n)) throw new UsageError(`--${flag}: must be ${what}, got "${value}"`);
  return n;
}

/**
 * Parse and check the flags; every error names the flag it is about. `COPSE_NAMESPACE` (set by the
 * Deployment from the pod's namespace) is the default for --namespace, so a copy installed into
 * another namespace keeps its Secrets there without a flag.
 */
export function parseServeOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      'in-cluster': { type: 'boolean', default: false },
      host: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string', default: '9443' },
      namespace: { type: 'string' },
      'register-local': { type: 'boolean', default: false },
      'cert-mode': { type: 'string', default: 'auto' },
      'cert-dir': { type: 'string' },
      'topology-aware-scheduling': { type: 'string', default: 'true' },
      'resync-interval': { type: 'string', default: '3600' },
      'metrics-bind-address': { type: 'string', default: '0.0.0.0:8080' },
      controllers: { type: 'string', default: 'true' },
      'aggregated-api': { type: 'string', default: 'true' },
      'api-bind-address': { type: 'string', default: '0.0.0.0:6443' },
      'api-cert-dir': { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'leader-election-namespace': { type: 'string' },
      'kube-api-qps': { type: 'string', default: '200' },
      'kube-api-burst': { type: 'string', default: '400' },
      'watch-stall-seconds': { type: 'string', default: '180' },
      'heap-growth-percent': { type: 'string', default: '40' },
      'gang-scheduling': { type: 'string', default: 'extender' },
      'extender-bind-address': { type: 'string', default: '0.0.0.0:9444' },
      'extender-marker': { type: 'string' },
      'reservation-timeout': { type: 'string', default: '30' },
      'partial-gang-timeout': { type: 'string', default: '60' },
      'native-scheduling': { type: 'string' },
      dynamo: { type: 'string', default: 'auto' },
      help: { type: 'boolean', default: false },
    },
  });
  const port = numberIn('port', v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number');
  const certMode = oneOf('cert-mode', v['cert-mode'], ['auto', 'manual'] as const);
  if (certMode === 'manual' && !v['cert-dir']) throw new UsageError('--cert-dir: required with --cert-mode=manual');
  const tas = oneOf('topology-aware-scheduling', v['topology-aware-scheduling'], ['true', 'false'] as const);
  const namespace = v.namespace || env['COPSE_NAMESPACE'];
  const resyncSeconds = numberIn('resync-interval', v['resync-interval'], (n) => Number.isFinite(n) && n > 0, 'a positive number of seconds');
  const metrics = hostPort('metrics-bind-address', v['metrics-bind-address']);
  const controllers = oneOf('controllers', v.controllers, ['true', 'false'] as const);
  const aggregatedApi = oneOf('aggregated-api', v['aggregated-api'], ['true', 'false'] as const);
  const api = hostPort('api-bind-address', v['api-bind-address']);
  if (certMode === 'manual' && aggregatedApi === 'true' && !v['api-cert-dir']) throw new UsageError('--api-cert-dir: required with --cert-mode=manual (or --aggregated-api=false)');
  const leaderElect = oneOf('leader-elect', v['leader-elect'], ['true', 'false'] as const);
  const qps = numberIn('kube-api-qps', v['kube-api-qps'], (n) => Number.isFinite(n) && n > 0, 'a positive number');
  const burst = numberIn('kube-api-burst', v['kube-api-burst'], (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const heapGrowthPercent = numberIn('heap-growth-percent', v['heap-growth-percent'], (n) => Number.isInteger(n) && n >= 0 && n <= 1000, 'an integer from 0 to 1000');
  const watchStallSeconds = numberIn('watch-stall-seconds', v['watch-stall-seconds'], (n) => Number.isFinite(n) && n >= 1, 'at least 1 second');
  const gangScheduling = oneOf('gang-scheduling', v['gang-scheduling'], ['extender', 'off'] as const);
  const extender = hostPort('extender-bind-address', v['extender-bind-address']);
  const extenderMarker = extenderMarkerOf(v['extender-marker'], env, gangScheduling);
  const reservationTimeoutSeconds = numberIn('reservation-timeout', v['reservation-timeout'], (n) => Number.isFinite(n) && n >= 1, 'at least 1 second');
  const partialGangTimeoutSeconds = numberIn('partial-gang-timeout', v['partial-gang-timeout'], (n) => Number.isFinite(n) && n >= 0, '0 or more seconds');
  const nativeScheduling = nativeSettingOf(v['native-scheduling'], env);
  return {
    help: v.help === true,
    ...(v.kubeconfig ? { kubeconfig: v.kubeconfig } : {}),
    inCluster: v['in-cluster'] === true,
    host: v.host ?? '0.0.0.0',
    port,
    ...(namespace ? { namespace } : {}),
    registerLocal: v['register-local'] === true,
    certMode,
    ...(v['cert-dir'] ? { certDir: v['cert-dir'] } : {}),
    resyncSeconds,
    topologyAwareScheduling: tas === 'true',
    metricsHost: metrics.host,
    metricsPort: metrics.port,
    controllers: controllers === 'true',
    aggregatedApi: aggregatedApi === 'true',
    apiHost: api.host,
    apiPort: api.port,
    ...(v['api-cert-dir'] ? { apiCertDir: v['api-cert-dir'] } : {}),
    leaderElect: leaderElect === 'true',
    ...(v['leader-election-namespace'] ? { leaderElectionNamespace: v['leader-election-namespace'] } : {}),
    qps,
    burst,
    watchStallSeconds,
    heapGrowthPercent,
    gangScheduling,
    extenderHost: extender.host,
    extenderPort: extender.port,
    extenderMarker,
    reservationTimeoutSeconds,
    partialGangTimeoutSeconds,
    nativeScheduling,
    dynamo: oneOf('dynamo', v.dynamo, ['auto', 'false'] as const),
  };
}

/** --extender-marker, else $COPSE_EXTENDER_MARKER, else off; only with an extender to send pods to. */
function extenderMarkerOf(flag: string | undefined, env: NodeJS.ProcessEnv, gangScheduling: ServeOptions['gangScheduling']): boolean {
  const on = oneOf('extender-marker', flag ?? (env['COPSE_EXTENDER_MARKER'] || 'off'), ['on', 'off'] as const) === 'on';
  if (on && gangScheduling === 'off') throw new UsageError('--extender-marker: on needs --gang-scheduling extender (the marker sends pods to an extender)');
  return on;
}

/** --native-scheduling, else $COPSE_NATIVE_SCHEDULING, else auto. */
function nativeSettingOf(flag: string | undefined, env: NodeJS.ProcessEnv): NativeSetting {
  try {
    return parseNativeSetting(flag ?? (env['COPSE_NATIVE_SCHEDULING'] || undefined), '--native-scheduling');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function hostPort(flag: string, value: string | undefined): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value ?? '');
  const port = Number(m?.[2]);
  if (!m || !m[1] || !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--${flag}: must be HOST:PORT, got "${value}"`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * The controllers' configuration from the serve flags. `native` (on a cluster with native scheduling)
 * looks gangs up by name: the native backend prepares each pod by the decision of its gang.
 */
export function controllerConfig(o: ServeOptions, native?: { gangOf: (namespace: string, name: string) => PodGang | undefined }): ControllerConfig {
  // With gang scheduling, pods for kube-scheduler are born behind copse's placement gate.
  const fallback: SchedulerBackend = o.gangScheduling === 'extender' ? withPlacementGate(defaultSchedulerBackend) : defaultSchedulerBackend;
  return {
    topologyAwareScheduling: o.topologyAwareScheduling,
    defaultSchedulerName: 'default-scheduler',
    backends: [marked(o, native ? nativeBackend(fallback, native.gangOf) : fallback)],
    concurrency: { podCliqueSet: 4, podClique: 64, scalingGroup: 8, podGang: 32, gates: 16 },
  };
}

/** With --extender-marker on, the pods kube-scheduler should send to copse's extender carry the marker. */
function marked(o: ServeOptions, backend: SchedulerBackend): SchedulerBackend {
  return o.extenderMarker ? withExtenderMarker(backend) : backend;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolveStop) => {
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    process.once('SIGINT', () => resolveStop('SIGINT'));
  });
}

interface ApiContext {
  http: KubeHttp;
  namespace: string;
  manager: Manager | undefined;
  informerDefaults: { resyncMs: number; stallMs: number };
  monitoring: Awaited<ReturnType<typeof startMonitoring>>;
}

/** The aggregated API server, on the controllers' informers, or on its own when controllers are off. */
/**
 * Whether to run the DynamoGraphDeployment controller: only when the CRD is served, since an informer
 * on a resource the cluster lacks never syncs and would hold back every controller. Asked once at
 * start-up (retrying while kube-apiserver is not answering); a CRD installed later needs a restart.
 */
async function dynamoServed(client: DynamicClient, log: ReturnType<typeof componentLogger>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const served = await dynamoCrdServed(client);
      log.info({ served }, served ? 'DynamoGraphDeployment CRD served: running its controller' : 'DynamoGraphDeployment CRD not served: no Dynamo controller');
      return served;
    } catch (err) {
      if (attempt >= 10) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not tell whether the DynamoGraphDeployment CRD is served; no Dynamo controller');
        return false;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function startAggregatedApi(o: ServeOptions, c: ApiContext): Promise<{ api?: RunningApiServer; standalone?: InformerFactory }> {
  if (!o.aggregatedApi) return {};
  const client = new DynamicClient(c.http, FIELD_MANAGERS.apiserver);
  const standalone = c.manager ? undefined : new InformerFactory(client, componentLogger('informers'), c.informerDefaults);
  const api = await runApiServer({
    client,
    informers: c.manager?.informers ?? (standalone as InformerFactory),
    namespace: c.namespace,
    host: o.apiHost,
    port: o.apiPort,
    certMode: o.certMode,
    ...(o.apiCertDir ? { certDir: o.apiCertDir } : {}),
    resyncIntervalMs: o.resyncSeconds * 1000,
    registerLocal: o.registerLocal,
    log: componentLogger('apiserver'),
  });
  c.monitoring.addReadinessCheck('apiserver', () => api.notReady());
  return { api, ...(standalone ? { standalone } : {}) };
}

interface Controllers {
  manager: Manager;
  gangs: GangScheduling | undefined;
}

/** The controllers (and, with --gang-scheduling=extender, gang scheduling) on their own field manager. */
async function startControllers(
  o: ServeOptions,
  http: KubeHttp,
  namespace: string,
  informerDefaults: ApiContext['informerDefaults'],
  monitoring: ApiContext['monitoring'],
  log: ReturnType<typeof componentLogger>,
): Promise<Controllers> {
  const manager = new Manager({
    client: new DynamicClient(http, FIELD_MANAGERS.controller),
    log: componentLogger('controllers'),
    informers: informerDefaults,
    ...(o.leaderElect ? { leaderElection: { namespace: o.leaderElectionNamespace ?? namespace, name: 'copse-controller-leader' } } : {}),
  });
  const pending = new PendingReasons();
  // Decided once, before any pod is created: a pod's schedulingGroup is fixed at creation.
  const support = await nativeSupport(o.nativeScheduling, manager.informers.client, namespace, componentLogger('native'));
  const gangStore = manager.informers.informer<PodGang>(RESOURCES.podGangs).store;
  let native: NativeScheduling | undefined;
  // The DGD controller only where its CRD is served: an informer that never syncs would hold back every controller.
  const dynamo = o.dynamo === 'auto' && (await dynamoServed(manager.informers.client, log));
  const ctrls = registerControllers(manager, controllerConfig(o, support.native ? { gangOf: (ns, n) => gangStore.getByName(ns, n) } : undefined), componentLogger('controllers'), {
    dynamo,
    pendingReasons: (gang) => native?.pendingReason(gang) ?? pending.get(objectKey(gang.metadata.namespace, gang.metadata.name ?? '')),
  });
  if (support.native) native = registerNativeScheduling(manager, { onPendingReason: (key) => ctrls.podGang.enqueue(key), log: componentLogger('native') });
  const gangs =
    o.gangScheduling === 'extender'
      ? registerGangScheduling(manager, {
          pending,
          onPendingReason: (key) => ctrls.podGang.enqueue(key),
          reservationTimeoutMs: o.reservationTimeoutSeconds * 1000,
          partialGangTimeoutMs: o.partialGangTimeoutSeconds * 1000,
          log: componentLogger('scheduler'),
        })
      : undefined;
  monitoring.addReadinessCheck('informers', () => (manager.synced() ? undefined : 'informer caches not synced yet'));
  return { manager, gangs };
}

/** The scheduler extender, serving the webhooks' certificate (rotations reach both through onCertificate). */
async function startExtender(o: ServeOptions, gangs: GangScheduling | undefined, webhooks: RunningWebhooks, monitoring: ApiContext['monitoring']): Promise<ExtenderServer | undefined> {
  const cert = webhooks.certs.current();
  if (!gangs || !cert) return undefined;
  const extender = await startExtenderServer({ host: o.extenderHost, port: o.extenderPort, tls: cert, usage: gangs.usage, synced: gangs.whenSynced(), log: componentLogger('extender') });
  monitoring.addReadinessCheck('extender', () => (gangs.synced() ? undefined : 'pod and node caches not synced yet'));
  return extender;
}

/** What runWebhooks is given: the serve flags, copse's connection, and who else gets each certificate. */
function webhookOptions(o: ServeOptions, http: KubeHttp, onCertificate: (c: ServingCertificate) => void): RunWebhooksOptions {
  return {
    client: new DynamicClient(http, FIELD_MANAGERS.webhooks),
    host: o.host,
    port: o.port,
    certMode: o.certMode,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.certDir ? { certDir: o.certDir } : {}),
    ...(o.registerLocal ? { register: 'local' as const } : {}),
    // The startup webhook's init container runs COPSE_IMAGE (the Deployment sets it to its own image).
    config: { topologyAwareScheduling: o.topologyAwareScheduling, initContainer: initContainerConfig() },
    resyncIntervalMs: o.resyncSeconds * 1000,
    onCertificate,
    log: componentLogger('serve'),
  };
}

function kubeConfigOf(o: ServeOptions): ReturnType<typeof loadKubeConfig> {
  return loadKubeConfig(o.inCluster ? { inCluster: true } : o.kubeconfig ? { kubeconfig: o.kubeconfig } : {});
}

function parseOrThrow(argv: string[]): ServeOptions {
  try {
    return parseServeOptions(argv);
  } catch (e) {
    throw new Error(`copse serve: ${(e as Error).message}`);
  }
}

export const serveCommand: Command = {
  summary: 'run copse in the foreground',
  async run(argv) {
    const o = parseOrThrow(argv);
    if (o.help) {
      process.stdout.write(help);
      return 0;
    }
    const log = componentLogger('serve');
    // V8 reads this on every heap-limit computation, so setting it here works as well as a flag on
    // node's command line, and `copse serve` carries it wherever it runs.
    if (o.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${o.heapGrowthPercent}`);
    enableProcessMetrics();
    const monitoring = await startMonitoring({ host: o.metricsHost, port: o.metricsPort, registry: defaultRegistry, log });
    const http = new KubeHttp(kubeConfigOf(o), { qps: o.qps, burst: o.burst, observe: kubeRequestObserver() });
    const namespace = o.namespace ?? 'copse-system';
    const informerDefaults = { resyncMs: 10 * 60_000, stallMs: o.watchStallSeconds * 1000 };
    const controllers = o.controllers ? await startControllers(o, http, namespace, informerDefaults, monitoring, log) : undefined;
    const manager = controllers?.manager;
    // The extender serves the webhook's certificate; rotations reach both.
    const extenderRef: { server?: ExtenderServer | undefined } = {};
    const running = await runWebhooks(webhookOptions(o, http, (c) => extenderRef.server?.setCertificate(c)));
    monitoring.addReadinessCheck('webhooks', () => (running.server.ready() ? undefined : 'no serving certificate yet'));
    extenderRef.server = await startExtender(o, controllers?.gangs, running, monitoring);
    const { api, standalone } = await startAggregatedApi(o, { http, namespace, manager, informerDefaults, monitoring });
    standalone?.start();
    // Informers sync in the background; the webhooks serve meanwhile.
    void manager?.start().catch((err: unknown) => log.error({ err }, 'controllers failed to start'));
    log.info({ url: running.server.url, api: api ? `https://${o.apiHost}:${api.port}` : undefined, metrics: monitoring.url, controllers: o.controllers, leaderElect: o.leaderElect }, 'copse is serving');
    log.info({ signal: await waitForSignal() }, 'shutting down');
    // The aggregated API first: with --register-local it removes its APIService while it still answers.
    await api?.close();
    await manager?.stop();
    await standalone?.shutdown();
    await extenderRef.server?.close();
    await running.close();
    await monitoring.close();
    http.close();
    return 0;
  },
};
