// The kube-scheduler extender (HTTPS, JSON as kube-scheduler sends it, k8s-wire §3): filter and
// prioritize over node names (nodeCacheCapable). Bind stays with kube-scheduler. It answers from the
// node usage index the informers keep current, so a call costs one pass over the candidate names.
// Every answer is HTTP 200 with a result: a malformed request gets `Error` set, which kube-scheduler
// reports on the pod, and (with `ignorable: true` in its configuration) never blocks other pods.
import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { serverTlsOptions } from '../certs/tls.js';
import { defaultRegistry, type Registry } from '../kube/metrics.js';
import { filterNodes, prioritizeNodes } from './filter.js';
import type { NodeUsage } from './usage.js';
import { parseExtenderArgs, type ExtenderFilterResult } from './wire.js';

export const EXTENDER_PATH_PREFIX = '/scheduler';
/** Far above a filter over 10,000 node names (about 300 KB) plus the pod. */
const BODY_LIMIT = 8 * 1024 * 1024;

export type ExtenderVerb = 'filter' | 'prioritize';
export type ExtenderOutcome = 'ok' | 'malformed' | 'not-ready';

export interface ExtenderAppOptions {
  tls: { certPem: string; keyPem: string };
  usage: NodeUsage;
  /** False until the informers behind `usage` have listed: answering earlier would miss reservations. */
  ready: () => boolean;
  /** Where each call's duration goes (the metric lives in the main thread's registry). */
  observe: (verb: ExtenderVerb, outcome: ExtenderOutcome, seconds: number) => void;
}

/** The extender's duration histogram, in `registry`, as an `observe` callback. */
export function extenderMetrics(registry: Registry = defaultRegistry): ExtenderAppOptions['observe'] {
  const duration = registry.histogram('copse_extender_request_duration_seconds', 'Extender calls by verb and outcome.', ['verb', 'outcome']);
  return (verb, outcome, seconds) => duration.observe({ verb, outcome }, seconds);
}

export interface ExtenderServer {
  readonly port: number;
  readonly url: string;
  setCertificate(cert: { certPem: string; keyPem: string }): void;
  close(): Promise<void>;
}

function failedAll(names: readonly string[], why: string): ExtenderFilterResult {
  return { NodeNames: [], FailedNodes: Object.fromEntries(names.map((n) => [n, why])), FailedAndUnresolvableNodes: {}, Error: '' };
}

export function buildExtenderApp(opts: ExtenderAppOptions): FastifyInstance<HttpsServer> {
  const timer = (verb: ExtenderVerb) => {
    const t0 = process.hrtime.bigint();
    return (o: { outcome: ExtenderOutcome }) => opts.observe(verb, o.outcome, Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const app = Fastify({ https: serverTlsOptions(opts.tls), bodyLimit: BODY_LIMIT, logger: false, keepAliveTimeout: 120_000 });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    // kube-scheduler treats any non-200 as a failed call; say why in the body for its log.
    void reply.code(err.statusCode && err.statusCode >= 400 ? err.statusCode : 500).send({ Error: err.message });
  });
  app.post(`${EXTENDER_PATH_PREFIX}/filter`, async (req) => {
    const stop = timer('filter');
    const parsed = parseExtenderArgs(req.body);
    if (!parsed.ok) {
      stop({ outcome: 'malformed' });
      return { NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: parsed.message };
    }
    if (!opts.ready()) {
      stop({ outcome: 'not-ready' });
      // Unschedulable for now, not an error: the pod is retried once the caches have listed.
      return failedAll(parsed.args.NodeNames, 'copse is starting: its view of gang reservations is not complete yet');
    }
    const out = filterNodes(parsed.args.Pod, parsed.args.NodeNames, opts.usage);
    stop({ outcome: 'ok' });
    return out;
  });
  app.post(`${EXTENDER_PATH_PREFIX}/prioritize`, async (req) => {
    const stop = timer('prioritize');
    const parsed = parseExtenderArgs(req.body);
    if (!parsed.ok) {
      stop({ outcome: 'malformed' });
      // kube-scheduler ignores prioritize errors; an empty list simply adds no score.
      return [];
    }
    const out = prioritizeNodes(parsed.args.Pod, parsed.args.NodeNames, opts.usage);
    stop({ outcome: 'ok' });
    return out;
  });
  return app;
}
