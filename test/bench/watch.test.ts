import { describe, expect, it } from 'vitest';
import { type PodTimes, formatTimeline, stageTimeline } from './watch.js';

describe('stageTimeline', () => {
  // Four pods created at t0 = 1000 ms; one never got past its gang gate.
  const times = new Map<string, PodTimes>([
    ['a', { seen: 1100, ungated: 1500, released: 1600, bound: 1700, ready: 2000 }],
    ['b', { seen: 1200, ungated: 1500, released: 1700, bound: 1900, ready: 2100 }],
    ['c', { seen: 1300, ungated: 2500, released: 2600, bound: 2800, ready: 3000 }],
    ['d', { seen: 1400 }],
  ]);
  const referenced = new Map([
    ['a', 1150],
    ['b', 1250],
    ['c', 1350],
    ['d', 1450],
  ]);
  const rows = stageTimeline(times, referenced, 1000, 4);

  it('reports, per stage in order, how many pods reached it and when 10/50/90/100% of the total had', () => {
    expect(rows.map((r) => [r.stage, r.pods])).toEqual([
      ['seen', 4],
      ['referenced', 4],
      ['ungated', 3],
      ['released', 3],
      ['bound', 3],
      ['ready', 3],
    ]);
    expect(rows[0]?.at).toEqual([0.1, 0.2, 0.4, 0.4]);
    // 3 of 4 pods ungated: the 90% and 100% marks were never reached.
    expect(rows[2]?.at).toEqual([0.5, 0.5, undefined, undefined]);
  });

  it('measures the time spent since the previous stage over the pods that reached both', () => {
    expect(rows[0]?.sincePrevious).toBeUndefined();
    expect(rows[1]?.sincePrevious).toEqual({ p50: 0.05, p99: 0.05 });
    // referenced → ungated: 0.35, 0.25, 1.15 s
    expect(rows[2]?.sincePrevious).toEqual({ p50: 0.35, p99: 1.15 });
  });

  it('formats one line per stage, with a dash for a mark never reached', () => {
    const lines = formatTimeline(rows);
    expect(lines).toHaveLength(7);
    expect(lines[3]).toMatch(/^ungated\s+3\s+0\.5\s+0\.5\s+-\s+-\s+0\.35 \/ 1\.15$/);
  });
});
