import { describe, expect, it } from 'vitest';
import type { NodeSelectorRequirement, Taint, Toleration } from './kube-types.js';
import {
  fieldRequirementMatches,
  labelRequirementMatches,
  nodeRejection,
  nodeSelectorMatches,
  nodeSelectorTermMatches,
  nodeView,
  requiredNodeAffinityMatches,
  toleratesTaint,
  untoleratedTaint,
  type NodeView,
  type PodSelection,
} from './node-selection.js';

const labels = { zone: 'a', gpus: '8', role: 'agent', odd: 'x8' };
const view = (over: Partial<NodeView> = {}): NodeView => ({ name: 'n1', labels, taints: [], unschedulable: false, ...over });
const req = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => ({ key, operator, ...(values ? { values } : {}) });

describe('nodeSelectorMatches', () => {
  it.each([
    [undefined, true],
    [{}, true],
    [{ zone: 'a' }, true],
    [{ zone: 'a', role: 'agent' }, true],
    [{ zone: 'b' }, false],
    [{ missing: '' }, false],
  ])('%j → %s', (selector, want) => {
    expect(nodeSelectorMatches(selector, labels)).toBe(want);
  });
});

describe('labelRequirementMatches', () => {
  it.each([
    [req('zone', 'In', ['a', 'b']), true],
    [req('zone', 'In', ['b']), false],
    [req('missing', 'In', ['']), false],
    [req('zone', 'NotIn', ['b']), true],
    [req('zone', 'NotIn', ['a']), false],
    [req('missing', 'NotIn', ['a']), true],
    [req('zone', 'Exists'), true],
    [req('missing', 'Exists'), false],
    [req('zone', 'DoesNotExist'), false],
    [req('missing', 'DoesNotExist'), true],
    [req('gpus', 'Gt', ['4']), true],
    [req('gpus', 'Gt', ['8']), false],
    [req('gpus', 'Lt', ['9']), true],
    [req('gpus', 'Lt', ['8']), false],
    [req('gpus', 'Gt', ['-1']), true],
    [req('odd', 'Gt', ['1']), false], // the label is not an integer
    [req('gpus', 'Gt', ['x']), false], // the bound is not an integer
    [req('gpus', 'Gt', ['1', '2']), false], // Gt takes exactly one value
    [req('missing', 'Lt', ['100']), false],
    [req('zone', 'Near', ['a']), false],
  ])('%j → %s', (r, want) => {
    expect(labelRequirementMatches(r, labels)).toBe(want);
  });
});

describe('fieldRequirementMatches', () => {
  it.each([
    [req('metadata.name', 'In', ['n1', 'n2']), true],
    [req('metadata.name', 'In', ['n2']), false],
    [req('metadata.name', 'NotIn', ['n2']), true],
    [req('metadata.name', 'NotIn', ['n1']), false],
    [req('metadata.name', 'Exists'), false],
    [req('spec.unschedulable', 'In', ['n1']), false],
  ])('%j → %s', (r, want) => {
    expect(fieldRequirementMatches(r, 'n1')).toBe(want);
  });
});

describe('nodeSelectorTermMatches', () => {
  it('matches nothing when the term is empty', () => {
    expect(nodeSelectorTermMatches({}, view())).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [], matchFields: [] }, view())).toBe(false);
  });

  it('ANDs expressions and fields', () => {
    expect(nodeSelectorTermMatches({ matchExpressions: [req('zone', 'In', ['a'])], matchFields: [req('metadata.name', 'In', ['n1'])] }, view())).toBe(true);
    expect(nodeSelectorTermMatches({ matchExpressions: [req('zone', 'In', ['a'])], matchFields: [req('metadata.name', 'In', ['n2'])] }, view())).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [req('zone', 'In', ['a']), req('role', 'In', ['x'])] }, view())).toBe(false);
  });
});

