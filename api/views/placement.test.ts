import { describe, expect, it } from 'vitest';

import type { Node, Pod } from '../core/wire.js';
import type { PodClique, PodGang } from '../generated/types.js';
import { evaluatePack, placementView } from './placement.js';
import type { TopologyLevel } from './topology.js';

const LEVELS: TopologyLevel[] = [
  { domain: 'zone', key: 'topology.kubernetes.io/zone' },
  { domain: 'rack', key: 'topology.copse.io/rack' },
  { domain: 'host', key: 'kubernetes.io/hostname' },
];

const NODES = new Map<string, Node>(
  [
    ['h1', 'z1', 'r1'],
    ['h2', 'z1', 'r1'],
    ['h3', 'z1', 'r2'],
    ['h4', 'z2', undefined],
  ].map(([n, z, r]) => [
    n as string,
    { metadata: { name: n, labels: { 'kubernetes.io/hostname': n as string, 'topology.kubernetes.io/zone': z as string, ...(r ? { 'topology.copse.io/rack': r } : {}) } } } as Node,
  ]),
);
const node = (n: string) => NODES.get(n);

function pod(name: string, pclq: string, nodeName?: string): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: { 'grove.io/podclique': pclq, 'grove.io/podgang': 'inf-0' } },
    spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
    status: { phase: nodeName ? 'Running' : 'Pending', conditions: nodeName ? [{ type: 'PodScheduled', status: 'True' }] : [] },
  };
}

const pclq: PodClique = {
  metadata: {
    name: 'inf-0-sg-0-prefill',
    namespace: 'ns',
    creationTimestamp: '2025-01-01T00:00:00Z',
    labels: {
      'app.kubernetes.io/part-of': 'inf',
      'grove.io/podcliqueset-replica-index': '0',
      'grove.io/podcliquescalinggroup': 'inf-0-sg',
      'grove.io/podcliquescalinggroup-replica-index': '0',
      'grove.io/podgang': 'inf-0',
    },
  },
  spec: { roleName: 'prefill', replicas: 3, podSpec: { containers: [] } },
} as unknown as PodClique;

const gang: PodGang = {
  metadata: { name: 'inf-0', namespace: 'ns' },
  spec: {
    topologyConstraint: { packConstraint: { required: 'topology.kubernetes.io/zone' } },
    topologyConstraintGroupConfigs: [{ name: 'inf-0-sg-0', podGroupNames: ['inf-0-sg-0-prefill', 'inf-0-sg-0-decode'], topologyConstraint: { packConstraint: { required: 'topology.copse.io/rack' } } }],
    podgroups: [
      { name: 'inf-0-sg-0-prefill', minReplicas: 3, podReferences: [], topologyConstraint: { packConstraint: { preferred: 'kubernetes.io/hostname' } } },
      { name: 'inf-0-sg-0-decode', minReplicas: 1, podReferences: [] },
    ],
  },
} as unknown as PodGang;

describe('evaluatePack', () => {
  it('is Unknown with nothing placed, Met in one domain, Violated across two or on an unlabelled node', () => {
    expect(evaluatePack('topology.copse.io/rack', [pod('a', 'x')], node).state).toBe('Unknown');
    expect(evaluatePack('topology.copse.io/rack', [pod('a', 'x', 'h1'), pod('b', 'x', 'h2'), pod('c', 'x')], node)).toEqual({ state: 'Met', domains: ['r1'], placed: 2, unlabelled: 0 });
    expect(evaluatePack('topology.copse.io/rack', [pod('a', 'x', 'h1'), pod('b', 'x', 'h3')], node)).toEqual({ state: 'Violated', domains: ['r1', 'r2'], placed: 2, unlabelled: 0 });
    expect(evaluatePack('topology.copse.io/rack', [pod('a', 'x', 'h1'), pod('b', 'x', 'h4')], node)).toEqual({ state: 'Violated', domains: ['r1'], placed: 2, unlabelled: 1 });
  });
});

describe('placementView: where did it land', () => {
  const own = [pod('p0', 'inf-0-sg-0-prefill', 'h1'), pod('p1', 'inf-0-sg-0-prefill', 'h2'), pod('p2', 'inf-0-sg-0-prefill', 'h1'), pod('p3', 'inf-0-sg-0-prefill')];
  const decode = [pod('d0', 'inf-0-sg-0-decode', 'h3')];
  const v = placementView({ pclq, pods: own, gang, gangPods: [...own, decode[0] as Pod], node, levels: LEVELS });

  it('names the PodCliqueSet, replica, role, gang and scaling-group replica from the labels', () => {
    expect(v.kind).toBe('Placement');
    expect(v.metadata.name).toBe('inf-0-sg-0-prefill');
    expect(v.spec).toEqual({ podCliqueSet: 'inf', replica: 0, role: 'prefill', podGang: 'inf-0', scalingGroup: { name: 'inf-0-sg', replica: 0 } });
  });

  it('lists the nodes with their pod counts and domains, and the domains per level', () => {
    expect([v.status.pods, v.status.placed]).toEqual([4, 3]);
    expect(v.status.nodes).toEqual([
      { name: 'h1', pods: 2, domains: { zone: 'z1', rack: 'r1', host: 'h1' } },
      { name: 'h2', pods: 1, domains: { zone: 'z1', rack: 'r1', host: 'h2' } },
    ]);
    expect(v.status.levels).toEqual([
      { level: 'zone', key: 'topology.kubernetes.io/zone', values: ['z1'] },
      { level: 'rack', key: 'topology.copse.io/rack', values: ['r1'] },
      { level: 'host', key: 'kubernetes.io/hostname', values: ['h1', 'h2'] },
    ]);
  });

  it('evaluates the gang-wide, scaling-group-replica and own pack constraints with a message each', () => {
    expect(v.status.constraints).toEqual([
      { scope: 'PodGang', name: 'inf-0', type: 'required', level: 'zone', key: 'topology.kubernetes.io/zone', state: 'Met', domains: ['z1'], message: 'all 4 placed pod(s) in zone z1 (4/5 placed so far)' },
      {
        scope: 'ScalingGroupReplica',
        name: 'inf-0-sg-0',
        type: 'required',
        level: 'rack',
        key: 'topology.copse.io/rack',
        state: 'Violated',
        domains: ['r1', 'r2'],
        message: 'pods span 4 placed pod(s) in 2 rack domains (r1, r2) (4/5 placed so far)',
      },
      { scope: 'PodClique', name: 'inf-0-sg-0-prefill', type: 'preferred', level: 'host', key: 'kubernetes.io/hostname', state: 'Violated', domains: ['h1', 'h2'], message: 'pods span 3 placed pod(s) in 2 host domains (h1, h2) (3/4 placed so far)' },
    ]);
  });

  it('without a PodGang there is nothing to evaluate', () => {
    expect(placementView({ pclq, pods: own, gangPods: own, node, levels: LEVELS }).status.constraints).toEqual([]);
  });
});
