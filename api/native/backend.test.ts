import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import { type SchedulerBackend, appendSchedulingGate, defaultSchedulerBackend } from '../desired/backend.js';
import { EXTENDER_MARKER, withExtenderMarker } from '../desired/extender-marker.js';
import type { PodGang } from '../generated/types.js';
import { joinsPodGroup, nativeBackend, podPriorityClassNames } from './backend.js';

const PLACEMENT = 'scheduling.copse.io/placement';
const fallback: SchedulerBackend = {
  name: 'default-scheduler',
  preparePod: (pod, ctx) => appendSchedulingGate(defaultSchedulerBackend.preparePod(pod, ctx), PLACEMENT),
  preparePodGang: (g) => ({ ...g, metadata: { ...g.metadata, labels: { ...g.metadata.labels, fallback: 'yes' } } }),
};

const PCS = pcsOf('x', { cliques: [clique('a', 2), clique('b', 1)], priorityClassName: 'high' });
const native: PodGang = { metadata: { name: 'x-0', namespace: 'ns' }, spec: { podgroups: [{ name: 'x-0-a', podReferences: [], minReplicas: 2 }], priorityClassName: 'high' } };
const preferred: PodGang = { metadata: { name: 'x-1', namespace: 'ns' }, spec: { podgroups: [{ name: 'x-1-a', podReferences: [], minReplicas: 2, topologyConstraint: { packConstraint: { preferred: 'r' } } }], priorityClassName: 'high' } };
const gangs = new Map([
  ['ns/x-0', native],
  ['ns/x-1', preferred],
]);
const backend = nativeBackend(fallback, (ns, n) => gangs.get(`${ns}/${n}`));

const GROVE_GATE = 'grove.io/podgang-pending-creation';
const pod = (): Pod => ({ metadata: { namespace: 'ns' }, spec: { containers: [], schedulingGates: [{ name: GROVE_GATE }] } });
const ctx = (gang: string) => ({ pcs: PCS, podClique: { metadata: { name: `${gang}-a`, namespace: 'ns' }, spec: { roleName: 'a', replicas: 2, podSpec: { containers: [] } } }, podGangName: gang, podIndex: 0 });

describe('nativeBackend.preparePodGang: the decision is written on the gang', () => {
  it('native: annotated, not handed to the fallback', () => {
    const out = backend.preparePodGang(native, { pcs: PCS, replica: 0 });
    expect(out.metadata.annotations).toEqual({
      'scheduling.copse.io/backend': 'native',
      'scheduling.copse.io/backend-reason': "placed by kube-scheduler's native gang scheduling (Workload, CompositePodGroup, PodGroup)",
    });
    expect(out.metadata.labels?.['fallback']).toBeUndefined();
  });
  it('extender: annotated with the reason, then prepared by the fallback', () => {
    const out = backend.preparePodGang(preferred, { pcs: PCS, replica: 0 });
    expect(out.metadata.annotations?.['scheduling.copse.io/backend']).toBe('extender');
    expect(out.metadata.annotations?.['scheduling.copse.io/backend-reason']).toBe(
      "placed through copse's extender: pod group x-1-a has preferred packing (r); native topology constraints are required only",
    );
    expect(out.metadata.labels?.['fallback']).toBe('yes');
  });
  it('a PodCliqueSet with a replica spread sends the gang to the extender, saying so', () => {
    const spread = { ...PCS, metadata: { ...PCS.metadata, annotations: { 'scheduling.copse.io/replica-spread-required': 'rack' } } };
    const out = backend.preparePodGang(native, { pcs: spread, replica: 0 });
    expect(out.metadata.annotations?.['scheduling.copse.io/backend']).toBe('extender');
    expect(out.metadata.annotations?.['scheduling.copse.io/backend-reason']).toBe(
      "placed through copse's extender: the PodCliqueSet spreads its replicas (required rack); native groups of different gangs cannot be kept apart",
    );
    expect(backend.preparePod(pod(), { ...ctx('x-0'), pcs: spread }).spec?.schedulingGates?.map((g) => g.name)).toEqual([GROVE_GATE, PLACEMENT]);
  });
  it('a clique with its own priority sends the gang to the extender', () => {
    const mixed = pcsOf('x', { cliques: [clique('a', 2, { podSpec: { containers: [], priorityClassName: 'low' } })], priorityClassName: 'high' });
    expect(podPriorityClassNames(mixed)).toEqual(['low']);
    expect(backend.preparePodGang(native, { pcs: mixed, replica: 0 }).metadata.annotations?.['scheduling.copse.io/backend']).toBe('extender');
  });
});

