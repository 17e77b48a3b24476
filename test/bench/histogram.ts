// Prometheus histograms as the scheduler benchmarks read them: kube-scheduler's and copse's own
// `/metrics` text, scraped before and after a run, so the figures are what the real components
// observed on the real path. Pure: text in, numbers out.

/** One cumulative bucket: observations ≤ `le` seconds. */
export interface Bucket {
  le: number;
  count: number;
}

export interface HistogramSample {
  buckets: Bucket[];
  count: number;
  sum: number;
}

function labelsOf(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/**
 * The histogram `name` summed over every series whose labels include `match` (e.g. `{ verb: 'filter' }`).
 * Series are summed bucket by bucket, which is right for cumulative counts of the same bucket bounds.
 */
export function parseHistogram(text: string, name: string, match: Readonly<Record<string, string>> = {}): HistogramSample {
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  const matches = (labels: Record<string, string>): boolean => Object.entries(match).every(([k, v]) => labels[k] === v);
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? ([^ ]+)/.exec(line);
    if (!m || !m[1]?.startsWith(name)) continue;
    const suffix = m[1].slice(name.length);
    const labels = labelsOf(m[2] ?? '');
    if (!matches(labels)) continue;
    const value = Number(m[3]);
    if (suffix === '_bucket') {
      const le = labels['le'] === '+Inf' ? Infinity : Number(labels['le']);
      byLe.set(le, (byLe.get(le) ?? 0) + value);
    } else if (suffix === '_count') count += value;
    else if (suffix === '_sum') sum += value;
  }
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/** What was observed between two scrapes of the same histogram. */
export function histogramSince(before: HistogramSample, after: HistogramSample): HistogramSample {
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile in seconds, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; a quantile in the +Inf bucket is reported as the largest finite bound
 * (the histogram cannot say more). NaN without observations.
 */
export function histogramQuantile(h: HistogramSample, q: number): number {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

export interface HistogramStats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** p50, p99 and the mean in milliseconds, and how many observations they rest on. */
export function histogramSummary(h: HistogramSample): HistogramStats {
  const ms = (s: number): number => Math.round(s * 1e6) / 1e3;
  return { n: h.count, p50Ms: ms(histogramQuantile(h, 0.5)), p99Ms: ms(histogramQuantile(h, 0.99)), meanMs: h.count > 0 ? ms(h.sum / h.count) : NaN };
}

/**
 * Pods per second from bind times: (n - 1) intervals over the span from the first to the last bind,
 * so the time the pods took to be created or to reach the queue does not count; undefined with
 * fewer than two.
 */
export function bindRate(boundAtMs: readonly number[]): number | undefined {
  if (boundAtMs.length < 2) return undefined;
  const first = Math.min(...boundAtMs);
  const last = Math.max(...boundAtMs);
  return last > first ? ((boundAtMs.length - 1) * 1000) / (last - first) : undefined;
}
