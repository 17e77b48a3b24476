// Scrapes of the two components that see the scheduling path from inside: copse's `/metrics`
// (copse_extender_request_duration_seconds: the extender's handler time for kube-scheduler's own calls)
// and kube-scheduler's `/metrics` (scheduler_scheduling_algorithm_duration_seconds: the scheduling
// algorithm of a pod, which includes the extender's filter and prioritize calls as kube-scheduler
// waits on them; v1.37 has no metric of its own for extender calls).
import { request, type RequestOptions } from 'node:https';
import { loadKubeConfig } from '../../kube/client.js';
import { readState } from '../../cluster/local.js';
import { stateDir } from '../../cluster/paths.js';
import { parseHistogram, type HistogramSample } from './histogram.js';

export const EXTENDER_HISTOGRAM = 'copse_extender_request_duration_seconds';
export const ALGORITHM_HISTOGRAM = 'scheduler_scheduling_algorithm_duration_seconds';

function ports(): { metrics: number; scheduler: number; extender: number } {
  const state = readState(stateDir());
  if (!state) throw new Error('bench: no local cluster state');
  return state.ports;
}

/** copse's metrics text (plain HTTP on loopback). */
export async function copseMetrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${ports().metrics}/metrics`)).text();
}

/**
 * kube-scheduler's metrics text, with the admin client certificate (kube-scheduler authorizes
 * `/metrics` through kube-apiserver). Its serving certificate is self-signed, made in memory at start,
 * so there is no CA to verify it against; the connection stays on loopback.
 */
export async function schedulerMetrics(kubeconfig: string): Promise<string> {
  const opts: RequestOptions = { headers: {} };
  await loadKubeConfig({ kubeconfig }).applyToHTTPSOptions(opts);
  return new Promise<string>((resolve, reject) => {
    const req = request(
      { hostname: '127.0.0.1', port: ports().scheduler, path: '/metrics', method: 'GET', cert: opts.cert, key: opts.key, headers: opts.headers, rejectUnauthorized: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`kube-scheduler /metrics: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('kube-scheduler /metrics: no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Both histograms of interest at one moment; the extender's by verb. */
export interface PathHistograms {
  filter: HistogramSample;
  prioritize: HistogramSample;
  algorithm: HistogramSample;
}

export async function pathHistograms(kubeconfig: string): Promise<PathHistograms> {
  const [copse, sched] = await Promise.all([copseMetrics(), schedulerMetrics(kubeconfig)]);
  return { ...extenderHistograms(copse), algorithm: parseHistogram(sched, ALGORITHM_HISTOGRAM) };
}

/** copse's extender histogram by verb (answered calls only). */
export function extenderHistograms(copseText: string): Pick<PathHistograms, 'filter' | 'prioritize'> {
  return {
    filter: parseHistogram(copseText, EXTENDER_HISTOGRAM, { verb: 'filter', outcome: 'ok' }),
    prioritize: parseHistogram(copseText, EXTENDER_HISTOGRAM, { verb: 'prioritize', outcome: 'ok' }),
  };
}

/** The extender's URL prefix on the local cluster, as kube-scheduler is configured with it. */
export function extenderUrlPrefix(): string {
  return `https://127.0.0.1:${ports().extender}/scheduler`;
}
