// Wiring for a real cluster: webhook server + certificate sync + (optionally) registration of the
// webhook configurations. Used in-cluster (`copse serve`) and by the local control plane
// (`copse up`, which runs this as a local process and registers `url: https://127.0.0.1:<port>/...`).
import { applyObject } from '../kube/apply.js';
import type { KubeClients, KubernetesObject } from '../kube/client.js';
import { componentLogger, type Logger } from '../kube/log.js';
import { startCertSync, type CertMode, type CertSync, type ServingCertificate } from '../certs/sync.js';
import { warmUpHandlers, type AdmissionConfig } from './handlers.js';
import { COPSE_NAMESPACE, WEBHOOKS, caInjectionTargets, webhookConfigurations, type WebhookTarget } from './registry.js';
import { DEFAULT_WEBHOOK_PORT, startWebhookServer, type WebhookServer } from './server.js';
import { topologyLookup } from './topology-lookup.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { KubeHttp } from '../kube/http.js';

export const DEFAULT_SERVICE_NAME = 'copse-webhook';
export const DEFAULT_SECRET_NAME = 'copse-webhook-server-cert';

export interface RunWebhooksOptions {
  /** Also told of every serving certificate (the scheduler extender serves the same one). */
  onCertificate?: (cert: ServingCertificate) => void;
  kube: KubeClients;
  /** Reads ClusterTopologyBindings for the PodCliqueSet webhook (default: a DynamicClient over kube.kc). */
  client?: DynamicClient;
  /** copse's namespace (Secret location, Service namespace, excluded from interception). Default copse-system. */
  namespace?: string;
  /** The Service in front of the server (SANs; the `service` target). Default copse-webhook. */
  serviceName?: string;
  servicePort?: number;
  host?: string;
  port?: number;
  certMode?: CertMode;
  secretName?: string;
  /** manual mode: read certificates from this directory instead of the Secret. */
  certDir?: string;
  /**
   * Register (server-side apply) the webhook configurations pointing at this target. `copse up`
   * passes `'local'` (= `{url: server.url}`); in-cluster installs ship them as manifests instead.
   */
  register?: WebhookTarget | 'local';
  config?: Partial<AdmissionConfig>;
  resyncIntervalMs?: number;
  /** Also inject the CA into these APIServices (auto mode). */
  apiServices?: string[];
  log?: Logger;
}

export interface RunningWebhooks {
  server: WebhookServer;
  certs: CertSync;
  close(): Promise<void>;
}

async function registerConfigurations(opts: RunWebhooksOptions, server: WebhookServer, certs: CertSync, namespace: string, log: Logger): Promise<void> {
  // Register after the CA exists so the configurations never point at a server the apiserver cannot verify.
  const target = opts.register === 'local' || !opts.register ? { url: server.url } : opts.register;
  const caBundle = certs.mode === 'auto' ? certs.caBundle() : undefined;
  for (const cfg of webhookConfigurations(target, caBundle, { copseNamespace: namespace })) {
    await applyObject(opts.kube.raw, cfg as unknown as KubernetesObject);
    log.info({ kind: cfg.kind, name: cfg.metadata.name }, 'registered webhook configuration');
  }
}

/** What the PodCliqueSet webhook reads ClusterTopologyBindings with. */
function topologyReader(opts: RunWebhooksOptions): DynamicClient {
  return opts.client ?? new DynamicClient(new KubeHttp(opts.kube.kc), FIELD_MANAGERS.webhooks);
}

export async function runWebhooks(opts: RunWebhooksOptions): Promise<RunningWebhooks> {
  const log = opts.log ?? componentLogger('webhooks');
  const namespace = opts.namespace ?? COPSE_NAMESPACE;
  const serviceName = opts.serviceName ?? DEFAULT_SERVICE_NAME;
  const mode = opts.certMode ?? 'auto';

  // Compile validators before the server can report ready, not on the first request.
  warmUpHandlers();
  const server = await startWebhookServer({
    host: opts.host ?? '0.0.0.0',
    port: opts.port ?? DEFAULT_WEBHOOK_PORT,
    lookupTopology: topologyLookup(topologyReader(opts)),
    ...(opts.config ? { config: opts.config } : {}),
    log,
  });
  let certs: CertSync;
  try {
    certs = await startCertSync({
      mode,
      clients: opts.kube,
      secret: { namespace, name: opts.secretName ?? DEFAULT_SECRET_NAME },
      ...(opts.certDir ? { certDir: opts.certDir } : {}),
      service: { name: serviceName, namespace },
      ...(mode === 'auto' ? { ...caInjectionTargets(WEBHOOKS), apiServices: opts.apiServices ?? [] } : {}),
      ...(opts.resyncIntervalMs ? { resyncIntervalMs: opts.resyncIntervalMs } : {}),
      onCertificate: (c) => {
        server.setCertificate(c);
        opts.onCertificate?.(c);
      },
      log,
    });
  } catch (err) {
    await server.close();
    throw err;
  }

  if (opts.register) await registerConfigurations(opts, server, certs, namespace, log);

  return {
    server,
    certs,
    close: async () => {
      certs.stop();
      await server.close();
    },
  };
}
