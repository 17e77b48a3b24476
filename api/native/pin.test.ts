import { describe, expect, it } from 'vitest';

import type { Pod } from '../core/wire.js';
import type { PodGang } from '../generated/types.js';
import { baseGangOf, pinSelector, scaledGangPin } from './pin.js';

const block = 'topology.copse.io/block';
const base = (required?: string): PodGang => ({
  metadata: { name: 'p-0', namespace: 'ns' },
  spec: { podgroups: [{ name: 'p-0-sg-0-w', podReferences: [], minReplicas: 1 }], ...(required ? { topologyConstraint: { packConstraint: { required } } } : {}) },
});
const pod = (name: string, opts: { node?: string; base?: string; selector?: Record<string, string>; deleting?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'ns', labels: opts.base ? { 'grove.io/base-podgang': opts.base } : {}, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}), ...(opts.selector ? { nodeSelector: opts.selector } : {}) },
});
const labels: Record<string, Record<string, string>> = { n1: { [block]: 'b1' }, n2: { [block]: 'b2' }, bare: {} };
const nodeLabels = (n: string) => labels[n];

describe('scaledGangPin: a scaled native gang goes to its base gang\'s required domain (grove#648)', () => {
  it('pins to the value of the base gang\'s required key on the node its bound pod runs on', () => {
    expect(scaledGangPin(base(block), [pod('a'), pod('b', { node: 'n2' })], nodeLabels)).toEqual({ pin: { key: block, value: 'b2' } });
  });
  it('skips pods being deleted and nodes without the key', () => {
    expect(scaledGangPin(base(block), [pod('a', { node: 'n1', deleting: true }), pod('b', { node: 'bare' }), pod('c', { node: 'n2' })], nodeLabels)).toEqual({ pin: { key: block, value: 'b2' } });
  });
  it('pins nothing when the base gang has no required key', () => {
    expect(scaledGangPin(base(), [pod('a', { node: 'n1' })], nodeLabels)).toEqual({ pin: undefined });
  });
  it('waits, saying why, while no base pod is bound or the base gang is not observed', () => {
    expect(scaledGangPin(base(block), [pod('a')], nodeLabels)).toEqual({ wait: `no pod of base gang p-0 is bound to a node with ${block} yet` });
    expect(scaledGangPin(undefined, [], nodeLabels)).toEqual({ wait: 'the base gang is not observed' });
  });
});

describe('baseGangOf', () => {
  it('names the base gang of a scaled gang\'s pods, and nothing for the base gang\'s own', () => {
    expect(baseGangOf([pod('x', { base: 'p-0' })], 'p-0-sg-0')).toBe('p-0');
    expect(baseGangOf([pod('x')], 'p-0')).toBeUndefined();
    expect(baseGangOf([pod('x', { base: 'p-0' })], 'p-0')).toBeUndefined();
  });
});

describe('pinSelector', () => {
  it('adds the key, or nothing when the pod already selects on it (entries of a gated pod cannot change)', () => {
    const pin = { key: block, value: 'b1' };
    expect(pinSelector(pod('x'), pin)).toEqual({ [block]: 'b1' });
    expect(pinSelector(pod('x', { selector: { [block]: 'b1' } }), pin)).toEqual({});
    expect(pinSelector(pod('x', { selector: { [block]: 'b2' } }), pin)).toEqual({});
    expect(pinSelector(pod('x'), undefined)).toEqual({});
  });
});
