// The runtime's only entry point to @kubernetes/client-node (style §7.1). Everything else imports
// clients and types from here, so the Node 20 pin (client-node ~1.4, ESM-only, ObjectParamAPI) and
// its quirks (k8s-wire §4) are handled in one folder.
import {
  AdmissionregistrationV1Api,
  ApiregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from './log.js';
import { toKubeError } from './errors.js';
import { RawObjectApi } from './raw.js';

export {
  KubeConfig,
  CoreV1Api,
  CustomObjectsApi,
  AdmissionregistrationV1Api,
  ApiregistrationV1Api,
  KubernetesObjectApi,
};
export type {
  KubernetesObject,
  V1Secret,
  V1ObjectMeta,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
  V1APIService,
  V1Status,
} from '@kubernetes/client-node';

export interface LoadOptions {
  /** A kubeconfig path; default: $KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** Switch to this context after loading. */
  context?: string;
  /** Use the pod's service account only, even if a kubeconfig file exists. */
  inCluster?: boolean;
}

/** Load a KubeConfig from a file or the default chain (client-node's loadFromDefault). */
export function loadKubeConfig(opts: LoadOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new Error(`kubeconfig has no context ${JSON.stringify(opts.context)}`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster');
  return kc;
}

export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  admission: AdmissionregistrationV1Api;
  apiregistration: ApiregistrationV1Api;
  /** Generic client; resolves plurals through discovery. Positional arguments. Reads only: its typed models are lossy for CRDs. */
  objects: KubernetesObjectApi;
  /** Raw JSON writes of any kind (server-side apply); see kube/raw.ts. */
  raw: RawObjectApi;
}

export function makeClients(kc: KubeConfig): KubeClients {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    apiregistration: kc.makeApiClient(ApiregistrationV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    raw: new RawObjectApi(kc),
  };
}

// ------------------------------------------------------------------------------------------------
// Watching one object

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchNamedOptions {
  kc: KubeConfig;
  /** The collection (list) path, e.g. `/api/v1/namespaces/copse-system/secrets`. */
  listPath: string;
  /** Only events for this object name (sent as fieldSelector metadata.name=<name>). */
  name: string;
  onEvent: (type: WatchEventType, obj: unknown) => void;
  log?: Logger;
  /** Server-side timeout per watch request; client-node 1.4 has no client-side one (k8s-wire §4). */
  timeoutSeconds?: number;
  /** Backoff after an error, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Watch a single named object forever, reconnecting after every close and backing off after
 * errors. Without a resourceVersion every (re)connect first replays the object as ADDED, so a
 * missed event is healed on the next reconnect. Returns a stop function.
 */
export function watchNamed(opts: WatchNamedOptions): () => void {
  const watch = new Watch(opts.kc);
  const minBackoff = opts.minBackoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 60_000;
  let backoff = minBackoff;
  let stopped = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void connect(), ms);
    timer.unref();
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const startedAt = Date.now();
    try {
      controller = await watch.watch(
        opts.listPath,
        { fieldSelector: `metadata.name=${opts.name}`, timeoutSeconds: opts.timeoutSeconds ?? 300 },
        (type, obj) => {
          backoff = minBackoff;
          try {
            opts.onEvent(type as WatchEventType, obj);
          } catch (err) {
            opts.log?.error({ err, path: opts.listPath, name: opts.name }, 'watch handler failed');
          }
        },
        (err: unknown) => {
          controller = undefined;
          if (stopped) return;
          if (err) {
            opts.log?.warn({ err: toKubeError(err).message, path: opts.listPath, name: opts.name }, 'watch failed; retrying');
            schedule(backoff);
            backoff = Math.min(backoff * 2, maxBackoff);
          } else {
            // Normal close (timeoutSeconds). Reconnect promptly but never in a tight loop.
            schedule(Date.now() - startedAt < 1000 ? backoff : 0);
          }
        },
      );
    } catch (err) {
      opts.log?.warn({ err: toKubeError(err).message, path: opts.listPath }, 'watch could not start; retrying');
      schedule(backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  };

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}
