import { describe, expect, it } from 'vitest';
import { clusterTopology } from '../../test/support/admission.js';
import { formatFieldError } from '../field-errors.js';
import type { ClusterTopologyBinding, PodCliqueSet } from '../index.js';
import { ANNOTATION_SPREAD_PREFERRED, ANNOTATION_SPREAD_REQUIRED, replicaSpreadOf, spreadKey, validateReplicaSpread } from './replica-spread.js';

const ctb = clusterTopology('grove-topology', [
  ['zone', 'topology.kubernetes.io/zone'],
  ['rack', 'topology.copse.io/rack'],
]) as unknown as ClusterTopologyBinding;

function pcs(annotations: Record<string, string>, topologyName = 'grove-topology'): PodCliqueSet {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name: 'p', annotations },
    spec: { replicas: 2, template: { ...(topologyName ? { topologyConstraint: { topologyName } } : {}), cliques: [] } },
  } as unknown as PodCliqueSet;
}

const ctx = { topologyAwareScheduling: true, topology: (n: string) => (n === 'grove-topology' ? ctb : undefined) };
const messages = (p: PodCliqueSet, c = ctx) => validateReplicaSpread(p, c).map(formatFieldError);

describe('replica spread annotation', () => {
  it('reads required or preferred, required first', () => {
    expect(replicaSpreadOf(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'rack' }))).toEqual({ domain: 'rack', required: true });
    expect(replicaSpreadOf(pcs({ [ANNOTATION_SPREAD_PREFERRED]: 'zone' }))).toEqual({ domain: 'zone', required: false });
    expect(replicaSpreadOf(pcs({}))).toBeUndefined();
    expect(spreadKey({ domain: 'rack', required: true }, ctb)).toBe('topology.copse.io/rack');
    expect(spreadKey({ domain: 'shelf', required: true }, ctb)).toBeUndefined();
  });

  it('accepts a domain of the binding', () => {
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'rack' }))).toEqual([]);
    expect(messages(pcs({ [ANNOTATION_SPREAD_PREFERRED]: 'zone' }))).toEqual([]);
  });

  it('names the annotation and lists the domains for an unknown one', () => {
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'shelf' }))).toEqual([
      'metadata.annotations[scheduling.copse.io/replica-spread-required]: Invalid value: "shelf": not a domain of ClusterTopologyBinding "grove-topology" (domains: zone, rack)',
    ]);
  });

  it('refuses both at once, an empty value, no topologyName, and TAS disabled', () => {
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'rack', [ANNOTATION_SPREAD_PREFERRED]: 'zone' }))).toEqual([
      'metadata.annotations[scheduling.copse.io/replica-spread-preferred]: Forbidden: may not be set together with scheduling.copse.io/replica-spread-required',
    ]);
    expect(messages(pcs({ [ANNOTATION_SPREAD_PREFERRED]: '' }))).toEqual([
      'metadata.annotations[scheduling.copse.io/replica-spread-preferred]: Invalid value: "": must name a domain of the ClusterTopologyBinding, e.g. rack',
    ]);
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'rack' }, ''))).toEqual([
      'metadata.annotations[scheduling.copse.io/replica-spread-required]: Invalid value: "rack": replica spread needs a topologyConstraint.topologyName naming the ClusterTopologyBinding whose domains it uses',
    ]);
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'rack' }), { topologyAwareScheduling: false, topology: ctx.topology })).toEqual([
      'metadata.annotations[scheduling.copse.io/replica-spread-required]: Forbidden: replica spread needs Topology Aware Scheduling, which is disabled',
    ]);
  });

  it('cannot check the domain without the binding (updates are not prefetched): format rules only', () => {
    expect(messages(pcs({ [ANNOTATION_SPREAD_REQUIRED]: 'shelf' }), { topologyAwareScheduling: true, topology: () => undefined })).toEqual([]);
  });
});
