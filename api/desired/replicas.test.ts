import { describe, expect, it } from 'vitest';

import { decideReplicas, lastAppliedTemplateReplicas, templateReplicasAnnotation } from './replicas.js';

const child = (replicas: number, recorded?: string) => ({
  metadata: recorded === undefined ? {} : { annotations: { 'copse.io/template-replicas': recorded } },
  spec: { replicas },
});

describe('decideReplicas (grove-compat §10.12)', () => {
  it.each<[string, number, boolean, ReturnType<typeof child> | undefined, number]>([
    ['a new child takes the template', 3, false, undefined, 3],
    ['a new autoscaled child takes the template', 3, true, undefined, 3],
    ['a template edit reaches the child', 5, false, child(3, '3'), 5],
    ['a template edit reaches a directly scaled child', 5, false, child(7, '3'), 5],
    ['a direct scale is kept while the template is unchanged', 3, false, child(7, '3'), 7],
    ['with an HPA the existing value stays, edit or not', 5, true, child(4, '3'), 4],
    ['a child without the record keeps its value (Grove objects)', 5, false, child(2), 2],
    ['a malformed record counts as none', 5, false, child(2, 'two'), 2],
  ])('%s', (_what, template, autoscaled, existing, want) => {
    expect(decideReplicas({ template, autoscaled, ...(existing ? { existing } : {}) })).toBe(want);
  });

  it('records the applied template value under copse.io/template-replicas', () => {
    expect(templateReplicasAnnotation(4)).toEqual({ 'copse.io/template-replicas': '4' });
    expect(lastAppliedTemplateReplicas({ annotations: templateReplicasAnnotation(4) })).toBe(4);
    expect(lastAppliedTemplateReplicas({ annotations: { 'copse.io/template-replicas': '-1' } })).toBeUndefined();
  });
});
