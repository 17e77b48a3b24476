// Wiring for a real cluster: webhook server + certificate sync + (optionally) registration of the
// webhook configurations. Used in-cluster (`copse serve`) and by the local control plane
// (`copse up`, which runs this as a local process and registers `url: https://127.0.0.1:<port>/...`).
import { componentLogger, type Logger } from '../kube/log.js';
import { startCertSync, type CertMode, type CertSync, type ServingCertificate } from '../certs/sync.js';
import { warmUpHandlers, type AdmissionConfig } from './handlers.js';
import { COPSE_NAMESPACE, WEBHOOKS, caInjectionTargets, webhookConfigurations, type WebhookTarget } from './registry.js';
import { DEFAULT_WEBHOOK_PORT, startWebhookServer, type WebhookServer } from './server.js';
import { kaiTopologyCheck, topologyLookup } from './topology-lookup.js';
import { FIELD_MANAGERS, type DynamicClient } from '../kube/dynamic.js';

export const DEFAULT_SERVICE_NAME = 'copse-webhook';
export const DEFAULT_SECRET_NAME = 'copse-webhook-server-cert';

export interface RunWebhooksOptions {
  /** Also told of every serving certificate (the scheduler extender serves the same one). */
  onCertificate?: (cert: ServingCertificate) => void;
  /**
   * Reads ClusterTopologyBindings for the PodCliqueSet webhook and registers the configurations
   * (field manager copse-webhooks); certificate sync writes through it as copse-certs.
   */
  client: DynamicClient;
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
    await opts.client.as(FIELD_MANAGERS.webhooks).applyManifest(cfg);
    log.info({ kind: cfg.kind, name: cfg.metadata.name }, 'registered webhook configuration');
  }
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
    lookupTopology: topologyLookup(opts.client),
    kaiTopologyServed: kaiTopologyCheck(opts.client),
    ...(opts.config ? { config: opts.config } : {}),
    log,
  });
  let certs: CertSync;
  try {
    certs = await startCertSync({
      mode,
      client: opts.client,
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
