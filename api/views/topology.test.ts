import { describe, expect, it } from 'vitest';

import type { Node, Pod } from '../core/wire.js';
import type { ClusterTopologyBinding } from '../generated/types.js';
import { domainName, topologyDomains, topologyLevels } from './topology.js';

function binding(name: string, levels: [string, string][]): ClusterTopologyBinding {
  return { metadata: { name }, spec: { levels: levels.map(([domain, key]) => ({ domain, key })) } } as ClusterTopologyBinding;
}

const RACK_BINDING = binding('grove-topology', [
  ['zone', 'topology.kubernetes.io/zone'],
  ['rack', 'topology.copse.io/rack'],
  ['host', 'kubernetes.io/hostname'],
]);

function node(name: string, zone: string, rack: string, o: { gpus?: number; ready?: boolean; cordoned?: boolean } = {}): Node {
  return {
    metadata: { name, creationTimestamp: '2025-01-01T00:00:00Z', labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, 'topology.copse.io/rack': rack } },
    spec: o.cordoned ? { unschedulable: true } : {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': String(o.gpus ?? 8), pods: '110' },
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as Node;
}

function pod(name: string, nodeName: string, gpus: number, o: { gang?: string; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: o.gang ? { 'grove.io/podgang': o.gang } : {} },
    spec: { nodeName, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1500m', memory: '1Gi', 'nvidia.com/gpu': String(gpus) }, limits: { 'nvidia.com/gpu': String(gpus) } } }] },
    status: { phase: o.phase ?? 'Running' },
  };
}

describe('topologyLevels', () => {
  it('takes the bindings in name order, one level per name and key, broadest first', () => {
    const b = binding('b', [['zone', 'topology.kubernetes.io/zone'], ['block', 'topology.copse.io/block']]);
    const a = binding('a', [['zone', 'topology.kubernetes.io/zone'], ['rack', 'topology.copse.io/rack'], ['host', 'kubernetes.io/hostname']]);
    expect(topologyLevels([b, a])).toEqual([
      { domain: 'zone', key: 'topology.kubernetes.io/zone', bindings: ['a', 'b'] },
      { domain: 'rack', key: 'topology.copse.io/rack', bindings: ['a'] },
      { domain: 'host', key: 'kubernetes.io/hostname', bindings: ['a'] },
      { domain: 'block', key: 'topology.copse.io/block', bindings: ['b'] },
    ]);
  });

  it('adds an implicit host level when no binding has one, so per-node room always shows', () => {
    expect(topologyLevels([])).toEqual([{ domain: 'host', key: 'kubernetes.io/hostname', bindings: [] }]);
  });

  it('ignores a binding being deleted', () => {
    const gone = { ...RACK_BINDING, metadata: { name: 'x', deletionTimestamp: '2025-01-01T00:00:00Z' } };
    expect(topologyLevels([gone]).map((l) => l.domain)).toEqual(['host']);
  });
});

describe('topologyDomains: where is there room', () => {
  const nodes = [node('h1', 'z1', 'r1'), node('h2', 'z1', 'r1'), node('h3', 'z1', 'r2', { cordoned: true }), node('h10', 'z2', 'r3', { ready: false, gpus: 4 })];
  const pods = [pod('a', 'h1', 6, { gang: 'g1' }), pod('b', 'h2', 2, { gang: 'g2' }), pod('c', 'h2', 8, { gang: 'g2' }), pod('done', 'h1', 8, { phase: 'Succeeded' }), pod('d', 'h3', 1, { gang: 'g1' })];
  const domains = topologyDomains([RACK_BINDING], nodes, pods);
  const find = (name: string) => {
    const d = domains.find((x) => x.metadata.name === name);
    if (!d) throw new Error(`no domain ${name}`);
    return d;
  };

  it('has one object per domain at every level, broadest first, values in natural order', () => {
    expect(domains.map((d) => d.metadata.name)).toEqual(['zone.z1', 'zone.z2', 'rack.r1', 'rack.r2', 'rack.r3', 'host.h1', 'host.h2', 'host.h3', 'host.h10']);
    expect(domainName('rack', 'r1')).toBe('rack.r1');
  });

  it('counts allocatable and requested on every node, free only on Ready uncordoned ones, never below zero', () => {
    const z1 = find('zone.z1');
    expect(z1.spec).toEqual({ level: 'zone', key: 'topology.kubernetes.io/zone', value: 'z1', bindings: ['grove-topology'] });
    // h2 is over-committed by 2 GPUs (10 of 8): it has no room, not minus two.
    expect(z1.status).toEqual({
      nodes: 3,
      schedulableNodes: 2,
      allocatable: { cpu: '96', memory: '768Gi', 'nvidia.com/gpu': '24' },
      requested: { cpu: '6', memory: '4Gi', 'nvidia.com/gpu': '17' },
      free: { cpu: '59500m', memory: '509Gi', 'nvidia.com/gpu': '2' },
      largestNodeFree: { cpu: '30500m', memory: '255Gi', 'nvidia.com/gpu': '2' },
      pods: 4,
      gangs: ['ns/g1', 'ns/g2'],
    });
  });

  it('a domain of only unready nodes has allocatable but no free room', () => {
    const z2 = find('zone.z2').status;
    expect([z2.nodes, z2.schedulableNodes, z2.allocatable['nvidia.com/gpu'], z2.free['nvidia.com/gpu'], z2.pods]).toEqual([1, 0, '4', '0', 0]);
  });

  it('labels each domain with its level and the broader labels all its nodes share', () => {
    expect(find('rack.r1').metadata.labels).toEqual({ 'live.copse.io/level': 'rack', 'topology.kubernetes.io/zone': 'z1', 'topology.copse.io/rack': 'r1' });
    expect(find('host.h10').metadata.labels).toEqual({ 'live.copse.io/level': 'host', 'topology.kubernetes.io/zone': 'z2', 'topology.copse.io/rack': 'r3', 'kubernetes.io/hostname': 'h10' });
    expect(find('host.h1').metadata.creationTimestamp).toBe('2025-01-01T00:00:00Z');
  });

  it('a node without a level label is in no domain at that level', () => {
    const bare = { ...node('h9', 'z1', 'r1'), metadata: { name: 'h9', labels: { 'kubernetes.io/hostname': 'h9' } } } as Node;
    const names = topologyDomains([RACK_BINDING], [bare], []).map((d) => d.metadata.name);
    expect(names).toEqual(['host.h9']);
  });
});
