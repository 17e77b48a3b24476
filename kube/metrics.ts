// A tiny Prometheus registry rendering the text exposition format 0.0.4, with no dependency.
// Counters, gauges and histograms, each with a fixed list of label names declared up front.
// https://prometheus.io/docs/instrumenting/exposition_formats/

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string | number>>;

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Prometheus prints floats Go-style; integers without a decimal point, and the special values by name. */
export function formatSample(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

abstract class Metric {
  protected readonly series = new Map<string, { labels: string[]; value: unknown }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME_RE.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) {
      if (!LABEL_RE.test(l) || l.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(l)} on ${name}`);
    }
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  protected key(labels: Labels | undefined): { key: string; values: string[] } {
    const given = labels ?? {};
    for (const k of Object.keys(given)) {
      if (!this.labelNames.includes(k)) throw new Error(`metric ${this.name} has no label ${JSON.stringify(k)}`);
    }
    const values = this.labelNames.map((n) => String(given[n] ?? ''));
    return { key: JSON.stringify(values), values };
  }

  protected labelText(values: readonly string[], extra?: [string, string]): string {
    const pairs = this.labelNames.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`);
    if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
    return pairs.length ? `{${pairs.join(',')}}` : '';
  }

  /** Drop every series (tests; or a gauge whose label set is recomputed from scratch). */
  reset(): void {
    this.series.clear();
  }

  protected header(): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
  }

  abstract render(): string[];
}

export class Counter extends Metric {
  readonly type = 'counter' as const;

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} can only increase (got ${by})`);
    const { key, values } = this.key(labels);
    const cur = this.series.get(key);
    this.series.set(key, { labels: values, value: ((cur?.value as number | undefined) ?? 0) + by });
  }

  get(labels?: Labels): number {
    return (this.series.get(this.key(labels).key)?.value as number | undefined) ?? 0;
  }

  render(): string[] {
    const out = this.header();
    for (const s of this.series.values()) out.push(`${this.name}${this.labelText(s.labels)} ${formatSample(s.value as number)}`);
    return out;
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge' as const;

  set(labels: Labels | undefined, value: number): void {
    const { key, values } = this.key(labels);
    this.series.set(key, { labels: values, value });
  }

  inc(labels?: Labels, by = 1): void {
    this.set(labels, this.get(labels) + by);
  }

  dec(labels?: Labels, by = 1): void {
    this.set(labels, this.get(labels) - by);
  }

  get(labels?: Labels): number {
    return (this.series.get(this.key(labels).key)?.value as number | undefined) ?? 0;
  }

  render(): string[] {
    const out = this.header();
    for (const s of this.series.values()) out.push(`${this.name}${this.labelText(s.labels)} ${formatSample(s.value as number)}`);
    return out;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** Default buckets suited to webhook/API latencies in seconds (5 ms .. 10 s). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new Error(`histogram ${name} may not use the label "le"`);
    const sorted = [...buckets].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
    if (sorted.length === 0) throw new Error(`histogram ${name} needs at least one finite bucket`);
    this.buckets = [...new Set(sorted)];
  }

  observe(labels: Labels | undefined, value: number): void {
    const { key, values } = this.key(labels);
    let s = this.series.get(key)?.value as HistogramState | undefined;
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, { labels: values, value: s });
    }
    // Non-cumulative per-bucket counts; render() accumulates.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  /** Start a timer; calling the returned function observes the elapsed seconds. */
  startTimer(labels?: Labels): (more?: Labels) => number {
    const t0 = process.hrtime.bigint();
    return (more) => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      this.observe({ ...labels, ...more }, secs);
      return secs;
    };
  }

  snapshot(labels?: Labels): { count: number; sum: number } {
    const s = this.series.get(this.key(labels).key)?.value as HistogramState | undefined;
    return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
  }

  render(): string[] {
    const out = this.header();
    for (const { labels, value } of this.series.values()) {
      const s = value as HistogramState;
      let acc = 0;
      this.buckets.forEach((b, i) => {
        acc += s.counts[i] ?? 0;
        out.push(`${this.name}_bucket${this.labelText(labels, ['le', formatSample(b)])} ${acc}`);
      });
      out.push(`${this.name}_bucket${this.labelText(labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${this.labelText(labels)} ${formatSample(s.sum)}`);
      out.push(`${this.name}_count${this.labelText(labels)} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  private add<M extends Metric>(m: M): M {
    const existing = this.metrics.get(m.name);
    if (existing) {
      // Re-registration with the same shape returns the existing metric, so modules can declare
      // their metrics at import time without caring about import order or double imports.
      if (existing.type === m.type && existing.labelNames.join() === m.labelNames.join()) return existing as M;
      throw new Error(`metric ${m.name} already registered with a different type or labels`);
    }
    this.metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** The `/metrics` body (serve with METRICS_CONTENT_TYPE). Metrics appear in name order. */
  render(): string {
    const names = [...this.metrics.keys()].sort();
    const lines: string[] = [];
    for (const n of names) lines.push(...(this.metrics.get(n) as Metric).render());
    return lines.length ? lines.join('\n') + '\n' : '';
  }
}

/** The process-wide registry; components register on it unless handed another one. */
export const defaultRegistry = new Registry();
