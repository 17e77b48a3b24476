import { describe, expect, it } from 'vitest';
import { indexCluster } from './cluster.js';
import { PlanInputError } from './errors.js';
import { node, podSpec, RACK } from './fixtures.js';
import type { Pod } from './kube-types.js';

function freeOf(c: ReturnType<typeof indexCluster>, name: string): Record<string, number> {
  const n = c.nodeId(name) ?? -1;
  const w = c.resources.length;
  return Object.fromEntries(c.resources.map((r, j) => [r, c.free[n * w + j] ?? NaN]));
}

const bound = (name: string, nodeName: string, requests: Record<string, string>, phase = 'Running'): Pod => ({
  metadata: { name },
  spec: { ...podSpec(requests), nodeName },
  status: { phase },
});

describe('indexCluster', () => {
  const nodes = [node('b', { cpu: '8', memory: '16Gi', 'nvidia.com/gpu': '4' }, { [RACK]: 'r1' }), node('a', { cpu: '4', memory: '8Gi' }, { [RACK]: 'r0' })];

  it('orders nodes by name and gives every resource a column, pods first', () => {
    const c = indexCluster({ nodes });
    expect(c.names).toEqual(['a', 'b']);
    expect(c.resources).toEqual(['pods', 'cpu', 'memory', 'nvidia.com/gpu']);
    expect(freeOf(c, 'a')).toEqual({ pods: 110, cpu: 4000, memory: 8 * 2 ** 30, 'nvidia.com/gpu': 0 });
  });

  it('subtracts bound, unfinished pods and reservations, one pod slot each', () => {
    const c = indexCluster({
      nodes,
      pods: [
        bound('p1', 'b', { cpu: '2', 'nvidia.com/gpu': '1' }),
        bound('p2', 'b', { cpu: '1' }, 'Pending'),
        bound('done', 'b', { cpu: '4' }, 'Succeeded'),
        bound('gone', 'b', { cpu: '4' }, 'Failed'),
        bound('elsewhere', 'zz', { cpu: '4' }),
        { metadata: { name: 'unbound' }, spec: podSpec({ cpu: '4' }), status: { phase: 'Pending' } },
      ],
      reservations: [{ nodeName: 'b', requests: { 'nvidia.com/gpu': 2, pods: 5 } }],
    });
    expect(freeOf(c, 'b')).toEqual({ pods: 107, cpu: 5000, memory: 16 * 2 ** 30, 'nvidia.com/gpu': 1 });
  });

  it('lets capacity go negative when a node is overcommitted', () => {
    const c = indexCluster({ nodes, reservations: [{ nodeName: 'a', requests: { cpu: 6000 } }] });
    expect(freeOf(c, 'a').cpu).toBe(-2000);
  });

  it('reserve() returns a new index and leaves the original untouched', () => {
    const c = indexCluster({ nodes });
    const d = c.reserve([{ nodeName: 'b', requests: { cpu: 3000, 'nvidia.com/gpu': 4 } }, { nodeName: 'nope', requests: { cpu: 1 } }]);
    expect(freeOf(d, 'b')).toMatchObject({ pods: 109, cpu: 5000, 'nvidia.com/gpu': 0 });
    expect(freeOf(c, 'b')).toMatchObject({ pods: 110, cpu: 8000, 'nvidia.com/gpu': 4 });
    expect(d.domains(RACK)).toBe(c.domains(RACK));
  });

  it('maps each node to its label value, -1 without the label', () => {
    const c = indexCluster({ nodes: [...nodes, node('c', { cpu: '1' })] });
    const d = c.domains(RACK);
    expect([...d.ids].map((id) => (id < 0 ? null : d.values[id]))).toEqual(['r0', 'r1', null]);
  });

  it('records why each node refuses a pod', () => {
    const c = indexCluster({ nodes: [...nodes, node('c', { cpu: '1' }, {}, { unschedulable: true })] });
    const e = c.eligibility({ nodeSelector: { [RACK]: 'r1' } });
    expect([...e.reason].map((r) => (r === 0 ? 'ok' : e.reasons[r - 1]))).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
      'ok',
      'node(s) were unschedulable',
    ]);
    expect(c.eligibility({ nodeSelector: { [RACK]: 'r1' } })).toBe(e);
  });

  it('refuses duplicate or nameless nodes', () => {
    expect(() => indexCluster({ nodes: [node('a', {}), node('a', {})] })).toThrow(new PlanInputError('nodes', 'node a appears twice'));
    expect(() => indexCluster({ nodes: [{ metadata: {} }] })).toThrow(PlanInputError);
  });
});
