import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import type { PodCliqueSet } from '../generated/types.js';
import {
  type SchedulerBackend,
  appendSchedulingGate,
  assertGroveGateKept,
  defaultSchedulerBackend,
  schedulerNameOf,
  selectBackend,
} from './backend.js';

const PCS = pcsOf('x', { cliques: [clique('a')] });
const POD_CTX = {
  pcs: PCS,
  podClique: { metadata: { name: 'x-0-a' }, spec: { roleName: 'a', replicas: 1, podSpec: { containers: [] } } },
  podGangName: 'x-0',
  podIndex: 0,
};

const gated = (names: string[]): Pod => ({ metadata: {}, spec: { containers: [], schedulingGates: names.map((name) => ({ name })) } });

function withScheduler(name: string | undefined): PodCliqueSet {
  const a = clique('a');
  const b = clique('b');
  if (name) b.spec.podSpec.schedulerName = name;
  return pcsOf('x', { cliques: [a, b] });
}

describe('default-scheduler backend (grove-compat §6.2)', () => {
  it('sets schedulerName and keeps everything else, without mutating its input', () => {
    const pod = gated(['grove.io/podgang-pending-creation']);
    const out = defaultSchedulerBackend.preparePod(pod, POD_CTX);
    expect(out.spec?.schedulerName).toBe('default-scheduler');
    expect(out.spec?.schedulingGates).toEqual([{ name: 'grove.io/podgang-pending-creation' }]);
    expect(pod.spec?.schedulerName).toBeUndefined();
  });

  it('leaves PodGangs as they are', () => {
    const gang = { metadata: { name: 'g' }, spec: { podgroups: [] } };
    expect(defaultSchedulerBackend.preparePodGang(gang, { pcs: PCS, replica: 0 })).toEqual(gang);
  });
});

describe('appendSchedulingGate', () => {
  it('appends after existing gates, once', () => {
    const pod = appendSchedulingGate(gated(['grove.io/podgang-pending-creation']), 'example.com/second');
    expect(pod.spec?.schedulingGates).toEqual([{ name: 'grove.io/podgang-pending-creation' }, { name: 'example.com/second' }]);
    expect(appendSchedulingGate(pod, 'example.com/second').spec?.schedulingGates).toHaveLength(2);
  });
});

describe('assertGroveGateKept', () => {
  const rogue: SchedulerBackend = { ...defaultSchedulerBackend, name: 'rogue' };
  it('accepts a pod that still has the gate, among others', () => {
    expect(() => assertGroveGateKept(rogue, gated(['a', 'grove.io/podgang-pending-creation']))).not.toThrow();
  });
  it('names the backend that dropped it', () => {
    expect(() => assertGroveGateKept(rogue, gated(['a']))).toThrow(
      'scheduler backend "rogue" removed the grove.io/podgang-pending-creation scheduling gate',
    );
  });
});

describe('schedulerNameOf / selectBackend', () => {
  const kai: SchedulerBackend = { ...defaultSchedulerBackend, name: 'kai-scheduler' };
  it('takes the first clique schedulerName, else the default', () => {
    expect(schedulerNameOf(withScheduler('kai-scheduler'), 'default-scheduler')).toBe('kai-scheduler');
    expect(schedulerNameOf(withScheduler(undefined), 'default-scheduler')).toBe('default-scheduler');
  });
  it('selects the named backend, else the default one', () => {
    expect(selectBackend([defaultSchedulerBackend, kai], withScheduler('kai-scheduler'), 'default-scheduler')).toBe(kai);
    expect(selectBackend([defaultSchedulerBackend], withScheduler('kai-scheduler'), 'default-scheduler')).toBe(defaultSchedulerBackend);
    expect(() => selectBackend([kai], withScheduler(undefined), 'default-scheduler')).toThrow(
      'no scheduler backend named "default-scheduler" is registered',
    );
  });
});
