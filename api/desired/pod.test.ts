import { describe, expect, it } from 'vitest';

import { INIT_CONTAINER, POD_CONFIG, admitted, clique, created, pcsOf } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import type { PodClique, PodCliqueSet } from '../generated/types.js';
import { type SchedulerBackend, appendSchedulingGate, defaultSchedulerBackend } from './backend.js';
import { desiredPod, desiredPodsToCreate } from './pod.js';
import { desiredStandalonePodClique } from './podclique.js';

function setup(): { pcs: PodCliqueSet; first: PodClique; second: PodClique } {
  const a = clique('a', 2);
  a.annotations = { note: 'kept' };
  const b = clique('b', 3);
  b.spec.startsAfter = ['a'];
  b.spec.podSpec.schedulingGates = [{ name: 'template.example/gate' }];
  b.spec.podSpec.initContainers = [{ name: 'setup', image: 'busybox', env: [{ name: 'GROVE_PCS_NAME', value: 'mine' }] }];
  b.spec.podSpec.containers[0]!.env = [
    { name: 'GROVE_PCLQ_NAME', value: 'mine' },
    { name: 'PEER', value: '$(GROVE_PCLQ_NAME)-0.$(GROVE_HEADLESS_SERVICE)' },
  ];
  const pcs = pcsOf('llm', { cliqueStartupType: 'CliqueStartupTypeExplicit', cliques: [a, b] }, 2);
  return {
    pcs,
    first: created(desiredStandalonePodClique(pcs, 1, pcs.spec.template.cliques[0]!)),
    second: created(desiredStandalonePodClique(pcs, 1, pcs.spec.template.cliques[1]!)),
  };
}

