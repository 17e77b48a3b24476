import { describe, expect, it } from 'vitest';
import type { PodClique } from '../generated/types.js';
import { ANNOTATION_TEMPLATE_REPLICAS, LABEL_POD_TEMPLATE_HASH } from '../keys.js';
import { podClique } from '../status/testing.js';
import { keepsTemplate, withFrozenTemplate } from './freeze.js';

function withImage(p: PodClique, image: string, replicas: string): PodClique {
  return {
    ...p,
    metadata: { ...p.metadata, labels: { ...p.metadata.labels, team: image }, annotations: { note: image, [ANNOTATION_TEMPLATE_REPLICAS]: replicas } },
    spec: { ...p.spec, podSpec: { containers: [{ name: 'main', image }] } },
  };
}
const existing = withImage(podClique('pcs-0-a', { hash: 'h1', replicas: 2 }), 'old', '2');
const desired = withImage(podClique('pcs-0-a', { hash: 'h2', replicas: 3 }), 'new', '3');
const rolling = { type: 'RollingRecreate' as const, partition: 0 };

describe('keepsTemplate', () => {
  it('standalone PodCliques take the new template at once, under either strategy', () => {
    expect(keepsTemplate(desired, existing, { policy: rolling, replica: 0, member: false })).toBe(false);
    expect(keepsTemplate(desired, existing, { policy: { type: 'OnDelete', partition: 0 }, replica: 0, member: false })).toBe(false);
  });

  it('members keep theirs under RollingRecreate (the rollout recreates them), not under OnDelete', () => {
    expect(keepsTemplate(desired, existing, { policy: rolling, replica: 0, member: true })).toBe(true);
    expect(keepsTemplate(desired, existing, { policy: { type: 'OnDelete', partition: 0 }, replica: 0, member: true })).toBe(false);
  });

  it('replicas below the partition keep theirs, whatever the strategy; at the partition they do not', () => {
    for (const type of ['RollingRecreate', 'OnDelete'] as const) {
      expect(keepsTemplate(desired, existing, { policy: { type, partition: 2 }, replica: 1, member: false })).toBe(true);
      expect(keepsTemplate(desired, existing, { policy: { type, partition: 2 }, replica: 2, member: false })).toBe(false);
    }
  });

  it('a PodClique to create, or one already on the new hash, takes the desired object', () => {
    expect(keepsTemplate(desired, undefined, { policy: { type: 'OnDelete', partition: 5 }, replica: 0, member: true })).toBe(false);
    expect(keepsTemplate(desired, desired, { policy: { type: 'OnDelete', partition: 5 }, replica: 0, member: true })).toBe(false);
  });
});

describe('withFrozenTemplate', () => {
  it('keeps pod spec, labels and annotations of the existing PodClique, takes the rest from the desired one', () => {
    const out = withFrozenTemplate(desired, existing, { policy: { type: 'OnDelete', partition: 1 }, replica: 0, member: false });
    expect(out.spec.podSpec).toEqual({ containers: [{ name: 'main', image: 'old' }] });
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.labels?.[LABEL_POD_TEMPLATE_HASH]).toBe('h1');
    expect(out.metadata.labels?.team).toBe('old');
    expect(out.metadata.annotations).toEqual({ note: 'old', [ANNOTATION_TEMPLATE_REPLICAS]: '3' });
  });

  it('returns the desired object itself when nothing is frozen', () => {
    expect(withFrozenTemplate(desired, existing, { policy: rolling, replica: 0, member: false })).toBe(desired);
  });
});
