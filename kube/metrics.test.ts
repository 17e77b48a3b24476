import { describe, expect, it } from 'vitest';
import { Registry, formatSample } from './metrics.js';

describe('metrics registry', () => {
  it('renders counters with labels in the text format, escaping values', () => {
    const r = new Registry();
    const c = r.counter('copse_things_total', 'Things\ncounted \\ here.', ['kind', 'outcome']);
    c.inc({ kind: 'a', outcome: 'ok' });
    c.inc({ kind: 'a', outcome: 'ok' }, 2);
    c.inc({ kind: 'we"ird\\n\n', outcome: 'fail' });
    expect(r.render()).toBe(
      [
        '# HELP copse_things_total Things\\ncounted \\\\ here.',
        '# TYPE copse_things_total counter',
        'copse_things_total{kind="a",outcome="ok"} 3',
        'copse_things_total{kind="we\\"ird\\\\n\\n",outcome="fail"} 1',
        '',
      ].join('\n'),
    );
    expect(c.get({ kind: 'a', outcome: 'ok' })).toBe(3);
  });

  it('rejects negative counter increments and unknown labels', () => {
    const r = new Registry();
    const c = r.counter('x_total', 'x', ['a']);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(/only increase/);
    expect(() => c.inc({ b: '1' })).toThrow(/no label "b"/);
  });

  it('renders gauges without labels and supports set/inc/dec', () => {
    const r = new Registry();
    const g = r.gauge('copse_up', 'Up.');
    g.set(undefined, 5);
    g.inc();
    g.dec(undefined, 3);
    expect(r.render()).toBe('# HELP copse_up Up.\n# TYPE copse_up gauge\ncopse_up 3\n');
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const r = new Registry();
    const h = r.histogram('lat_seconds', 'Latency.', ['w'], [0.1, 1, 0.5]);
    h.observe({ w: 'x' }, 0.05);
    h.observe({ w: 'x' }, 0.3);
    h.observe({ w: 'x' }, 0.3);
    h.observe({ w: 'x' }, 7);
    expect(r.render().split('\n')).toEqual([
      '# HELP lat_seconds Latency.',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{w="x",le="0.1"} 1',
      'lat_seconds_bucket{w="x",le="0.5"} 3',
      'lat_seconds_bucket{w="x",le="1"} 3',
      'lat_seconds_bucket{w="x",le="+Inf"} 4',
      'lat_seconds_sum{w="x"} 7.65',
      'lat_seconds_count{w="x"} 4',
      '',
    ]);
    expect(h.snapshot({ w: 'x' })).toEqual({ count: 4, sum: 7.65 });
  });

  it('returns the same metric on identical re-registration and refuses a conflicting one', () => {
    const r = new Registry();
    const a = r.counter('dup_total', 'd', ['x']);
    expect(r.counter('dup_total', 'd', ['x'])).toBe(a);
    expect(() => r.gauge('dup_total', 'd', ['x'])).toThrow(/already registered/);
    expect(() => r.counter('bad-name', 'd')).toThrow(/invalid metric name/);
    expect(() => r.histogram('h', 'h', ['le'])).toThrow(/le/);
  });

  it('orders metrics by name and formats special floats', () => {
    const r = new Registry();
    r.gauge('b_metric', 'b').set(undefined, Infinity);
    r.gauge('a_metric', 'a').set(undefined, NaN);
    const out = r.render();
    expect(out.indexOf('a_metric')).toBeLessThan(out.indexOf('b_metric'));
    expect(out).toContain('a_metric NaN\n');
    expect(out).toContain('b_metric +Inf\n');
    expect(formatSample(-Infinity)).toBe('-Inf');
    expect(formatSample(0.25)).toBe('0.25');
  });
});
