import { describe, expect, it } from 'vitest';
import { nodeObject, placements, resolveShape, ShapeError, TopologyLabels } from './topology.js';

describe('resolveShape', () => {
  it('defaults to 2 blocks x 2 racks x 4 hosts = 16 nodes', () => {
    const s = resolveShape({});
    expect([s.zones, s.blocksPerZone, s.racksPerBlock, s.hostsPerRack, s.nodes]).toEqual([1, 2, 2, 4, 16]);
    expect([s.cpu, s.memory, s.gpus]).toEqual(['64', '512Gi', 8]);
  });

  it('grows blocks to fit a node count, leaving the last rack partial', () => {
    const s = resolveShape({ nodes: 100 });
    expect(s.blocksPerZone).toBe(13);
    expect(placements(s)).toHaveLength(100);
  });

  it('derives the node count from an explicit shape', () => {
    expect(resolveShape({ zones: 2, blocksPerZone: 1, racksPerBlock: 3, hostsPerRack: 2 }).nodes).toBe(12);
  });

  it.each([
    [{ nodes: 0 }, 'topology.nodes: must be a positive integer, got 0'],
    [{ hostsPerRack: 0 }, 'topology.hostsPerRack: must be a positive integer, got 0'],
    [{ gpus: -1 }, 'topology.gpus: must be a non-negative integer, got -1'],
    [{ zones: 1, blocksPerZone: 1, racksPerBlock: 1, hostsPerRack: 2, nodes: 5 }, 'topology.nodes: 5 nodes do not fit in 2 hosts of the given shape'],
    [{ nodes: 20000 }, 'topology.nodes: at most 10000 simulated nodes, got 20000'],
  ])('rejects %j', (input, message) => {
    expect(() => resolveShape(input)).toThrow(ShapeError);
    expect(() => resolveShape(input)).toThrow(message);
  });
});

describe('placements and node objects', () => {
  const shape = resolveShape({});
  const all = placements(shape);

  it('gives unique names and four hosts per rack, two racks per block', () => {
    expect(new Set(all.map((p) => p.name)).size).toBe(16);
    expect(all[0]?.name).toBe('kwok-z0-b0-r0-h0');
    expect(all[15]?.name).toBe('kwok-z0-b1-r1-h3');
    const perRack = new Map<string, number>();
    for (const p of all) perRack.set(p.rack, (perRack.get(p.rack) ?? 0) + 1);
    expect([...perRack.values()]).toEqual([4, 4, 4, 4]);
    expect(new Set(all.map((p) => p.block)).size).toBe(2);
  });

  it('labels each node with its zone, block, rack, host and NVLink domain', () => {
    const p = all[5];
    if (!p) throw new Error('missing placement');
    const n = nodeObject(p, shape);
    expect(n.metadata?.labels).toMatchObject({
      [TopologyLabels.zone]: 'zone-a',
      [TopologyLabels.block]: 'zone-a-block-0',
      [TopologyLabels.rack]: 'zone-a-block-0-rack-1',
      [TopologyLabels.host]: 'kwok-z0-b0-r1-h1',
      [TopologyLabels.nvlinkDomain]: 'zone-a-block-0-rack-1',
    });
    expect(n.metadata?.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
    expect(n.status?.capacity).toMatchObject({ cpu: '64', memory: '512Gi', 'nvidia.com/gpu': '8' });
  });

  it('omits the GPU resource on CPU-only shapes', () => {
    const cpuOnly = resolveShape({ gpus: 0 });
    const p = placements(cpuOnly)[0];
    if (!p) throw new Error('missing placement');
    expect(nodeObject(p, cpuOnly).status?.capacity?.['nvidia.com/gpu']).toBeUndefined();
  });
});
