import { describe, expect, it } from 'vitest';
import { type SchedulerBenchResult, schedulerReportText, schedulerVerdicts, throughputRatios } from './scheduler-report.js';
import { summarize } from './stats.js';

const algorithm = { n: 1000, p50Ms: 2, p99Ms: 9, meanMs: 3 };
const run = (backend: 'extender' | 'native', extender: boolean, podsPerSec: number) => ({ backend, extender, pods: 1000, podsPerSec, firstToLastBindMs: 10_000, startToAllBoundMs: 12_000, algorithm });

function result(over: Partial<SchedulerBenchResult> = {}): SchedulerBenchResult {
  const lat = (name: string, xs: number[]) => summarize(name, xs, 1000);
  return {
    load: [{ at: 'extender start', loadavg: [3.5, 2, 1], cpus: 2 }],
    nodes: 1000,
    extender: {
      nodes: 5000,
      cycle: lat('cycle', [5, 6, 7, 30]),
      filter: lat('filter', [4, 5, 6, 20]),
      prioritize: lat('prioritize', [1, 1, 1, 10]),
      errors: 0,
      algorithm,
    },
    deploys: [{ backend: 'extender', pods: 1000, podsReadyMs: 60_000, deployMs: 61_000, deleteMs: 30_000 }],
    throughput: [run('extender', true, 80), run('extender', false, 100), run('native', true, 30), run('native', false, 90)],
    gateLift: summarize('gate', [100, 200, 300], Infinity),
    rackGangs: [
      { backend: 'extender', pods: 64, boundMs: 4000, createdMs: 1000, releasedMs: 1500, firstBoundMs: 2000, heldBy: 'extender', racks: ['r1'] },
      { backend: 'native', pods: 64, boundMs: 3000, createdMs: 1000, releasedMs: 1200, firstBoundMs: 2500, heldBy: 'native', racks: ['r2'] },
    ],
    ...over,
  };
}

describe('throughputRatios', () => {
  it('pairs each backend’s runs with and without the extender', () => {
    expect(throughputRatios(result().throughput)).toEqual([
      { backend: 'extender', with: 80, without: 100, ratio: 0.8 },
      { backend: 'native', with: 30, without: 90, ratio: 0.33 },
    ]);
  });

  it('skips a backend with one side missing or a zero rate without', () => {
    expect(throughputRatios([run('extender', true, 80)])).toEqual([]);
    expect(throughputRatios([run('native', true, 80), run('native', false, 0)])).toEqual([]);
  });
});

describe('schedulerVerdicts', () => {
  it('checks the extender p99, each throughput ratio and the gate-lift p99 against issue 9', () => {
    const v = schedulerVerdicts(result());
    expect(v.map((x) => [x.value, x.ok])).toEqual([
      [30, false],
      [0.8, true],
      [0.33, false],
      [300, true],
    ]);
    expect(v[0]?.target).toBe('≤ 20 ms');
    expect(v[1]?.target).toBe('≥ 0.5');
  });

  it('has no verdict for what did not run', () => {
    const { extender: _e, gateLift: _g, ...rest } = result();
    expect(schedulerVerdicts({ ...rest, throughput: [] })).toEqual([]);
  });
});

describe('schedulerReportText', () => {
  it('prints the load, each benchmark and PASS/FAIL lines', () => {
    const r = result();
    const text = schedulerReportText(r, schedulerVerdicts(r));
    expect(text).toContain('load extender start: 3.50 2.00 1.00 (2 cores)');
    expect(text).toContain('filter+prioritize p50 7.0 / p99 30.0 ms');
    expect(text).toContain('64-pod rack gang, native mode (held by native), 1 runs: all bound median 3.0 s');
    expect(text).toContain('FAIL  extender filter + prioritize p99, 5000 nodes');
    expect(text).toContain('PASS  plain-pod throughput with extender / without (extender mode: 80 vs 100 pods/s): 0.80 × (target ≥ 0.5)');
    expect(text).toContain('PASS  gate lift p99 over 3 gangs');
  });
});
