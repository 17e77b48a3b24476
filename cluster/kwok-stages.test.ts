import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kwokStagesYaml } from './kwok-stages.js';

describe('kwok stages', () => {
  const docs = loadAllYaml(kwokStagesYaml()) as Array<{ kind: string; metadata: { name: string }; spec: { resourceRef: { kind: string }; next: Record<string, unknown> } }>;

  it('defines node and pod lifecycles', () => {
    expect(docs.map((d) => `${d.spec.resourceRef.kind}/${d.metadata.name}`)).toEqual([
      'Node/copse-node-ready',
      'Node/copse-node-heartbeat',
      'Pod/copse-pod-running',
      'Pod/copse-pod-delete',
    ]);
    expect(docs.every((d) => d.kind === 'Stage')).toBe(true);
  });

  it('only deletes pods, never strips their finalizers', () => {
    const del = docs.find((d) => d.metadata.name === 'copse-pod-delete');
    expect(del?.spec.next).toEqual({ delete: true });
  });
});
