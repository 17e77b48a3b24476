import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { CliqueStartupType, PodCliqueSet } from '../generated/types.js';
import type { Pod } from '../core/wire.js';
import {
  initContainer,
  initContainerArgs,
  injectStartupWait,
  markedParents,
  parseParent,
  parseParents,
  resolveStartsAfter,
  startupParents,
  startupWaitMarks,
} from './startup.js';

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

describe('parents and their marks', () => {
  it('startupParents: each parent with its template minAvailable, in startsAfter order', () => {
    const pcs = shaped('CliqueStartupTypeExplicit');
    expect(startupParents(pcs, ['p-0-g-0-c', 'p-0-a'])).toEqual([
      { podClique: 'p-0-g-0-c', minAvailable: 2 },
      { podClique: 'p-0-a', minAvailable: 2 },
    ]);
  });

  it('finds parents by exact name: worker is not pworker (§10.9)', () => {
    const pcs = pcsOf('x', {
      cliqueStartupType: 'CliqueStartupTypeExplicit',
      cliques: [clique('worker', 1), clique('pworker', 4), clique('r', 1, { startsAfter: ['pworker', 'worker'] })],
    });
    expect(initContainerArgs(startupParents(pcs, resolveStartsAfter(pcs, 0, 'r')))).toEqual(['--podcliques=x-0-pworker:4', '--podcliques=x-0-worker:1']);
  });

  it('an unknown parent is an error naming the entry', () => {
    expect(() => startupParents(shaped('CliqueStartupTypeExplicit'), ['p-0-a', 'p-0-zz'])).toThrow('spec.startsAfter[1]: "p-0-zz" is not a PodClique of PodCliqueSet "p"');
  });

  it('marks a pod with parents by label and annotation, and a pod without none', () => {
    expect(startupWaitMarks([])).toBeUndefined();
    expect(startupWaitMarks([{ podClique: 'p-0-a', minAvailable: 2 }, { podClique: 'p-0-b', minAvailable: 1 }])).toEqual({
      labels: { 'copse.io/startup-wait': 'true' },
      annotations: { 'copse.io/starts-after': 'p-0-a:2,p-0-b:1' },
    });
  });

  it.each<[string, string]>([
    ['p-0-a', '"p-0-a" must be <podclique>:<minAvailable>'],
    [':2', '":2": the PodClique name is empty'],
    ['p-0-a:0', '"p-0-a:0": minAvailable must be a positive integer, got "0"'],
    ['p-0-a:x', '"p-0-a:x": minAvailable must be a positive integer, got "x"'],
    ['p-0-a:', '"p-0-a:": minAvailable must be a positive integer, got ""'],
    ['p 0:1', '"p 0:1": PodClique name a valid label must be an empty string or consist of alphanumeric characters'],
  ])('parseParent(%j) says what is wrong', (text, message) => {
    const got = parseParent(text);
    expect(typeof got).toBe('string');
    expect(got as string).toContain(message);
  });

  it('parseParents: parents in order; a parent named twice is a problem', () => {
    expect(parseParents(['a:1', 'b:3'])).toEqual({ parents: [{ podClique: 'a', minAvailable: 1 }, { podClique: 'b', minAvailable: 3 }], problems: [] });
    expect(parseParents(['a:1', 'a:2']).problems).toEqual(['"a" is listed twice']);
  });
});

