import { describe, expect, it } from 'vitest';

import { defaultPodCliqueSet } from './defaults.js';

type PCS = Parameters<typeof defaultPodCliqueSet>[0];
const run = (o: unknown): unknown => defaultPodCliqueSet(o as PCS);

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const minimal = (): Record<string, unknown> => ({
  apiVersion: 'grove.io/v1alpha1',
  kind: 'PodCliqueSet',
  metadata: { name: 'demo' },
  spec: {
    template: {
      cliques: [
        { name: 'leader', spec: { roleName: 'leader', podSpec: { containers: [{ name: 'c', image: 'i' }] } } },
        {
          name: 'worker',
          spec: { roleName: 'worker', replicas: 3, autoScalingConfig: { maxReplicas: 5 }, podSpec: { containers: [] } },
        },
      ],
      podCliqueScalingGroups: [{ name: 'grp', cliqueNames: ['worker'], scaleConfig: { maxReplicas: 4 } }],
    },
  },
});

describe('defaultPodCliqueSet', () => {
  it('fills every unset default', () => {
    expect(run(minimal())).toEqual({
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name: 'demo', namespace: 'default' },
      spec: {
        replicas: 0,
        template: {
          cliqueStartupType: 'CliqueStartupTypeAnyOrder',
          cliques: [
            {
              name: 'leader',
              spec: {
                roleName: 'leader',
                replicas: 1,
                minAvailable: 1,
                podSpec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 },
              },
            },
            {
              name: 'worker',
              spec: {
                roleName: 'worker',
                replicas: 3,
                minAvailable: 3,
                autoScalingConfig: { maxReplicas: 5, minReplicas: 3 },
                podSpec: { containers: [], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 },
              },
            },
          ],
          podCliqueScalingGroups: [
            { name: 'grp', cliqueNames: ['worker'], replicas: 1, minAvailable: 1, scaleConfig: { maxReplicas: 4, minReplicas: 1 } },
          ],
          terminationDelay: '4h0m0s',
          headlessServiceConfig: { publishNotReadyAddresses: true },
        },
      },
    });
  });

  it('fix §10.14: replicas 0 or missing default to 1, and minAvailable/minReplicas follow the defaulted value', () => {
    const p = minimal();
    const cliques = (p.spec as { template: { cliques: { spec: Record<string, unknown> }[] } }).template.cliques;
    (cliques[0] as { spec: Record<string, unknown> }).spec.replicas = 0;
    (cliques[0] as { spec: Record<string, unknown> }).spec.autoScalingConfig = { maxReplicas: 2 };
    delete (cliques[1] as { spec: Record<string, unknown> }).spec.replicas;
    const out = run(p) as { spec: { template: { cliques: { spec: Record<string, unknown> }[] } } };
    const [leader, worker] = out.spec.template.cliques;
    expect(leader?.spec.replicas).toBe(1);
    expect(leader?.spec.minAvailable).toBe(1);
    expect(leader?.spec.autoScalingConfig).toEqual({ maxReplicas: 2, minReplicas: 1 });
    expect(worker?.spec.replicas).toBe(1);
    expect(worker?.spec.minAvailable).toBe(1);
    expect(worker?.spec.autoScalingConfig).toEqual({ maxReplicas: 5, minReplicas: 1 });
  });

  it('copse: an unset roleName defaults to the clique name', () => {
    const out = run({
      spec: {
        template: {
          cliques: [
            { name: 'frontend', spec: { replicas: 2 } },
            { name: 'backend', spec: { roleName: '' } },
            { name: 'db', spec: { roleName: 'storage' } },
            { spec: {} },
          ],
        },
      },
    }) as { spec: { template: { cliques: { spec: Record<string, unknown> }[] } } };
    expect(out.spec.template.cliques.map((c) => c.spec.roleName)).toEqual(['frontend', 'backend', 'storage', undefined]);
  });

  it('keeps every value the user set', () => {
    const set = {
      metadata: { name: 'x', namespace: 'team' },
      spec: {
        replicas: 4,
        updateStrategy: { type: 'OnDelete' },
        template: {
          cliqueStartupType: 'CliqueStartupTypeExplicit',
          terminationDelay: '1m',
          headlessServiceConfig: { publishNotReadyAddresses: false },
          cliques: [
            {
              name: 'a',
              spec: {
                roleName: 'role-a',
                replicas: 4,
                minAvailable: 2,
                autoScalingConfig: { minReplicas: 3, maxReplicas: 9 },
                podSpec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 5 },
              },
            },
          ],
          podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['a'], replicas: 3, minAvailable: 2, scaleConfig: { minReplicas: 2, maxReplicas: 6 } }],
        },
      },
    };
    expect(run(set)).toEqual(set);
  });

  it('defaults the update strategy type only when a strategy is present', () => {
    const withStrategy = minimal();
    (withStrategy.spec as Record<string, unknown>).updateStrategy = {};
    expect((run(withStrategy) as { spec: { updateStrategy: unknown } }).spec.updateStrategy).toEqual({ type: 'RollingRecreate' });
    expect((run(minimal()) as { spec: Record<string, unknown> }).spec.updateStrategy).toBeUndefined();
  });

  it('is idempotent and never mutates its input', () => {
    const inputs: unknown[] = [
      minimal(),
      { metadata: { name: 'x', namespace: '' }, spec: { template: { cliques: [{ name: 'a', spec: { replicas: 0 } }] } } },
      { spec: { template: { headlessServiceConfig: {}, cliques: [] } } },
      { spec: null },
      { spec: { replicas: '3', template: { cliques: 'x', podCliqueScalingGroups: [null, 7, { replicas: 'two', scaleConfig: {} }] } } },
      { spec: { template: { cliques: [null, { spec: { replicas: '3', podSpec: 5, autoScalingConfig: {} } }] } } },
      null,
      'not an object',
    ];
    for (const input of inputs) {
      const snapshot = JSON.stringify(input);
      const frozen = deepFreeze(structuredClone(input));
      const once = run(frozen);
      expect(JSON.stringify(frozen)).toBe(snapshot);
      expect(run(once)).toEqual(once);
    }
  });

  it('leaves what it does not understand alone', () => {
    expect(run({ metadata: { name: 'x' }, spec: null })).toEqual({ metadata: { name: 'x', namespace: 'default' }, spec: null });
    expect(run({ metadata: 'x', spec: { template: { cliques: 'x' } } })).toEqual({
      metadata: 'x',
      spec: {
        replicas: 0,
        template: {
          cliques: 'x',
          cliqueStartupType: 'CliqueStartupTypeAnyOrder',
          terminationDelay: '4h0m0s',
          headlessServiceConfig: { publishNotReadyAddresses: true },
        },
      },
    });
    // A wrongly typed replicas is kept, and nothing is derived from it.
    const out = run({ spec: { template: { cliques: [{ spec: { replicas: '3', autoScalingConfig: {} } }] } } }) as {
      spec: { template: { cliques: { spec: unknown }[] } };
    };
    expect(out.spec.template.cliques[0]?.spec).toEqual({ replicas: '3', autoScalingConfig: {} });
    expect(run(null)).toBeNull();
  });
});
