// Prometheus metrics through prom-client, the standard Node library. A Registry wraps one
// prom-client registry with get-or-create constructors, so a module can declare its metrics where
// they are used and tests can give each server a registry of its own. The process metrics
// (event-loop lag above all, the health signal of a Node controller; heap; GC; handles) are added
// once per process by enableProcessMetrics().
import client from 'prom-client';

export const METRICS_CONTENT_TYPE = client.Registry.PROMETHEUS_CONTENT_TYPE;

/** Seconds; from sub-millisecond (cache reads, admission) to a minute (a large deploy step). */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Names<L extends string> = readonly L[];

export class Registry {
  readonly prom = new client.Registry();

  private existing<M>(name: string): M | undefined {
    return this.prom.getSingleMetric(name) as M | undefined;
  }

  counter<L extends string = never>(name: string, help: string, labelNames: Names<L> = []): client.Counter<L> {
    return this.existing<client.Counter<L>>(name) ?? new client.Counter<L>({ name, help, labelNames, registers: [this.prom] });
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: Names<L> = []): client.Gauge<L> {
    return this.existing<client.Gauge<L>>(name) ?? new client.Gauge<L>({ name, help, labelNames, registers: [this.prom] });
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: Names<L> = [], buckets: readonly number[] = LATENCY_BUCKETS): client.Histogram<L> {
    return this.existing<client.Histogram<L>>(name) ?? new client.Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [this.prom] });
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.prom.metrics();
  }

  /** A metric's value (tests): summed over the series whose labels include `labels`; a histogram counts observations. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = this.prom.getSingleMetric(name);
    if (!m) return 0;
    const data = await m.get();
    const wanted = String(data.type) === 'histogram' ? `${name}_count` : undefined;
    let sum = 0;
    for (const v of data.values) {
      const metricName = (v as { metricName?: string }).metricName;
      if (metricName !== wanted && !(wanted === undefined && metricName === name)) continue;
      const l = v.labels as Record<string, unknown>;
      if (Object.entries(labels).every(([k, want]) => String(l[k]) === want)) sum += v.value;
    }
    return sum;
  }
}

export const defaultRegistry = new Registry();

let processMetrics = false;
/** Process and Node runtime metrics (event-loop lag, heap, GC, handles) on the default registry. */
export function enableProcessMetrics(registry: Registry = defaultRegistry): void {
  if (processMetrics && registry === defaultRegistry) return;
  client.collectDefaultMetrics({ register: registry.prom, eventLoopMonitoringPrecision: 10 });
  if (registry === defaultRegistry) processMetrics = true;
}