describe('injectStartupWait (the startup webhook, grove-compat §4.5 item 8)', () => {
  const config = { image: 'copse:1', command: ['/nodejs/bin/node', '/app/bin/copse.js', 'initc'] };
  const marked = (annotations: Record<string, string> = { 'copse.io/starts-after': 'p-0-a:2,p-0-g-0-b:1' }): Pod => ({
    metadata: { generateName: 'p-0-c-', labels: { 'app.kubernetes.io/part-of': 'p', 'copse.io/startup-wait': 'true' }, annotations },
    spec: { containers: [{ name: 'main' }], initContainers: [{ name: 'setup' }], volumes: [{ name: 'data', emptyDir: {} }] },
  });

  it('appends the volumes and the init container after the user ones', () => {
    const r = injectStartupWait(marked(), config);
    if (!('pod' in r)) throw new Error(JSON.stringify(r.errors));
    expect(r.injected).toBe(true);
    expect(r.pod.spec?.initContainers?.map((c) => c.name)).toEqual(['setup', 'grove-initc']);
    expect(r.pod.spec?.volumes).toEqual([
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
    expect(r.pod.spec?.initContainers?.[1]).toEqual(initContainer(markedParents(marked()).parents, config));
  });

  it("Grove's init container: name, args, read-only mounts, no env; restricted and with its message on failure", () => {
    expect(initContainer([{ podClique: 'p-0-a', minAvailable: 2 }], config)).toEqual({
      name: 'grove-initc',
      image: 'copse:1',
      command: ['/nodejs/bin/node', '/app/bin/copse.js', 'initc'],
      args: ['--podcliques=p-0-a:2'],
      volumeMounts: [
        { name: 'pod-info-vol', mountPath: '/var/grove/pod-info', readOnly: true },
        { name: 'sa-token-secret-vol', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ],
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  });

  it("passes the pod's copse.io/startup-timeout as --timeout after Grove's arguments", () => {
    const r = injectStartupWait(marked({ 'copse.io/starts-after': 'p-0-a:2', 'copse.io/startup-timeout': '90s' }), config);
    if (!('pod' in r)) throw new Error(JSON.stringify(r.errors));
    expect(r.pod.spec?.initContainers?.[1]?.args).toEqual(['--podcliques=p-0-a:2', '--timeout=90s']);
  });

  it('refuses a startup timeout that copse initc would not take, naming the annotation', () => {
    expect(injectStartupWait(marked({ 'copse.io/starts-after': 'p-0-a:2', 'copse.io/startup-timeout': 'soon' }), config)).toEqual({
      errors: [{ type: 'Invalid', field: 'metadata.annotations[copse.io/startup-timeout]', value: 'soon', detail: 'must be a duration such as 90s, 10m or 1h30m, got "soon"' }],
    });
  });

  it('leaves a pod that already has exactly this init container alone', () => {
    const once = injectStartupWait(marked(), config);
    if (!('pod' in once)) throw new Error('refused');
    const twice = injectStartupWait(once.pod, config);
    expect(twice).toEqual({ pod: once.pod, injected: false });
  });

  it('refuses reserved names used otherwise', () => {
    const own = marked();
    own.spec!.initContainers = [{ name: 'grove-initc', image: 'mine' }];
    expect(injectStartupWait(own, config)).toEqual({
      errors: [{ type: 'Invalid', field: 'spec.initContainers[0].name', value: 'grove-initc', detail: "the name is reserved for copse's startup-ordering init container" }],
    });
    const vol = marked();
    vol.spec!.volumes = [{ name: 'x', emptyDir: {} }, { name: 'pod-info-vol', emptyDir: {} }];
    expect(injectStartupWait(vol, config)).toEqual({
      errors: [{ type: 'Invalid', field: 'spec.volumes[1].name', value: 'pod-info-vol', detail: "the name is reserved for the volumes of copse's startup-ordering init container" }],
    });
  });

  it('refuses a mark without parents, with malformed parents, or without its PodCliqueSet', () => {
    expect(injectStartupWait(marked({}), config)).toEqual({
      errors: [
        {
          type: 'Required',
          field: 'metadata.annotations[copse.io/starts-after]',
          detail: 'a pod labelled copse.io/startup-wait=true must name its parents as <podclique>:<minAvailable>[,...]',
        },
      ],
    });
    expect(injectStartupWait(marked({ 'copse.io/starts-after': 'p-0-a:2,p-0-b' }), config)).toEqual({
      errors: [{ type: 'Invalid', field: 'metadata.annotations[copse.io/starts-after]', value: 'p-0-a:2,p-0-b', detail: '"p-0-b" must be <podclique>:<minAvailable>' }],
    });
    const orphan = marked();
    delete orphan.metadata!.labels!['app.kubernetes.io/part-of'];
    expect(injectStartupWait(orphan, config)).toEqual({
      errors: [{ type: 'Required', field: 'metadata.labels[app.kubernetes.io/part-of]', detail: 'the PodCliqueSet whose token Secret the init container mounts' }],
    });
  });
});