const GROVE_ENV = (pclq: string) => [
  { name: 'GROVE_PCS_NAME', value: 'llm' },
  { name: 'GROVE_PCS_INDEX', value: '1' },
  { name: 'GROVE_PCLQ_NAME', value: pclq },
  { name: 'GROVE_HEADLESS_SERVICE', value: 'llm-1.ns.svc.cluster.local' },
  { name: 'GROVE_PCLQ_POD_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['grove.io/podclique-pod-index']" } } },
];

describe('desiredPod (grove-compat §4.5)', () => {
  const { pcs, first, second } = setup();

  it('metadata: generateName, PodClique labels plus pod labels, PodClique annotations, PodClique controller', () => {
    const pod = desiredPod(first, pcs, 1, POD_CONFIG);
    expect(pod.metadata).toEqual({
      generateName: 'llm-1-a-',
      namespace: 'ns',
      labels: {
        ...first.metadata.labels,
        'grove.io/podclique': 'llm-1-a',
        'grove.io/podclique-pod-index': '1',
      },
      // copse.io/template-replicas is the PodClique's bookkeeping, not the pod's.
      annotations: { note: 'kept' },
      ownerReferences: [
        { apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', name: 'llm-1-a', uid: 'uid-llm-1-a', controller: true, blockOwnerDeletion: true },
      ],
    });
  });

  it('spec: born gated, stable hostname under the replica Service, default scheduler, GROVE_* first', () => {
    const pod = desiredPod(first, pcs, 1, POD_CONFIG);
    expect(pod.spec).toEqual({
      containers: [{ name: 'a', image: 'busybox', env: GROVE_ENV('llm-1-a') }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      schedulingGates: [{ name: 'grove.io/podgang-pending-creation' }],
      hostname: 'llm-1-a-1',
      subdomain: 'llm-1',
      schedulerName: 'default-scheduler',
    });
  });

  it('template gates are replaced; same-named template variables dropped in containers and user init containers', () => {
    const pod = desiredPod(second, pcs, 0, POD_CONFIG);
    expect(pod.spec?.schedulingGates).toEqual([{ name: 'grove.io/podgang-pending-creation' }]);
    expect(pod.spec?.containers[0]?.env).toEqual([
      ...GROVE_ENV('llm-1-b'),
      { name: 'PEER', value: '$(GROVE_PCLQ_NAME)-0.$(GROVE_HEADLESS_SERVICE)' },
    ]);
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['setup']);
    expect(pod.spec?.initContainers?.[0]?.env).toEqual(GROVE_ENV('llm-1-b'));
  });

  it('a pod with parents is marked for the startup webhook; admission adds the init container without GROVE_* env', () => {
    const pod = desiredPod(second, pcs, 0, POD_CONFIG);
    expect(pod.metadata?.labels?.['copse.io/startup-wait']).toBe('true');
    expect(pod.metadata?.annotations?.['copse.io/starts-after']).toBe('llm-1-a:2');
    expect(pod.spec?.volumes).toBeUndefined();
    const stored = admitted(pod);
    expect(stored.spec?.initContainers?.map((c) => c.name)).toEqual(['setup', 'grove-initc']);
    const initc = stored.spec?.initContainers?.[1];
    expect(initc?.env).toBeUndefined();
    expect(initc).toMatchObject({ image: INIT_CONTAINER.image, command: INIT_CONTAINER.command, args: ['--podcliques=llm-1-a:2'] });
    expect(stored.spec?.volumes?.map((v) => v.name)).toEqual(['sa-token-secret-vol', 'pod-info-vol']);
  });

  it('a pod without parents carries no startup marks, even when its template sets the keys', () => {
    const a = clique('a', 1);
    a.labels = { 'copse.io/startup-wait': 'true' };
    a.annotations = { 'copse.io/starts-after': 'x:1', keep: 'me' };
    const p = pcsOf('solo', { cliques: [a] });
    const pod = desiredPod(created(desiredStandalonePodClique(p, 0, p.spec.template.cliques[0]!)), p, 0, POD_CONFIG);
    expect(pod.metadata?.labels?.['copse.io/startup-wait']).toBeUndefined();
    expect(pod.metadata?.annotations).toEqual({ keep: 'me' });
  });

  it('a backend may append its own gate and set fields; the builder keeps them', () => {
    const native: SchedulerBackend = {
      ...defaultSchedulerBackend,
      name: 'native',
      preparePod: (p, ctx) => {
        const gated = appendSchedulingGate(p, 'scheduling.copse.io/gang');
        return { ...gated, spec: { ...gated.spec!, schedulerName: 'native', priority: ctx.podIndex } };
      },
    };
    const pod = desiredPod(first, pcs, 1, { ...POD_CONFIG, backend: native });
    expect(pod.spec?.schedulingGates).toEqual([{ name: 'grove.io/podgang-pending-creation' }, { name: 'scheduling.copse.io/gang' }]);
    expect(pod.spec).toMatchObject({ schedulerName: 'native', priority: 1 });
  });

  it('a backend that drops the gang gate is refused', () => {
    const rogue: SchedulerBackend = {
      ...defaultSchedulerBackend,
      name: 'rogue',
      preparePod: (p) => ({ ...p, spec: { ...p.spec!, schedulingGates: [] } }),
    };
    expect(() => desiredPod(first, pcs, 0, { ...POD_CONFIG, backend: rogue })).toThrow('scheduler backend "rogue" removed');
  });

  it('a PodClique without the gang label is an error naming it', () => {
    const bare: PodClique = { ...first, metadata: { ...first.metadata, labels: { 'grove.io/podcliqueset-replica-index': '1' } } };
    expect(() => desiredPod(bare, pcs, 0, POD_CONFIG)).toThrow('PodClique llm-1-a: metadata.labels["grove.io/podgang"] is required');
  });

  it('does not modify the PodClique', () => {
    const before = structuredClone(second);
    desiredPod(second, pcs, 0, POD_CONFIG);
    expect(second).toEqual(before);
  });
});

describe('desiredPodsToCreate', () => {
  const { pcs, second } = setup();
  const live = (index: number, extra: Partial<NonNullable<Pod['metadata']>> = {}, phase = 'Running'): Pod => ({
    metadata: { name: `llm-1-b-${index}x`, labels: { 'grove.io/podclique-pod-index': String(index) }, ...extra },
    spec: { containers: [] },
    status: { phase },
  });

  it('takes the lowest indices no active pod holds', () => {
    const existing = [live(0), live(2), live(1, { deletionTimestamp: 'now' }), live(3, {}, 'Failed')];
    const pods = desiredPodsToCreate(second, pcs, existing, 3, POD_CONFIG);
    expect(pods.map((p) => p.spec?.hostname)).toEqual(['llm-1-b-1', 'llm-1-b-3', 'llm-1-b-4']);
    expect(pods.map((p) => p.metadata?.labels?.['grove.io/podclique-pod-index'])).toEqual(['1', '3', '4']);
  });

  it('creates nothing for count 0', () => {
    expect(desiredPodsToCreate(second, pcs, [], 0, POD_CONFIG)).toEqual([]);
  });
});
