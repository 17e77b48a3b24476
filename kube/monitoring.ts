// The operations listener: /metrics (Prometheus), /healthz, /livez and /readyz, on a port of its
// own, plain HTTP. It is kept off the webhook and API ports so that scraping needs no client
// certificate and no admission traffic shares it. What it exposes: counters, gauges and histograms
// about copse itself (requests, reconciles, queues, caches, process and event loop) with labels
// naming controllers, webhooks, verbs and resources, never object names or contents; and the
// names of failing readiness checks.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { METRICS_CONTENT_TYPE, defaultRegistry, type Registry } from './metrics.js';

/** A readiness check: undefined when ready, else why not. */
export type ReadinessCheck = () => string | undefined;

export interface MonitoringOptions {
  host: string;
  port: number;
  registry?: Registry;
  log: Logger;
}

export interface MonitoringServer {
  readonly port: number;
  readonly url: string;
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  close(): Promise<void>;
}

export async function startMonitoring(opts: MonitoringOptions): Promise<MonitoringServer> {
  const registry = opts.registry ?? defaultRegistry;
  const checks = new Map<string, ReadinessCheck>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
    switch (path) {
      case '/metrics':
        registry.render().then(
          (body) => text(200, body, METRICS_CONTENT_TYPE),
          (err: unknown) => text(500, `metrics: ${err instanceof Error ? err.message : String(err)}\n`),
        );
        return;
      case '/healthz':
      case '/livez':
        return text(200, 'ok\n');
      case '/readyz': {
        const failing = [...checks].flatMap(([name, check]) => {
          const why = check();
          return why ? [`${name}: ${why}`] : [];
        });
        return failing.length ? text(503, failing.join('\n') + '\n') : text(200, 'ok\n');
      }
      default:
        return text(404, 'not found\n');
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = ['0.0.0.0', '::'].includes(opts.host) ? '127.0.0.1' : opts.host;
  opts.log.info({ host: opts.host, port }, 'monitoring listener (metrics, health) listening');
  return {
    port,
    url: `http://${host}:${port}`,
    addReadinessCheck: (name, check) => void checks.set(name, check),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
