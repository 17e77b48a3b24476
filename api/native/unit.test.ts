import { describe, expect, it } from 'vitest';

import type { PodGang } from '../generated/types.js';
import { unitBaseName, unitGangs } from './unit.js';

const gang = (name: string, pcs: string | undefined, ns = 'ns'): PodGang => ({
  metadata: { name, namespace: ns, ...(pcs ? { labels: { 'app.kubernetes.io/part-of': pcs } } : {}) },
  spec: { podgroups: [] },
});

describe('unitBaseName', () => {
  it('is the base gang <pcs>-<i> for the base gang and for its scaled gangs', () => {
    expect(unitBaseName(gang('w-0', 'w'))).toBe('w-0');
    expect(unitBaseName(gang('w-0-sg-x-1', 'w'))).toBe('w-0');
    expect(unitBaseName(gang('w-12-sg-0', 'w'))).toBe('w-12');
    expect(unitBaseName(gang('my-pcs-3-sg-0', 'my-pcs'))).toBe('my-pcs-3');
  });
  it('is undefined for a gang not named after its PodCliqueSet', () => {
    expect(unitBaseName(gang('w-0', undefined))).toBeUndefined();
    expect(unitBaseName(gang('other-0', 'w'))).toBeUndefined();
    expect(unitBaseName(gang('w-x', 'w'))).toBeUndefined();
  });
});

describe('unitGangs', () => {
  it('keeps the gangs of the same PodCliqueSet replica, the gang first', () => {
    const all = [gang('w-0', 'w'), gang('w-0-sg-x-0', 'w'), gang('w-0-sg-x-1', 'w'), gang('w-1', 'w'), gang('w-1-sg-x-0', 'w'), gang('w-10', 'w'), gang('w-0-a-0', 'w-0')];
    expect(unitGangs(gang('w-0-sg-x-1', 'w'), all).map((g) => g.metadata.name)).toEqual(['w-0-sg-x-1', 'w-0', 'w-0-sg-x-0']);
    expect(unitGangs(gang('w-1', 'w'), all).map((g) => g.metadata.name)).toEqual(['w-1', 'w-1-sg-x-0']);
  });
  it('leaves a gang whose base cannot be told alone', () => {
    expect(unitGangs(gang('odd', 'w'), [gang('w-0', 'w')]).map((g) => g.metadata.name)).toEqual(['odd']);
  });
});
