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
      'Pod/copse-pod-running-unready',
      'Pod/copse-pod-turn-ready',
      'Pod/copse-pod-turn-unready',
      'Pod/copse-pod-initc-running',
      'Pod/copse-pod-initc-completed',
      'Pod/copse-pod-initc-completed-unready',
      'Pod/copse-pod-initc-failed',
      'Pod/copse-pod-delete',
    ]);
    expect(docs.every((d) => d.kind === 'Stage')).toBe(true);
  });

  it("holds pods with copse's init container until the runner reports, and tells exit 0 from failure", () => {
    type Expr = { key: string; operator: string; values?: string[] };
    const exprs = (name: string): string[] =>
      ((docs.find((d) => d.metadata.name === name)?.spec as unknown as { selector: { matchExpressions: Expr[] } }).selector.matchExpressions).map(
        (e) => `${e.key} ${e.operator}${e.values ? ` ${e.values.join('|')}` : ''}`,
      );
    const initc = '.spec.initContainers.[] | select( .name == "grove-initc" ) | .name';
    const exit = '.metadata.annotations["sim.copse.io/initc-exit-code"]';
    expect(exprs('copse-pod-running')).toContain(`${initc} DoesNotExist`);
    expect(exprs('copse-pod-initc-running')).toEqual(expect.arrayContaining([`${initc} In grove-initc`, `${exit} DoesNotExist`]));
    expect(exprs('copse-pod-initc-completed')).toEqual(expect.arrayContaining([`${initc} In grove-initc`, `${exit} In 0`]));
    expect(exprs('copse-pod-initc-failed')).toEqual(expect.arrayContaining([`${initc} In grove-initc`, `${exit} Exists`, `${exit} NotIn 0`]));
  });

  it('a pod annotated sim.copse.io/ready=false runs unready until the annotation changes; stages never overlap on it', () => {
    type Expr = { key: string; operator: string; values?: string[] };
    const exprs = (name: string): string[] =>
      ((docs.find((d) => d.metadata.name === name)?.spec as unknown as { selector: { matchExpressions: Expr[] } }).selector.matchExpressions).map(
        (e) => `${e.key} ${e.operator}${e.values ? ` ${e.values.join('|')}` : ''}`,
      );
    const hook = '.metadata.annotations["sim.copse.io/ready"]';
    for (const name of ['copse-pod-running', 'copse-pod-turn-ready', 'copse-pod-initc-completed']) expect(exprs(name)).toContain(`${hook} NotIn false`);
    for (const name of ['copse-pod-running-unready', 'copse-pod-turn-unready', 'copse-pod-initc-completed-unready']) expect(exprs(name)).toContain(`${hook} In false`);
    const status = (name: string) => (docs.find((d) => d.metadata.name === name)?.spec.next as { statusTemplate: string }).statusTemplate;
    expect(status('copse-pod-running-unready')).toMatch(/- type: Ready\n\s+status: "False"/);
    expect(status('copse-pod-turn-ready')).toMatch(/- type: Ready\n\s+status: "True"/);
    expect(exprs('copse-pod-turn-unready')).toContain('.status.conditions.[] | select( .type == "Ready" ) | .status In True');
  });

  it('only deletes pods, never strips their finalizers', () => {
    const del = docs.find((d) => d.metadata.name === 'copse-pod-delete');
    expect(del?.spec.next).toEqual({ delete: true });
  });
});
