// The node usage index and its mirror: a copy attached at any moment, then fed every change, answers
// as the index does (the extender's thread answers from such a copy).
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '../api/core/wire.js';
import { ANNOTATION_PLANNED_NODE, PLACEMENT_GATE } from './placement-gate.js';
import { NodeUsage, type UsageOp } from './usage.js';

const node = (name: string, cpu = '8'): Node => ({ metadata: { name }, status: { allocatable: { cpu, pods: '10' } } }) as Node;
const pod = (name: string, cpu: string, at: { bound?: string; planned?: string } = {}, phase = 'Pending'): Pod =>
  ({
    metadata: { name, namespace: 'ns', ...(at.planned ? { annotations: { [ANNOTATION_PLANNED_NODE]: at.planned } } : {}) },
    spec: {
      containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }],
      ...(at.bound ? { nodeName: at.bound } : {}),
      ...(at.planned ? { schedulingGates: [{ name: PLACEMENT_GATE }] } : {}),
    },
    status: { phase },
  }) as Pod;

const view = (u: NodeUsage, nodes: string[]) => nodes.map((n) => [n, u.free(n, 'cpu'), u.free(n, 'pods'), u.reservedOn(n, 'cpu')]);

describe('NodeUsage.mirrorTo', () => {
  it('a copy attached late and fed the changes answers as the index does', () => {
    const main = new NodeUsage();
    main.setNode(node('a'));
    main.setNode(node('b'));
    main.setPod(pod('p1', '2', { bound: 'a' }));
    main.setPod(pod('g1', '3', { planned: 'b' }));

    const copy = new NodeUsage();
    const ops: UsageOp[] = [];
    const stop = main.mirrorTo((op) => {
      ops.push(op);
      copy.apply(op);
    });
    expect(view(copy, ['a', 'b'])).toEqual(view(main, ['a', 'b']));
    expect(view(copy, ['a', 'b'])).toEqual([
      ['a', 6000, 9, 0],
      ['b', 5000, 9, 3000],
    ]);

    const attached = ops.length;
    main.setPod(pod('p1', '2', { bound: 'a' }, 'Running'));
    // A status change of a bound pod changes nothing, and sends nothing.
    expect(ops.length).toBe(attached);
    main.setPod(pod('g1', '3', { bound: 'b' }));
    main.setPod(pod('p2', '1', { bound: 'a' }));
    main.removePod('ns/p1');
    main.setNode(node('c', '4'));
    main.removeNode('a');
    expect(view(copy, ['a', 'b', 'c'])).toEqual(view(main, ['a', 'b', 'c']));
    expect(copy.free('b', 'cpu')).toBe(5000);
    expect(copy.reservedOn('b', 'cpu')).toBe(0);

    stop();
    main.removePod('ns/g1');
    expect(copy.free('b', 'cpu')).toBe(5000);
    expect(main.free('b', 'cpu')).toBe(8000);
  });
});
