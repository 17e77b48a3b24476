// `copse serve`: run copse's server in the foreground (admission webhooks now;
// controllers, the scheduler extender and the aggregated API join it later).
import { parseArgs } from 'node:util';
import { loadKubeConfig, makeClients } from '../kube/client.js';
import { componentLogger } from '../kube/log.js';
import { runWebhooks } from '../webhooks/run.js';
import type { Command } from './main.js';

const help = `Usage: copse serve [options]

  --kubeconfig PATH          cluster to serve (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --in-cluster               use the pod's service account (the Deployment in manifests/ does this)
  --host ADDR --port N       where to listen (default 0.0.0.0:9443)
  --namespace NS             copse's own namespace: certificate Secrets, excluded from admission
                             (default: $COPSE_NAMESPACE, which the Deployment sets to the pod's namespace; else copse-system)
  --register-local           register the webhook configurations with url: https://<host>:<port>/...
                             (what \`copse up\` does for a server running outside the cluster)
  --cert-mode auto|manual    auto: self-managed CA in a Secret, rotated and injected (default);
                             manual: read tls.crt/tls.key/ca.crt from --cert-dir (e.g. cert-manager)
  --cert-dir DIR             certificate directory for manual mode
  --resync-interval SECONDS  how often certificates and injected caBundles are re-checked (default 3600)
  --topology-aware-scheduling=false
                             reject topology constraints, as Grove does when TAS is off
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
      help: { type: 'boolean', default: false },
    },
  });
  const port = numberIn('port', v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number');
  const certMode = oneOf('cert-mode', v['cert-mode'], ['auto', 'manual'] as const);
  if (certMode === 'manual' && !v['cert-dir']) throw new UsageError('--cert-dir: required with --cert-mode=manual');
  const tas = oneOf('topology-aware-scheduling', v['topology-aware-scheduling'], ['true', 'false'] as const);
  const namespace = v.namespace || env['COPSE_NAMESPACE'];
  const resyncSeconds = numberIn('resync-interval', v['resync-interval'], (n) => Number.isFinite(n) && n > 0, 'a positive number of seconds');
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
  };
}

function waitForSignal(): Promise<string> {
  return new Promise((resolveStop) => {
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    process.once('SIGINT', () => resolveStop('SIGINT'));
  });
}

export const serveCommand: Command = {
  summary: 'run copse in the foreground',
  async run(argv) {
    let o: ServeOptions;
    try {
      o = parseServeOptions(argv);
    } catch (e) {
      throw new Error(`copse serve: ${(e as Error).message}`);
    }
    if (o.help) {
      process.stdout.write(help);
      return 0;
    }
    const log = componentLogger('serve');
    const kc = loadKubeConfig(o.inCluster ? { inCluster: true } : o.kubeconfig ? { kubeconfig: o.kubeconfig } : {});
    const running = await runWebhooks({
      kube: makeClients(kc),
      host: o.host,
      port: o.port,
      certMode: o.certMode,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.certDir ? { certDir: o.certDir } : {}),
      ...(o.registerLocal ? { register: 'local' as const } : {}),
      config: { topologyAwareScheduling: o.topologyAwareScheduling },
      resyncIntervalMs: o.resyncSeconds * 1000,
      log,
    });
    log.info({ url: running.server.url }, 'copse is serving');
    log.info({ signal: await waitForSignal() }, 'shutting down');
    await running.close();
    return 0;
  },
};
