import { describe, expect, it } from 'vitest';

import { clique, pcsOf, simulate } from '../test/support/desired.js';
import type { Node, Pod } from '../api/core/wire.js';
import { placementView, podCliqueSetView, topologyDomains } from '../api/views/index.js';
import { age, humanDuration, rowCells, rowCellsJson, rowFragments, TABLES } from './table.js';

const NOW = Date.parse('2025-01-02T00:00:00Z');

describe('humanDuration: AGE as kubectl prints it', () => {
  it.each([
    [-5_000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 - 1000, '179m'],
    [3 * 3600_000, '3h'],
    [3 * 3600_000 + 60_000, '3h1m'],
    [8 * 3600_000, '8h'],
    [47 * 3600_000, '47h'],
    [48 * 3600_000, '2d'],
    [50 * 3600_000, '2d2h'],
    [8 * 86400_000, '8d'],
    [2 * 365 * 86400_000, '2y'],
    [(2 * 365 + 3) * 86400_000, '2y3d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('is <unknown> without a creation time', () => {
    expect(age(undefined, NOW)).toBe('<unknown>');
    expect(age('2025-01-01T00:00:00Z', NOW)).toBe('24h');
  });
});

describe('TABLES: the columns kubectl get prints', () => {
  it('has Name first, AGE where kubectl expects it, and wide-only columns at priority 1', () => {
    const shape = (name: keyof typeof TABLES) => TABLES[name].columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);
    expect(shape('podcliquesets')).toEqual(['Name', 'Replicas', 'Phase', 'Gangs', 'Pods', 'Breached', 'Age', 'Placed*', 'Waiting*', 'Updated*', 'Reason*']);
    expect(shape('placements')).toEqual(['Name', 'PodCliqueSet', 'Replica', 'Role', 'Placed', 'Nodes', 'Domain', 'Pack', 'Age', 'Gang*', 'Node Names*']);
    expect(shape('topologydomains')).toEqual(['Name', 'Level', 'Nodes', 'GPU Free', 'GPU Max/Node', 'CPU Free', 'Memory Free', 'Pods', 'Gangs', 'Schedulable*', 'Gang Names*']);
    expect(TABLES.podcliquesets.columns[0]?.format).toBe('name');
  });

  it('a PodCliqueSet row: counts, and the first pending gang with its reason', () => {
    const pcs = pcsOf('inf', { cliques: [clique('a', 2)] });
    const g = simulate(pcs);
    const v = podCliqueSetView({ pcs: { ...pcs, metadata: { ...pcs.metadata, creationTimestamp: '2025-01-01T23:58:00Z' } }, pclqs: g.podCliques, pcsgs: g.scalingGroups, podGangs: g.tree.podGangs, pods: g.pods });
    const cells = rowCells(TABLES.podcliquesets, TABLES.podcliquesets.cells(v), v.metadata.creationTimestamp, NOW);
    expect(cells).toEqual([
      'inf',
      1,
      'Pending',
      '0/1',
      '0/2',
      1,
      '2m',
      '0/1',
      0,
      '2/2',
      'inf-0: PodsSchedulingGated: 2 pod(s) held by scheduling gates: grove.io/podgang-pending-creation.',
    ]);
  });

  it('the Reason column keeps the planner\'s shortfall, not the list of short pod groups', () => {
    const pcs = pcsOf('big', { cliques: [clique('w', 2)] });
    const g = simulate(pcs);
    const message =
      'Pod groups below minReplicas scheduled (scheduled/minReplicas): big-0-w 0/2. podgroup big-0-w needs 2 pods (100m cpu, 12 nvidia.com/gpu each); 0/16 nodes are available: 16 Insufficient nvidia.com/gpu.';
    const gangs = g.tree.podGangs.map((x) => ({ ...x, status: { phase: 'Pending' as const, conditions: [{ type: 'Scheduled', status: 'False' as const, reason: 'Unschedulable', message, lastTransitionTime: '2025-01-01T00:00:00Z' }] } }));
    const v = podCliqueSetView({ pcs, pclqs: g.podCliques, pcsgs: g.scalingGroups, podGangs: gangs, pods: g.pods });
    expect(TABLES.podcliquesets.cells(v).at(-1)).toBe(
      'big-0: Unschedulable: podgroup big-0-w needs 2 pods (100m cpu, 12 nvidia.com/gpu each); 0/16 nodes are available: 16 Insufficient nvidia.com/gpu.',
    );
  });

  it('a TopologyDomain row: free of allocatable, rounded for a person', () => {
    const node: Node = {
      metadata: { name: 'h1', labels: { 'kubernetes.io/hostname': 'h1' } },
      status: { allocatable: { cpu: '31500m', memory: '1536Gi', 'nvidia.com/gpu': '8' }, conditions: [{ type: 'Ready', status: 'True' }] },
    } as Node;
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'ns', labels: { 'grove.io/podgang': 'inf-0' } },
      spec: { nodeName: 'h1', containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '250m', memory: '512Mi', 'nvidia.com/gpu': '3' } } }] },
      status: { phase: 'Running' },
    };
    const [d] = topologyDomains([], [node], [pod]);
    if (!d) throw new Error('no domain');
    expect(TABLES.topologydomains.cells(d)).toEqual(['host.h1', 'host', 1, '5/8', 5, '31.3/31.5', '1.5Ti/1.5Ti', 1, 1, 1, 'ns/inf-0']);
  });

  it('a Placement row: the narrowest shared domain and the pack constraints', () => {
    const v = placementView({
      pclq: { metadata: { name: 'inf-0-a', namespace: 'ns', labels: { 'app.kubernetes.io/part-of': 'inf', 'grove.io/podcliqueset-replica-index': '0', 'grove.io/podgang': 'inf-0' } }, spec: { roleName: 'a', replicas: 1, podSpec: { containers: [] } } } as never,
      pods: [{ metadata: { name: 'p', namespace: 'ns', labels: { 'grove.io/podclique': 'inf-0-a' } }, spec: { nodeName: 'h1', containers: [] }, status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] } }],
      gangPods: [],
      node: () => ({ metadata: { name: 'h1', labels: { 'kubernetes.io/hostname': 'h1', rack: 'r1', zone: 'z1' } } }) as Node,
      levels: [
        { domain: 'zone', key: 'zone' },
        { domain: 'rack', key: 'rack' },
        { domain: 'host', key: 'kubernetes.io/hostname' },
      ],
    });
    expect(TABLES.placements.cells(v)).toEqual(['inf-0-a', 'inf', 0, 'a', '1/1', 1, 'rack=r1', '-', 'inf-0', 'h1']);
  });
});

describe('rowFragments: a row served by concatenation', () => {
  it('joins to the same cells as rowCells, AGE in its column', () => {
    const t = TABLES.podcliquesets;
    const cells = ['inf', 1, 'Pending', '0/1', '0/2', 1, '0/1', 0, '0/2', 'r"x'];
    const f = rowFragments(t, cells);
    expect(JSON.parse(rowCellsJson(t, f, JSON.stringify('2m')))).toEqual(rowCells(t, cells, new Date(NOW - 120_000).toISOString(), NOW));
  });

  it('AGE first or last still makes a well-formed array', () => {
    const first = { ...TABLES.topologydomains, ageIndex: 0 };
    expect(JSON.parse(rowCellsJson(first, rowFragments(first, ['a', 2]), '"1s"'))).toEqual(['1s', 'a', 2]);
    const last = { ...TABLES.topologydomains, ageIndex: 2 };
    expect(JSON.parse(rowCellsJson(last, rowFragments(last, ['a', 2]), '"1s"'))).toEqual(['a', 2, '1s']);
    const none = { ...TABLES.topologydomains, ageIndex: -1 };
    expect(JSON.parse(rowCellsJson(none, rowFragments(none, ['a', 2]), '"1s"'))).toEqual(['a', 2]);
  });
});
