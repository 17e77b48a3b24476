import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { PodCliqueSet } from '../generated/types.js';
import { canonicalJson, generationHash, podTemplateHash, stableHash } from './hash.js';

function base(): PodCliqueSet {
  return pcsOf('x', {
    cliques: [clique('a', 2), clique('b', 1)],
    podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['b'], replicas: 1 }],
  });
}

function edit(mutate: (pcs: PodCliqueSet) => void): PodCliqueSet {
  const pcs = structuredClone(base());
  mutate(pcs);
  return pcs;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined and null members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: null }], c: undefined } })).toBe('{"a":{"d":[{"z":1}]},"b":1}');
  });
});

describe('stableHash', () => {
  it('is 16 hex digits, a valid label value, and independent of key order', () => {
    const h = stableHash({ a: 1, b: [1, 2] });
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(stableHash({ b: [1, 2], a: 1 })).toBe(h);
    expect(stableHash({ a: 1, b: [2, 1] })).not.toBe(h);
  });
});

describe('pod template hash and generation hash (grove-compat §4.8)', () => {
  it('are deterministic', () => {
    expect(podTemplateHash(base(), 'a')).toBe(podTemplateHash(base(), 'a'));
    expect(generationHash(base())).toBe(generationHash(base()));
    expect(podTemplateHash(base(), 'a')).not.toBe(podTemplateHash(base(), 'b'));
  });

  it.each<[string, (pcs: PodCliqueSet) => void]>([
    ['replicas', (p) => void (p.spec.replicas = 3)],
    ['clique replicas', (p) => void (p.spec.template.cliques[0]!.spec.replicas = 5)],
    ['clique minAvailable', (p) => void (p.spec.template.cliques[0]!.spec.minAvailable = 1)],
    ['group replicas', (p) => void (p.spec.template.podCliqueScalingGroups![0]!.replicas = 4)],
    ['terminationDelay', (p) => void (p.spec.template.terminationDelay = '1m')],
    ['labels {} instead of absent', (p) => void (p.spec.template.cliques[0]!.labels = {})],
  ])('ignore %s', (_what, mutate) => {
    expect(podTemplateHash(edit(mutate), 'a')).toBe(podTemplateHash(base(), 'a'));
    expect(generationHash(edit(mutate))).toBe(generationHash(base()));
  });

  it.each<[string, (pcs: PodCliqueSet) => void, boolean]>([
    ['an image', (p) => void (p.spec.template.cliques[0]!.spec.podSpec.containers[0]!.image = 'nginx'), false],
    ['a clique label', (p) => void (p.spec.template.cliques[0]!.labels = { tier: 'x' }), false],
    ['a clique annotation', (p) => void (p.spec.template.cliques[0]!.annotations = { note: 'x' }), false],
    ['the clique podSpec.priorityClassName', (p) => void (p.spec.template.cliques[0]!.spec.podSpec.priorityClassName = 'high'), false],
    ['the PodCliqueSet priorityClassName', (p) => void (p.spec.template.priorityClassName = 'high'), true],
  ])('follow %s (of clique a; clique b too: %s)', (_what, mutate, bChanges) => {
    expect(podTemplateHash(edit(mutate), 'a')).not.toBe(podTemplateHash(base(), 'a'));
    expect(podTemplateHash(edit(mutate), 'b') !== podTemplateHash(base(), 'b')).toBe(bChanges);
    expect(generationHash(edit(mutate))).not.toBe(generationHash(base()));
  });

  it('editing only a clique priorityClassName changes its hash even with a template one (grove#17, §10.17)', () => {
    const withTemplate = edit((p) => void (p.spec.template.priorityClassName = 'high'));
    const cliqueEdited = structuredClone(withTemplate);
    cliqueEdited.spec.template.cliques[0]!.spec.podSpec.priorityClassName = 'low';
    expect(podTemplateHash(cliqueEdited, 'a')).not.toBe(podTemplateHash(withTemplate, 'a'));
    expect(generationHash(cliqueEdited)).not.toBe(generationHash(withTemplate));
    // A clique naming the template's own class is the same pod as one inheriting it.
    const same = structuredClone(withTemplate);
    same.spec.template.cliques[0]!.spec.podSpec.priorityClassName = 'high';
    expect(podTemplateHash(same, 'a')).toBe(podTemplateHash(withTemplate, 'a'));
  });

  it('an unknown clique is an error', () => {
    expect(() => podTemplateHash(base(), 'zz')).toThrow('clique "zz" is not defined');
  });
});
