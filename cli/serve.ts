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
  --namespace NS             copse's own namespace: certificate Secret, excluded from admission (default copse-system)
  --register-local           register the webhook configurations with url: https://<host>:<port>/...
                             (what \`copse up\` does for a server running outside the cluster)
  --cert-mode auto|manual    auto: self-managed CA in a Secret, rotated and injected (default);
                             manual: read tls.crt/tls.key/ca.crt from --cert-dir (e.g. cert-manager)
  --cert-dir DIR             certificate directory for manual mode
  --resync-interval SECONDS  how often certificates and injected caBundles are re-checked (default 3600)
  --topology-aware-scheduling=false
                             reject topology constraints, as Grove does when TAS is off
`;

export const serveCommand: Command = {
  summary: 'run copse in the foreground',
  async run(argv) {
    const { values } = parseArgs({
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
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`copse serve: --port: must be a port number, got "${values.port}"`);
    const mode = values['cert-mode'];
    if (mode !== 'auto' && mode !== 'manual') throw new Error(`copse serve: --cert-mode: must be auto or manual, got "${mode}"`);
    if (mode === 'manual' && !values['cert-dir']) throw new Error('copse serve: --cert-dir is required with --cert-mode=manual');
    const tas = values['topology-aware-scheduling'];
    if (tas !== 'true' && tas !== 'false') throw new Error(`copse serve: --topology-aware-scheduling: must be true or false, got "${tas}"`);

    const resync = Number(values['resync-interval']);
    if (!Number.isFinite(resync) || resync <= 0) throw new Error(`copse serve: --resync-interval: must be a positive number of seconds, got "${values['resync-interval']}"`);

    const log = componentLogger('serve');
    const kc = loadKubeConfig(values['in-cluster'] ? { inCluster: true } : values.kubeconfig ? { kubeconfig: values.kubeconfig } : {});
    const running = await runWebhooks({
      kube: makeClients(kc),
      host: values.host,
      port,
      certMode: mode,
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values['cert-dir'] ? { certDir: values['cert-dir'] } : {}),
      ...(values['register-local'] ? { register: 'local' as const } : {}),
      config: { topologyAwareScheduling: tas === 'true' },
      resyncIntervalMs: resync * 1000,
      log,
    });
    log.info({ url: running.server.url }, 'copse is serving');
    await new Promise<void>((resolveStop) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down');
        resolveStop();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await running.close();
    return 0;
  },
};
