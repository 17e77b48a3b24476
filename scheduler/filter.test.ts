import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '../api/core/wire.js';
import { filterNodes, prioritizeNodes } from './filter.js';
import { ANNOTATION_PLANNED_AT, ANNOTATION_PLANNED_NODE, PLACEMENT_GATE, placementPatch, readyForPlacement, withPlacementGate } from './placement-gate.js';
import { reservationExpired } from './placement.js';
import { NodeUsage } from './usage.js';
import { defaultSchedulerBackend } from '../api/desired/index.js';

const node = (name: string, gpus = 8, unschedulable = false): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { allocatable: { cpu: '64', memory: '512Gi', pods: '110', 'nvidia.com/gpu': String(gpus) } },
});
const pod = (name: string, gpus: number, extra: Partial<Pod> = {}): Pod => ({
  metadata: { name, namespace: 'ns', ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }], ...(extra.spec ?? {}) },
  ...(extra.status ? { status: extra.status } : {}),
});
const reserved = (name: string, gpus: number, on: string) =>
  pod(name, gpus, { metadata: { name, namespace: 'ns', annotations: { [ANNOTATION_PLANNED_NODE]: on, [ANNOTATION_PLANNED_AT]: '2026-01-01T00:00:00Z' } } });

function usageWith(nodes: Node[], pods: Pod[]): NodeUsage {
  const u = new NodeUsage();
  nodes.forEach((n) => u.setNode(n));
  pods.forEach((p) => u.setPod(p));
  return u;
}

describe('extender filter', () => {
  it('keeps a pod outside gangs off capacity a gang has reserved', () => {
    const u = usageWith([node('a'), node('b')], [reserved('gang-0', 6, 'a')]);
    const r = filterNodes(pod('web', 4), ['a', 'b'], u);
    expect(r.NodeNames).toEqual(['b']);
    expect(r.FailedNodes).toEqual({ a: '4 nvidia.com/gpu requested, 2 free once gang reservations are held back' });
    expect(r.Error).toBe('');
  });

  it('bound pods count too, and a pod that fits in what is left passes', () => {
    const bound = pod('old', 2, { spec: { nodeName: 'a', containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '2' } } }] } });
    const u = usageWith([node('a')], [bound, reserved('g', 4, 'a')]);
    expect(filterNodes(pod('web', 2), ['a'], u).NodeNames).toEqual(['a']);
    expect(filterNodes(pod('web', 3), ['a'], u).NodeNames).toEqual([]);
  });

  it('a planned pod passes on its planned node only, and its own reservation is not held against it', () => {
    const p = reserved('gang-0', 8, 'a');
    const u = usageWith([node('a'), node('b')], [p]);
    const r = filterNodes(p, ['a', 'b'], u);
    expect(r.NodeNames).toEqual(['a']);
    expect(Object.keys(r.FailedAndUnresolvableNodes)).toEqual(['b']);
  });

  it('a pod of a native PodGroup passes everywhere (kube-scheduler owns its gang)', () => {
    const u = usageWith([node('a')], [reserved('g', 8, 'a')]);
    const native = pod('n', 8, { spec: { containers: [{ name: 'c' }], schedulingGroup: { podGroupName: 'pg' } } as Pod['spec'] });
    expect(filterNodes(native, ['a'], u).NodeNames).toEqual(['a']);
  });

  it('a removed reservation frees the node at once', () => {
    const p = reserved('g', 8, 'a');
    const u = usageWith([node('a')], [p]);
    expect(filterNodes(pod('web', 1), ['a'], u).NodeNames).toEqual([]);
    u.removePod('ns/g');
    expect(filterNodes(pod('web', 1), ['a'], u).NodeNames).toEqual(['a']);
  });

  it('prioritize prefers nodes without reservations for pods outside gangs', () => {
    const u = usageWith([node('a'), node('b')], [reserved('g', 1, 'a')]);
    expect(prioritizeNodes(pod('web', 0), ['a', 'b'], u)).toEqual([
      { Host: 'a', Score: 0 },
      { Host: 'b', Score: 10 },
    ]);
  });
});

describe('placement gate', () => {
  it('the extender backend adds copse gate after Grove gate for default-scheduler pods only', () => {
    const backend = withPlacementGate(defaultSchedulerBackend);
    const base = { metadata: { name: 'p' }, spec: { containers: [], schedulingGates: [{ name: 'grove.io/podgang-pending-creation' }] } } as Pod;
    const ctx = {} as Parameters<typeof backend.preparePod>[1];
    expect(backend.preparePod(base, ctx).spec?.schedulingGates?.map((g) => g.name)).toEqual(['grove.io/podgang-pending-creation', PLACEMENT_GATE]);
    const kai = { ...base, spec: { ...base.spec, schedulerName: 'kai-scheduler' } } as Pod;
    const other = { name: 'kai', preparePod: (p: Pod) => p, preparePodGang: <T>(g: T) => g };
    expect(withPlacementGate(other as never).preparePod(kai, ctx).spec?.schedulingGates?.map((g) => g.name)).toEqual(['grove.io/podgang-pending-creation']);
  });

  it('a pod is ready for placement once only copse gate is left', () => {
    const gated = (gates: string[]) => ({ metadata: { name: 'p' }, spec: { containers: [], schedulingGates: gates.map((name) => ({ name })) } }) as Pod;
    expect(readyForPlacement(gated(['grove.io/podgang-pending-creation', PLACEMENT_GATE]))).toBe(false);
    expect(readyForPlacement(gated([PLACEMENT_GATE]))).toBe(true);
    expect(readyForPlacement(gated([]))).toBe(false);
  });

  it('the lift patch pins the pod to its node, records the plan and keeps other gates', () => {
    const p = { metadata: { name: 'p' }, spec: { containers: [], nodeSelector: { zone: 'a' }, schedulingGates: [{ name: 'other' }, { name: PLACEMENT_GATE }] } } as Pod;
    expect(placementPatch(p, { name: 'n1', hostname: 'h1' }, '2026-01-01T00:00:00Z')).toEqual({
      metadata: { annotations: { [ANNOTATION_PLANNED_NODE]: 'n1', [ANNOTATION_PLANNED_AT]: '2026-01-01T00:00:00Z' } },
      spec: { schedulingGates: [{ name: 'other' }], nodeSelector: { 'kubernetes.io/hostname': 'h1' } },
    });
  });
});

describe('reservation expiry', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const p = reserved('g', 1, 'a');
  it('waits out the timeout', () => expect(reservationExpired(p, undefined, t0 + 29_000, 30_000)).toBe(false));
  it('expires when the node is gone or cordoned', () => {
    expect(reservationExpired(p, undefined, t0 + 31_000, 30_000)).toBe(true);
    expect(reservationExpired(p, node('a', 8, true), t0 + 31_000, 30_000)).toBe(true);
  });
  it('keeps a reservation on a healthy node until kube-scheduler says it cannot bind there', () => {
    expect(reservationExpired(p, node('a'), t0 + 31_000, 30_000)).toBe(false);
    const refused = { ...p, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } } as Pod;
    expect(reservationExpired(refused, node('a'), t0 + 31_000, 30_000)).toBe(true);
  });
});
