import { describe, expect, it } from 'vitest';
import { bindRate, histogramQuantile, histogramSince, histogramSummary, parseHistogram } from './histogram.js';

const SCRAPE = `# HELP copse_extender_request_duration_seconds Extender calls by verb and outcome.
# TYPE copse_extender_request_duration_seconds histogram
copse_extender_request_duration_seconds_bucket{le="0.001",verb="filter",outcome="ok"} 10
copse_extender_request_duration_seconds_bucket{le="0.01",verb="filter",outcome="ok"} 90
copse_extender_request_duration_seconds_bucket{le="0.1",verb="filter",outcome="ok"} 100
copse_extender_request_duration_seconds_bucket{le="+Inf",verb="filter",outcome="ok"} 100
copse_extender_request_duration_seconds_sum{verb="filter",outcome="ok"} 0.5
copse_extender_request_duration_seconds_count{verb="filter",outcome="ok"} 100
copse_extender_request_duration_seconds_bucket{le="0.001",verb="prioritize",outcome="ok"} 7
copse_extender_request_duration_seconds_bucket{le="0.01",verb="prioritize",outcome="ok"} 7
copse_extender_request_duration_seconds_bucket{le="0.1",verb="prioritize",outcome="ok"} 7
copse_extender_request_duration_seconds_bucket{le="+Inf",verb="prioritize",outcome="ok"} 7
copse_extender_request_duration_seconds_sum{verb="prioritize",outcome="ok"} 0.002
copse_extender_request_duration_seconds_count{verb="prioritize",outcome="ok"} 7
copse_extender_request_duration_seconds_bucket{le="0.001",verb="filter",outcome="not-ready"} 3
copse_extender_request_duration_seconds_bucket{le="0.01",verb="filter",outcome="not-ready"} 3
copse_extender_request_duration_seconds_bucket{le="0.1",verb="filter",outcome="not-ready"} 3
copse_extender_request_duration_seconds_bucket{le="+Inf",verb="filter",outcome="not-ready"} 3
copse_extender_request_duration_seconds_sum{verb="filter",outcome="not-ready"} 0.001
copse_extender_request_duration_seconds_count{verb="filter",outcome="not-ready"} 3
copse_extender_request_duration_seconds_other 5
`;

describe('parseHistogram', () => {
  it('keeps the series whose labels match, with +Inf last', () => {
    const h = parseHistogram(SCRAPE, 'copse_extender_request_duration_seconds', { verb: 'filter', outcome: 'ok' });
    expect(h.buckets).toEqual([
      { le: 0.001, count: 10 },
      { le: 0.01, count: 90 },
      { le: 0.1, count: 100 },
      { le: Infinity, count: 100 },
    ]);
    expect(h.count).toBe(100);
    expect(h.sum).toBe(0.5);
  });

  it('sums every matching series bucket by bucket', () => {
    const h = parseHistogram(SCRAPE, 'copse_extender_request_duration_seconds', { verb: 'filter' });
    expect(h.buckets[0]).toEqual({ le: 0.001, count: 13 });
    expect(h.count).toBe(103);
  });

  it('is empty for a histogram the text lacks', () => {
    expect(parseHistogram(SCRAPE, 'scheduler_scheduling_algorithm_duration_seconds')).toEqual({ buckets: [], count: 0, sum: 0 });
  });
});

describe('histogramQuantile', () => {
  const h = parseHistogram(SCRAPE, 'copse_extender_request_duration_seconds', { verb: 'filter', outcome: 'ok' });

  it('interpolates inside the bucket as histogram_quantile does', () => {
    // Rank 50 of 100 is 40 of the 80 observations in (1 ms, 10 ms]: half way.
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.0055, 6);
    // Rank 99: 9 of the 10 in (10 ms, 100 ms].
    expect(histogramQuantile(h, 0.99)).toBeCloseTo(0.091, 6);
    // Rank 5: half of the first bucket, which starts at 0.
    expect(histogramQuantile(h, 0.05)).toBeCloseTo(0.0005, 6);
  });

  it('answers the largest finite bound for a quantile in +Inf, and NaN when empty', () => {
    const tail = { buckets: [{ le: 0.1, count: 1 }, { le: Infinity, count: 10 }], count: 10, sum: 5 };
    expect(histogramQuantile(tail, 0.99)).toBe(0.1);
    expect(histogramQuantile({ buckets: [], count: 0, sum: 0 }, 0.5)).toBeNaN();
  });
});

describe('histogramSince and histogramSummary', () => {
  it('subtracts an earlier scrape and reports milliseconds', () => {
    const before = { buckets: [{ le: 0.001, count: 5 }, { le: 0.01, count: 10 }, { le: Infinity, count: 10 }], count: 10, sum: 0.02 };
    const after = { buckets: [{ le: 0.001, count: 5 }, { le: 0.01, count: 110 }, { le: Infinity, count: 110 }], count: 110, sum: 0.52 };
    const d = histogramSince(before, after);
    expect(d.buckets).toEqual([{ le: 0.001, count: 0 }, { le: 0.01, count: 100 }, { le: Infinity, count: 100 }]);
    expect(histogramSummary(d)).toEqual({ n: 100, p50Ms: 5.5, p99Ms: 9.91, meanMs: 5 });
  });

  it('has NaN figures over an empty window', () => {
    const s = histogramSummary({ buckets: [{ le: 0.01, count: 0 }, { le: Infinity, count: 0 }], count: 0, sum: 0 });
    expect(s.n).toBe(0);
    expect(s.p99Ms).toBeNaN();
    expect(s.meanMs).toBeNaN();
  });
});

describe('bindRate', () => {
  it('counts intervals between the first and last bind', () => {
    expect(bindRate([1000, 1500, 2000, 3000])).toBe(1.5);
    expect(bindRate([3000, 1000])).toBe(0.5);
  });

  it('is undefined with fewer than two binds or no time between them', () => {
    expect(bindRate([])).toBeUndefined();
    expect(bindRate([5])).toBeUndefined();
    expect(bindRate([5, 5])).toBeUndefined();
  });
});