describe('nativeBackend.preparePod: by the decision of its gang, at creation', () => {
  it('native: schedulingGroup = the leaf PodGroup, the native gate after Grove\'s, no placement gate', () => {
    const out = backend.preparePod(pod(), ctx('x-0'));
    expect(out.spec?.schedulerName).toBe('default-scheduler');
    expect((out.spec as { schedulingGroup?: unknown }).schedulingGroup).toEqual({ podGroupName: 'x-0-a' });
    expect(out.spec?.schedulingGates).toEqual([{ name: GROVE_GATE }, { name: 'scheduling.copse.io/native-gang' }]);
  });
  it('native: a pod beyond its pod group\'s minReplicas (an extra) gets no schedulingGroup, only the gates', () => {
    const one: PodGang = { ...native, metadata: { name: 'x-3', namespace: 'ns' }, spec: { ...native.spec, podgroups: [{ name: 'x-3-a', podReferences: [], minReplicas: 1 }] } };
    gangs.set('ns/x-3', one);
    const member = backend.preparePod(pod(), ctx('x-3'));
    const extra = backend.preparePod(pod(), { ...ctx('x-3'), podIndex: 1 });
    expect((member.spec as { schedulingGroup?: unknown }).schedulingGroup).toEqual({ podGroupName: 'x-3-a' });
    expect((extra.spec as { schedulingGroup?: unknown }).schedulingGroup).toBeUndefined();
    expect(extra.spec?.schedulerName).toBe('default-scheduler');
    expect(extra.spec?.schedulingGates).toEqual([{ name: GROVE_GATE }, { name: 'scheduling.copse.io/native-gang' }]);
    expect([0, 1, 2].map((i) => joinsPodGroup(one, 'x-3-a', i))).toEqual([true, false, false]);
    expect(joinsPodGroup(one, 'unknown', 5)).toBe(true);
  });
  it('extender: the fallback prepares it, without a schedulingGroup', () => {
    const out = backend.preparePod(pod(), ctx('x-1'));
    expect((out.spec as { schedulingGroup?: unknown }).schedulingGroup).toBeUndefined();
    expect(out.spec?.schedulingGates).toEqual([{ name: GROVE_GATE }, { name: PLACEMENT }]);
  });
  it('follows the decision recorded on the gang', () => {
    gangs.set('ns/x-2', { ...native, metadata: { name: 'x-2', namespace: 'ns', annotations: { 'scheduling.copse.io/backend': 'extender' } } });
    expect(backend.preparePod(pod(), ctx('x-2')).spec?.schedulingGates?.map((g) => g.name)).toEqual([GROVE_GATE, PLACEMENT]);
  });
  it('refuses a pod whose gang is not observed yet, naming it', () => {
    expect(() => backend.preparePod(pod(), ctx('x-9'))).toThrow('PodGang ns/x-9 is not observed yet: its backend decides how its pods are created');
  });
});

describe('nativeBackend under the extender marker (serve --extender-marker on)', () => {
  const marked = withExtenderMarker(backend);
  const withContainer = (): Pod => ({ ...pod(), spec: { containers: [{ name: 'c' }], schedulingGates: [{ name: GROVE_GATE }] } });
  const markerOf = (p: Pod) => p.spec?.containers[0]?.resources?.limits?.[EXTENDER_MARKER];

  it('a native gang: the minimum (in its PodGroup) is unmarked, an extra beyond it is marked', () => {
    const member = marked.preparePod(withContainer(), ctx('x-0'));
    expect((member.spec as { schedulingGroup?: unknown }).schedulingGroup).toEqual({ podGroupName: 'x-0-a' });
    expect(markerOf(member)).toBeUndefined();
    const extra = marked.preparePod(withContainer(), { ...ctx('x-0'), podIndex: 2 });
    expect((extra.spec as { schedulingGroup?: unknown }).schedulingGroup).toBeUndefined();
    expect(markerOf(extra)).toBe('1');
  });

  it('a gang that goes the extender way: every pod is marked, behind the placement gate', () => {
    const out = marked.preparePod(withContainer(), ctx('x-1'));
    expect(out.spec?.schedulingGates?.map((g) => g.name)).toEqual([GROVE_GATE, PLACEMENT]);
    expect(markerOf(out)).toBe('1');
  });
});