describe('requiredNodeAffinityMatches', () => {
  const affinity = (...terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[]): PodSelection => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
  });

  it('allows every node without required affinity (preferred affinity only scores)', () => {
    expect(requiredNodeAffinityMatches({}, view())).toBe(true);
    expect(requiredNodeAffinityMatches({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }, view())).toBe(true);
  });

  it('ORs the terms', () => {
    expect(requiredNodeAffinityMatches(affinity({ matchExpressions: [req('zone', 'In', ['b'])] }, { matchExpressions: [req('role', 'In', ['agent'])] }), view())).toBe(true);
    expect(requiredNodeAffinityMatches(affinity({ matchExpressions: [req('zone', 'In', ['b'])] }, { matchFields: [req('metadata.name', 'In', ['n9'])] }), view())).toBe(false);
  });

  it('matches nothing with no terms', () => {
    expect(requiredNodeAffinityMatches(affinity(), view())).toBe(false);
  });
});

describe('toleratesTaint', () => {
  const taint: Taint = { key: 'gpu', value: 'h100', effect: 'NoSchedule' };
  it.each([
    [{ key: 'gpu', operator: 'Equal', value: 'h100', effect: 'NoSchedule' }, true],
    [{ key: 'gpu', value: 'h100' }, true], // operator defaults to Equal, empty effect matches any
    [{ key: 'gpu', operator: 'Equal', value: 'a100' }, false],
    [{ key: 'gpu', operator: 'Exists' }, true],
    [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ operator: 'Exists' }, true], // empty key with Exists tolerates everything
    [{ key: 'other', operator: 'Exists' }, false],
    [{ key: 'gpu', operator: 'Gt', value: '1' }, false], // unknown operators tolerate nothing
  ] as [Toleration, boolean][])('%j → %s', (t, want) => {
    expect(toleratesTaint(t, taint)).toBe(want);
  });

  it('compares a missing taint value as empty', () => {
    expect(toleratesTaint({ key: 'k', operator: 'Equal', value: '' }, { key: 'k', effect: 'NoSchedule' })).toBe(true);
  });
});

describe('untoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'hard', value: 'x', effect: 'NoSchedule' },
    { key: 'evict', effect: 'NoExecute' },
  ];

  it('ignores PreferNoSchedule and reports the first NoSchedule/NoExecute taint left', () => {
    expect(untoleratedTaint(taints, [])?.key).toBe('hard');
    expect(untoleratedTaint(taints, [{ key: 'hard', operator: 'Exists' }])?.key).toBe('evict');
    expect(untoleratedTaint(taints, [{ key: 'hard', operator: 'Exists' }, { key: 'evict', operator: 'Exists', effect: 'NoExecute' }])).toBeUndefined();
  });
});

describe('nodeRejection', () => {
  it('accepts a plain node', () => {
    expect(nodeRejection({}, view())).toBeUndefined();
  });

  it('refuses a cordoned node unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    expect(nodeRejection({}, view({ unschedulable: true }))).toBe('node(s) were unschedulable');
    expect(nodeRejection({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }, view({ unschedulable: true }))).toBeUndefined();
  });

  it('words selector, affinity and taint refusals as kube-scheduler does', () => {
    expect(nodeRejection({ nodeSelector: { zone: 'b' } }, view())).toBe("node(s) didn't match Pod's node affinity/selector");
    const aff: PodSelection = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [req('metadata.name', 'NotIn', ['n1'])] }] } } } };
    expect(nodeRejection(aff, view())).toBe("node(s) didn't match Pod's node affinity/selector");
    expect(nodeRejection({}, view({ taints: [{ key: 'gpu', value: 'h100', effect: 'NoSchedule' }] }))).toBe('node(s) had untolerated taint {gpu: h100}');
  });
});

describe('nodeView', () => {
  it('reads name, labels, taints and the cordon flag', () => {
    const v = nodeView({ metadata: { name: 'x', labels: { a: 'b' } }, spec: { unschedulable: true, taints: [{ key: 't', effect: 'NoSchedule' }] } });
    expect(v).toEqual({ name: 'x', labels: { a: 'b' }, taints: [{ key: 't', effect: 'NoSchedule' }], unschedulable: true });
    expect(nodeView({ metadata: { name: 'y' } })).toEqual({ name: 'y', labels: {}, taints: [], unschedulable: false });
  });
});
