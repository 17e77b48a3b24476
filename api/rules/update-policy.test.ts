import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../field-errors.js';
import type { PodCliqueSet } from '../index.js';
import {
  ANNOTATION_COHERENT,
  ANNOTATION_CRASH_LOOP_RESTARTS,
  ANNOTATION_MAX_UNAVAILABLE,
  ANNOTATION_PARTITION,
  updatePolicyOf,
  validateUpdatePolicy,
} from './update-policy.js';

function pcs(annotations: Record<string, string>, o: { replicas?: number; onDelete?: boolean } = {}): PodCliqueSet {
  return {
    metadata: { name: 'p', annotations },
    spec: { replicas: o.replicas ?? 4, ...(o.onDelete ? { updateStrategy: { type: 'OnDelete' } } : {}), template: { cliques: [] } },
  } as unknown as PodCliqueSet;
}
const messages = (p: PodCliqueSet) => validateUpdatePolicy(p).map(formatFieldError);

describe('update policy annotations', () => {
  it('defaults to Grove: one replica at a time, no partition, not coherent, 5 restarts', () => {
    expect(updatePolicyOf(pcs({}))).toEqual({
      policy: { type: 'RollingRecreate', maxUnavailable: 1, partition: 0, coherent: false, crashLoopRestarts: 5 },
      errors: [],
    });
    expect(updatePolicyOf(pcs({}, { onDelete: true })).policy.type).toBe('OnDelete');
  });

  it('reads every annotation', () => {
    const r = updatePolicyOf(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '2', [ANNOTATION_PARTITION]: '3', [ANNOTATION_COHERENT]: 'true', [ANNOTATION_CRASH_LOOP_RESTARTS]: '7' }));
    expect(r).toEqual({ policy: { type: 'RollingRecreate', maxUnavailable: 2, partition: 3, coherent: true, crashLoopRestarts: 7 }, errors: [] });
  });

  it('resolves a percentage against spec.replicas, rounding down but never below 1', () => {
    expect(updatePolicyOf(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '50%' }, { replicas: 10 })).policy.maxUnavailable).toBe(5);
    expect(updatePolicyOf(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '25%' }, { replicas: 3 })).policy.maxUnavailable).toBe(1);
    expect(updatePolicyOf(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '100%' }, { replicas: 3 })).policy.maxUnavailable).toBe(3);
  });

  it('names the annotation of each bad value', () => {
    expect(messages(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '0' }))).toEqual([
      'metadata.annotations[update.copse.io/max-unavailable]: Invalid value: "0": must be an integer >= 1 or a percentage such as 25%, got "0"',
    ]);
    expect(messages(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '0%' }))).toEqual([
      'metadata.annotations[update.copse.io/max-unavailable]: Invalid value: "0%": must be a percentage between 1% and 100%, got "0%"',
    ]);
    expect(messages(pcs({ [ANNOTATION_PARTITION]: '-1' }))).toEqual([
      'metadata.annotations[update.copse.io/partition]: Invalid value: "-1": must be an integer >= 0 (replicas below it keep their template), got "-1"',
    ]);
    expect(messages(pcs({ [ANNOTATION_COHERENT]: 'yes' }))).toEqual([
      'metadata.annotations[update.copse.io/coherent]: Invalid value: "yes": must be "true" or "false", got "yes"',
    ]);
    expect(messages(pcs({ [ANNOTATION_CRASH_LOOP_RESTARTS]: '0' }))).toEqual([
      'metadata.annotations[copse.io/crash-loop-restarts]: Invalid value: "0": must be an integer >= 1, got "0"',
    ]);
  });

  it('reports a bad value; an unreadable partition holds every replica rather than rolling them', () => {
    const r = updatePolicyOf(pcs({ [ANNOTATION_PARTITION]: 'two', [ANNOTATION_MAX_UNAVAILABLE]: '3' }));
    expect(r.policy.partition).toBe(Number.MAX_SAFE_INTEGER);
    expect(r.policy.maxUnavailable).toBe(3);
    expect(r.errors.map((e) => e.field)).toEqual(['metadata.annotations[update.copse.io/partition]']);
  });

  it('refuses rollout settings under OnDelete, but allows a partition there', () => {
    expect(messages(pcs({ [ANNOTATION_MAX_UNAVAILABLE]: '2', [ANNOTATION_COHERENT]: 'true', [ANNOTATION_PARTITION]: '1' }, { onDelete: true }))).toEqual([
      'metadata.annotations[update.copse.io/max-unavailable]: Forbidden: applies to updateStrategy RollingRecreate only; spec.updateStrategy.type is OnDelete',
      'metadata.annotations[update.copse.io/coherent]: Forbidden: applies to updateStrategy RollingRecreate only; spec.updateStrategy.type is OnDelete',
    ]);
  });

  it('survives untyped admission input', () => {
    expect(validateUpdatePolicy({ metadata: { annotations: 'x' } })).toEqual([]);
    expect(validateUpdatePolicy(null)).toEqual([]);
  });
});
