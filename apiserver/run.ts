// Wiring of the aggregated API server for `copse serve`: the live views over the shared informers,
// the front-proxy configuration from kube-system/extension-apiserver-authentication (watched, so a
// rotated front-proxy CA is picked up without a restart), its own serving certificate, and, for
// `copse up`, its local registration.
//
// Certificates: a second serving Secret (`copse-api-server-cert`) signed by the same CA as the
// webhooks' (`copse-ca`), rather than one certificate carrying both Services' names. The certificate
// machinery already keeps one CA and any number of serving Secrets; separate leaves mean a leaked key
// impersonates one Service, not both; and with --cert-mode=manual each Service can get its own
// cert-manager Certificate. Certificate sync injects the CA into the APIService's caBundle.
import type { ConfigMap } from '../api/core/wire.js';
import { startCertSync, type CertMode, type CertSync, type ServingCertificate } from '../certs/sync.js';
import { placeholderCertificate } from '../certs/tls.js';
import type { InformerFactory } from '../controllers/runtime/factory.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { toKubeError } from '../kube/errors.js';
import type { Logger } from '../kube/log.js';
import { defaultRegistry, type Registry } from '../kube/metrics.js';
import { RESOURCES } from '../kube/resources.js';
import { frontProxyConfig, type FrontProxyConfig } from './authn.js';
import { Authorizer, reviewWith } from './authz.js';
import { ResourceVersionClock } from './live/clock.js';
import { liveViews, type LiveViews } from './live/views.js';
import { DEFAULT_API_PORT, DEFAULT_API_SECRET_NAME, DEFAULT_API_SERVICE_NAME, deregisterLocal, registerLocal } from './register.js';
import { APISERVICE_NAME } from './resources.js';
import { buildApiServer, type ApiServer } from './server.js';

export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export interface RunApiServerOptions {
  /** copse's client (SubjectAccessReviews, registration); certificate sync writes through it as copse-certs. */
  client: DynamicClient;
  /** The process's shared informers (the controllers' when they run). */
  informers: InformerFactory;
  namespace: string;
  serviceName?: string;
  host?: string;
  port?: number;
  certMode?: CertMode;
  secretName?: string;
  /** manual mode: tls.crt/tls.key/ca.crt of this server. */
  certDir?: string;
  resyncIntervalMs?: number;
  /** Register an ExternalName Service and the APIService for this local process (`copse up`). */
  registerLocal?: boolean;
  log: Logger;
  metrics?: Registry;
}

export interface RunningApiServer {
  server: ApiServer;
  port: number;
  views: LiveViews;
  certs: CertSync;
  /** Why the server is not ready, or undefined when it is. */
  notReady(): string | undefined;
  /** Stop serving; with local registration, remove the APIService first. */
  close(): Promise<void>;
}

export async function runApiServer(opts: RunApiServerOptions): Promise<RunningApiServer> {
  const log = opts.log;
  const serviceName = opts.serviceName ?? DEFAULT_API_SERVICE_NAME;
  const mode = opts.certMode ?? 'auto';
  const clock = new ResourceVersionClock();
  const views = liveViews(opts.informers, { clock, onError: (resource, key, err) => log.error({ err, resource, key }, 'computing a live view failed') });

  let frontProxy: FrontProxyConfig | undefined;
  let cert: ServingCertificate | undefined;
  const server = buildApiServer({
    tls: placeholderCertificate(new Date()),
    state: {
      frontProxy: () => frontProxy,
      synced: () => views.synced(),
      ready: () => notReady(),
    },
    authorizer: new Authorizer(reviewWith(opts.client)),
    collections: views.collections,
    clock,
    log,
    metrics: opts.metrics ?? defaultRegistry,
  });
  // The serving certificate and the front-proxy CA change independently; the TLS context holds both.
  const applyTls = () => {
    if (cert) server.setTls(cert, frontProxy?.caPem);
  };
  const auth = opts.informers.informer(RESOURCES.configMaps, { namespace: AUTH_CONFIGMAP.namespace, fieldSelector: `metadata.name=${AUTH_CONFIGMAP.name}` });
  const loadAuth = (cm: ConfigMap | undefined) => {
    try {
      const next = cm ? frontProxyConfig(cm.data) : undefined;
      if (next?.caPem !== frontProxy?.caPem) log.info({ caCerts: next?.caCerts.length ?? 0, allowedNames: next?.allowedNames }, 'front-proxy configuration loaded');
      frontProxy = next;
      applyTls();
    } catch (err) {
      log.error({ err: (err as Error).message }, `${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} is malformed; keeping the previous front-proxy configuration`);
    }
  };
  auth.on({ add: loadAuth, update: (_o, n) => loadAuth(n), delete: () => loadAuth(undefined) });

  const port = opts.port ?? DEFAULT_API_PORT;
  await server.app.listen({ host: opts.host ?? '0.0.0.0', port });
  const addr = server.app.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  log.info({ host: opts.host ?? '0.0.0.0', port: boundPort }, 'aggregated API server listening');

  let certs: CertSync;
  try {
    certs = await startCertSync({
      mode,
      client: opts.client,
      secret: { namespace: opts.namespace, name: opts.secretName ?? DEFAULT_API_SECRET_NAME },
      ...(opts.certDir ? { certDir: opts.certDir } : {}),
      service: { name: serviceName, namespace: opts.namespace },
      ...(mode === 'auto' ? { apiServices: [APISERVICE_NAME] } : {}),
      ...(opts.resyncIntervalMs ? { resyncIntervalMs: opts.resyncIntervalMs } : {}),
      identity: { commonName: serviceName },
      onCertificate: (c) => {
        cert = c;
        applyTls();
      },
      log,
    });
  } catch (err) {
    await server.close();
    throw err;
  }

  function notReady(): string | undefined {
    if (!cert) return 'no serving certificate yet';
    if (!frontProxy) return `${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} not read yet`;
    if (!views.synced()) return 'informer caches not synced yet';
    return undefined;
  }

  if (opts.registerLocal) {
    // The Secret and caBundle exist now, so the APIService never points at a server the aggregator cannot verify.
    await registerLocal(opts.client, { namespace: opts.namespace, service: serviceName, port: boundPort, ...(certs.caBundle() ? { caBundle: certs.caBundle() as string } : {}) });
    log.info({ apiService: APISERVICE_NAME, port: boundPort }, 'registered the APIService for this local server');
  }

  return {
    server,
    port: boundPort,
    views,
    certs,
    notReady,
    close: async () => {
      if (opts.registerLocal) {
        try {
          await deregisterLocal(opts.client, opts.namespace, serviceName);
          log.info({ apiService: APISERVICE_NAME }, 'removed the APIService before stopping');
        } catch (err) {
          log.warn({ err: toKubeError(err).message }, 'could not remove the APIService; `copse down` removes it');
        }
      }
      certs.stop();
      views.stop();
      await server.close();
    },
  };
}
