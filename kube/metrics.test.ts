import { describe, expect, it } from 'vitest';
import { Registry, enableProcessMetrics } from './metrics.js';

describe('metrics registry (prom-client)', () => {
  it('renders counters with labels in the text format', async () => {
    const r = new Registry();
    const c = r.counter('copse_things_total', 'Things counted.', ['kind', 'outcome']);
    c.inc({ kind: 'a', outcome: 'ok' });
    c.inc({ kind: 'a', outcome: 'ok' }, 2);
    c.inc({ kind: 'b', outcome: 'fail' });
    const text = await r.render();
    expect(text).toContain('# TYPE copse_things_total counter');
    expect(text).toContain('copse_things_total{kind="a",outcome="ok"} 3');
    expect(text).toContain('copse_things_total{kind="b",outcome="fail"} 1');
    expect(await r.value('copse_things_total', { kind: 'a' })).toBe(3);
    expect(await r.value('copse_things_total')).toBe(4);
  });

  it('returns the existing metric when one is declared twice, so modules can declare where they use', () => {
    const r = new Registry();
    const a = r.gauge('copse_depth', 'Depth.', ['q']);
    const b = r.gauge('copse_depth', 'Depth.', ['q']);
    expect(b).toBe(a);
  });

  it('counts histogram observations per label set', async () => {
    const r = new Registry();
    const h = r.histogram('copse_op_seconds', 'Op latency.', ['verb']);
    h.observe({ verb: 'GET' }, 0.002);
    h.observe({ verb: 'GET' }, 0.2);
    h.observe({ verb: 'PUT' }, 1);
    expect(await r.value('copse_op_seconds', { verb: 'GET' })).toBe(2);
    const text = await r.render();
    expect(text).toContain('copse_op_seconds_bucket{le="0.0025",verb="GET"} 1');
  });

  it('separate registries do not share series', async () => {
    const a = new Registry();
    const b = new Registry();
    a.counter('copse_x_total', 'x').inc();
    expect(await b.value('copse_x_total')).toBe(0);
    expect(await a.value('copse_x_total')).toBe(1);
  });

  it('adds the Node process metrics, including event-loop lag', async () => {
    const r = new Registry();
    enableProcessMetrics(r);
    const text = await r.render();
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });
});
