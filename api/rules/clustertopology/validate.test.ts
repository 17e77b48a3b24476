import { describe, expect, it } from 'vitest';

import { formatFieldError, formatFieldErrors } from '../../field-errors.js';
import { type ClusterTopologyValidationContext, validateClusterTopologyBinding } from './validate.js';

type CTB = Parameters<typeof validateClusterTopologyBinding>[0];

function ctb(spec: Record<string, unknown>): CTB {
  return { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 'grove-topology' }, spec } as unknown as CTB;
}

const LEVELS = [
  { domain: 'zone', key: 'topology.kubernetes.io/zone' },
  { domain: 'block', key: 'example.com/block' },
  { domain: 'rack', key: 'example.com/rack' },
  { domain: 'host', key: 'kubernetes.io/hostname' },
];

const ctx: ClusterTopologyValidationContext = { schedulerProfiles: ['default-scheduler'] };
const texts = (c: CTB, context = ctx): string[] => validateClusterTopologyBinding(c, undefined, context).errors.map(formatFieldError);

describe('validateClusterTopologyBinding', () => {
  it('accepts distinct levels and a binding to copse’s topology-aware default-scheduler', () => {
    const c = ctb({ levels: LEVELS, schedulerTopologyBindings: [{ schedulerName: 'default-scheduler', topologyReference: 'x' }] });
    const r = validateClusterTopologyBinding(c, undefined, ctx);
    expect(r).toEqual({ errors: [], warnings: [] });
    // Same rules on update.
    expect(validateClusterTopologyBinding(c, c, ctx).errors).toEqual([]);
  });

  it('rejects duplicate domains and keys', () => {
    const c = ctb({
      levels: [...LEVELS, { domain: 'rack', key: 'example.com/rack2' }, { domain: 'numa', key: 'kubernetes.io/hostname' }],
    });
    expect(texts(c)).toEqual(['spec.levels[4].domain: Duplicate value: "rack"', 'spec.levels[5].key: Duplicate value: "kubernetes.io/hostname"']);
  });

  it('fix §10.16: bindings are reported under spec.schedulerTopologyBindings (duplicate, not enabled)', () => {
    const c = ctb({
      levels: LEVELS,
      schedulerTopologyBindings: [
        { schedulerName: 'default-scheduler', topologyReference: 'a' },
        { schedulerName: 'default-scheduler', topologyReference: 'b' },
        { schedulerName: 'kai-scheduler', topologyReference: 'c' },
      ],
    });
    const r = validateClusterTopologyBinding(c, undefined, ctx);
    expect(formatFieldErrors(r.errors)).toBe(
      '[spec.schedulerTopologyBindings[1].schedulerName: Duplicate value: "default-scheduler", ' +
        'spec.schedulerTopologyBindings[2].schedulerName: Invalid value: "kai-scheduler": scheduler backend is not enabled in Grove]',
    );
  });

  it("kai-scheduler is an enabled, topology-aware backend while KAI's Topology CRD is served", () => {
    const c = ctb({ levels: LEVELS, schedulerTopologyBindings: [{ schedulerName: 'kai-scheduler', topologyReference: 'k' }] });
    expect(texts(c, { ...ctx, kaiTopologyServed: true })).toEqual([]);
    // Configured as a profile but without its CRD it is enabled, yet not topology-aware.
    expect(texts(c, { schedulerProfiles: ['default-scheduler', 'kai-scheduler'] })).toEqual([
      'spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "kai-scheduler": scheduler backend does not implement topology-aware scheduling',
    ]);
    expect(texts(c, { ...ctx, kaiTopologyServed: false })).toEqual(['spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "kai-scheduler": scheduler backend is not enabled in Grove']);
  });

  it('rejects an enabled backend that is not topology-aware', () => {
    const c = ctb({ levels: LEVELS, schedulerTopologyBindings: [{ schedulerName: 'volcano', topologyReference: 'v' }] });
    const context: ClusterTopologyValidationContext = { schedulerProfiles: ['default-scheduler', 'volcano'] };
    expect(texts(c, context)).toEqual([
      'spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "volcano": scheduler backend does not implement topology-aware scheduling',
    ]);
    // …unless configured as topology-aware.
    expect(texts(c, { ...context, topologyAwareProfiles: ['default-scheduler', 'volcano'] })).toEqual([]);
  });

  it('default-scheduler is always enabled', () => {
    const c = ctb({ levels: LEVELS, schedulerTopologyBindings: [{ schedulerName: 'default-scheduler', topologyReference: 'x' }] });
    expect(texts(c, { schedulerProfiles: [] })).toEqual([]);
  });

  it('does not throw on wrongly typed input', () => {
    for (const spec of [null, 'x', { levels: 'x' }, { levels: [null, 3, { domain: 7 }], schedulerTopologyBindings: [null, {}] }]) {
      expect(() => validateClusterTopologyBinding(ctb(spec as Record<string, unknown>), undefined, ctx)).not.toThrow();
    }
    expect(validateClusterTopologyBinding(null as unknown as CTB, undefined, ctx).errors).toEqual([]);
  });
});
