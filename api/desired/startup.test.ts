import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { CliqueStartupType, PodCliqueSet } from '../generated/types.js';
import { initContainer, initContainerArgs, resolveStartsAfter, withStartupWait } from './startup.js';

// a → (group g: b, c) → d, with explicit edges mirroring the list order.
function shaped(type: CliqueStartupType): PodCliqueSet {
  return pcsOf('p', {
    cliqueStartupType: type,
    cliques: [
      clique('a', 2),
      clique('b', 1, { startsAfter: ['a'] }),
      clique('c', 3, { startsAfter: ['b'], minAvailable: 2 }),
      clique('d', 1, { startsAfter: ['c', 'a'] }),
    ],
    podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['b', 'c'], replicas: 3, minAvailable: 2 }],
  });
}

describe('resolveStartsAfter (grove-compat §4.7)', () => {
  it('AnyOrder: no parents, template startsAfter ignored', () => {
    const pcs = shaped('CliqueStartupTypeAnyOrder');
    for (const c of ['a', 'd']) expect(resolveStartsAfter(pcs, 0, c)).toEqual([]);
    expect(resolveStartsAfter(pcs, 0, 'c', 0)).toEqual([]);
  });

  it.each<[string, string, number | undefined, string[]]>([
    ['first clique', 'a', undefined, []],
    ['group member after a standalone clique', 'b', 0, ['p-1-a']],
    ['group member after a member of its own group (base replica: all base replicas)', 'c', 1, ['p-1-g-0-b', 'p-1-g-1-b']],
    ['standalone after a group member: every base replica', 'd', undefined, ['p-1-g-0-c', 'p-1-g-1-c']],
    ['scaled replica, previous clique outside the group: none', 'b', 2, []],
    ['scaled replica, previous clique in the group: same replica', 'c', 2, ['p-1-g-2-b']],
  ])('InOrder: %s', (_what, c, j, want) => {
    expect(resolveStartsAfter(shaped('CliqueStartupTypeInOrder'), 1, c, j)).toEqual(want);
  });

  it.each<[string, string, number | undefined, string[]]>([
    ['no startsAfter', 'a', undefined, []],
    ['member after standalone', 'b', 1, ['p-0-a']],
    ['member after member (base)', 'c', 0, ['p-0-g-0-b', 'p-0-g-1-b']],
    ['standalone after member and standalone, in startsAfter order', 'd', undefined, ['p-0-g-0-c', 'p-0-g-1-c', 'p-0-a']],
    ['scaled replica keeps only in-group parents', 'c', 2, ['p-0-g-2-b']],
    ['scaled replica with only outside parents', 'b', 2, []],
  ])('Explicit: %s', (_what, c, j, want) => {
    expect(resolveStartsAfter(shaped('CliqueStartupTypeExplicit'), 0, c, j)).toEqual(want);
  });

  it('an unknown clique is an error', () => {
    expect(() => resolveStartsAfter(shaped('CliqueStartupTypeExplicit'), 0, 'zz')).toThrow('clique "zz" is not defined');
  });
});

describe('init container (grove-compat §4.5 item 8)', () => {
  const config = { image: 'copse:1', command: ['copse', 'initc'] };

  it('one --podcliques=<parent>:<parent minAvailable> per parent', () => {
    const pcs = shaped('CliqueStartupTypeExplicit');
    expect(initContainerArgs(pcs, ['p-0-g-0-c', 'p-0-a'])).toEqual(['--podcliques=p-0-g-0-c:2', '--podcliques=p-0-a:2']);
  });

  it('finds parents by exact name: worker is not pworker (§10.9)', () => {
    const pcs = pcsOf('x', {
      cliqueStartupType: 'CliqueStartupTypeExplicit',
      cliques: [clique('worker', 1), clique('pworker', 4), clique('r', 1, { startsAfter: ['pworker', 'worker'] })],
    });
    expect(initContainerArgs(pcs, resolveStartsAfter(pcs, 0, 'r'))).toEqual(['--podcliques=x-0-pworker:4', '--podcliques=x-0-worker:1']);
  });

  it('an unknown parent is an error naming the entry', () => {
    expect(() => initContainerArgs(shaped('CliqueStartupTypeExplicit'), ['p-0-a', 'p-0-zz'])).toThrow(
      'spec.startsAfter[1]: "p-0-zz" is not a PodClique of PodCliqueSet "p"',
    );
  });

  it('mounts pod info and the token read-only; no env', () => {
    expect(initContainer(shaped('CliqueStartupTypeExplicit'), ['p-0-a'], config)).toEqual({
      name: 'grove-initc',
      image: 'copse:1',
      command: ['copse', 'initc'],
      args: ['--podcliques=p-0-a:2'],
      volumeMounts: [
        { name: 'pod-info-vol', mountPath: '/var/grove/pod-info', readOnly: true },
        { name: 'sa-token-secret-vol', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ],
    });
  });

  it('withStartupWait appends volumes and the init container after the user ones', () => {
    const pcs = shaped('CliqueStartupTypeExplicit');
    const spec = {
      containers: [{ name: 'main' }],
      initContainers: [{ name: 'setup' }],
      volumes: [{ name: 'data', emptyDir: {} }],
    };
    const out = withStartupWait(spec, pcs, ['p-0-a'], config);
    expect(out.initContainers?.map((c) => c.name)).toEqual(['setup', 'grove-initc']);
    expect(out.volumes).toEqual([
      { name: 'data', emptyDir: {} },
      { name: 'sa-token-secret-vol', secret: { secretName: 'p-ic-sat', defaultMode: 420 } },
      {
        name: 'pod-info-vol',
        downwardAPI: {
          items: [
            { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
            { path: 'podgangname', fieldRef: { fieldPath: "metadata.labels['grove.io/podgang']" } },
          ],
        },
      },
    ]);
    expect(withStartupWait(spec, pcs, [], config)).toBe(spec);
  });
});
