import { describe, expect, it } from 'vitest';
import type { Pod } from '../core/wire.js';
import { pod } from '../status/testing.js';
import { crashLoopCondition, mostRestarted } from './crash-loop.js';

function restarting(name: string, counts: Record<string, number>, o: { init?: Record<string, number>; terminating?: boolean; exit?: { exitCode: number; reason?: string } } = {}): Pod {
  const p = pod(name, 'pcs-0-a', { ready: false, scheduled: true, terminating: o.terminating ?? false });
  const st = (n: string, c: number) => ({
    name: n,
    restartCount: c,
    ready: false,
    image: 'busybox',
    imageID: '',
    ...(o.exit ? { lastState: { terminated: { exitCode: o.exit.exitCode, ...(o.exit.reason ? { reason: o.exit.reason } : {}) } } } : {}),
  });
  return {
    ...p,
    status: {
      ...p.status,
      phase: 'Running',
      containerStatuses: Object.entries(counts).map(([n, c]) => st(n, c)),
      initContainerStatuses: Object.entries(o.init ?? {}).map(([n, c]) => st(n, c)),
    },
  } as Pod;
}

describe('crash loop', () => {
  it('is False below the limit', () => {
    expect(crashLoopCondition([restarting('p0', { main: 4 })], 5)).toEqual({
      type: 'CrashLooping',
      status: 'False',
      reason: 'RestartsWithinLimit',
      message: 'No pod restarted 5 times or more',
    });
  });

  it('is True at the limit, naming the pod, container, count and last exit', () => {
    const c = crashLoopCondition([restarting('p0', { main: 1 }), restarting('p1', { main: 2, sidecar: 5 }, { exit: { exitCode: 137, reason: 'OOMKilled' } })], 5);
    expect(c).toEqual({
      type: 'CrashLooping',
      status: 'True',
      reason: 'RestartLimitExceeded',
      message: 'Pod p1 container sidecar restarted 5 times (limit 5); last exit code 137 (OOMKilled)',
    });
  });

  it('counts init containers and picks the most restarted; ties go to the first pod by name', () => {
    expect(mostRestarted([restarting('p1', { main: 3 }), restarting('p0', { main: 1 }, { init: { wait: 3 } })])).toEqual({ pod: 'p0', container: 'wait', restarts: 3 });
  });

  it('ignores pods that are going away', () => {
    expect(crashLoopCondition([restarting('p0', { main: 9 }, { terminating: true })], 5).status).toBe('False');
    expect(mostRestarted([])).toBeUndefined();
  });
});
