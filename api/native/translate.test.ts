import { describe, expect, it } from 'vitest';

import { GROVE_TOPOLOGY, clique, pcsOf, simulate } from '../../test/support/desired.js';
import type { PodGang, PodGroup } from '../generated/types.js';
import { childGroupName, gangTree, leafPodGroupName, nativeObjects } from './translate.js';

const rack = { packConstraint: { required: 'topology.copse.io/rack' } };
const host = { packConstraint: { required: 'kubernetes.io/hostname' } };

function pg(name: string, minReplicas = 1, tc?: PodGroup['topologyConstraint']): PodGroup {
  return { name, podReferences: [], minReplicas, ...(tc ? { topologyConstraint: tc } : {}) };
}

function gang(spec: Partial<PodGang['spec']> & { podgroups: PodGroup[] }, name = 'pcs-0'): PodGang {
  return {
    apiVersion: 'scheduler.grove.io/v1alpha1',
    kind: 'PodGang',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { 'app.kubernetes.io/part-of': 'pcs', 'app.kubernetes.io/managed-by': 'grove-operator', 'grove.io/scheduler-name': 'default-scheduler' } },
    spec,
  };
}

/** The Grove shape of the issue: a PCS-level rack, a standalone frontend, one scaling-group replica with its own constraint. */
const GANG = gang({
  podgroups: [pg('pcs-0-frontend', 1, host), pg('pcs-0-sga-0-prefill', 4), pg('pcs-0-sga-0-decode', 2)],
  topologyConstraint: rack,
  topologyConstraintGroupConfigs: [{ name: 'pcs-0-sga-0', podGroupNames: ['pcs-0-sga-0-prefill', 'pcs-0-sga-0-decode'], topologyConstraint: { packConstraint: { required: 'topology.copse.io/block' } } }],
  priorityClassName: 'high',
});

const OWNER = [{ apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', name: 'pcs-0', uid: 'uid-pcs-0', controller: true }];
const LABELS = { 'app.kubernetes.io/part-of': 'pcs', 'app.kubernetes.io/managed-by': 'grove-operator', 'scheduling.copse.io/podgang': 'pcs-0' };

describe('nativeObjects (reference §3 mapping)', () => {
  const out = nativeObjects(GANG);

  it('makes one Workload named after the gang, with one template per role and per scaling group', () => {
    expect(out.workload).toEqual({
      apiVersion: 'scheduling.k8s.io/v1beta1',
      kind: 'Workload',
      metadata: { name: 'pcs-0', namespace: 'ns', labels: LABELS, ownerReferences: OWNER },
      spec: {
        controllerRef: { apiGroup: 'scheduler.grove.io', kind: 'PodGang', name: 'pcs-0' },
        compositePodGroupTemplates: [
          {
            name: 'gang',
            schedulingPolicy: { gang: { minGroupCount: 2 } },
            schedulingConstraints: { topology: [{ key: 'topology.copse.io/rack' }] },
            disruptionMode: { all: {} },
            priorityClassName: 'high',
            compositePodGroupTemplates: [
              {
                name: 'group-0',
                schedulingPolicy: { gang: { minGroupCount: 2 } },
                schedulingConstraints: { topology: [{ key: 'topology.copse.io/block' }] },
                disruptionMode: { all: {} },
                priorityClassName: 'high',
                podGroupTemplates: [
                  { name: 'group-0-0', schedulingPolicy: { gang: { minCount: 4 } }, disruptionMode: { all: {} }, priorityClassName: 'high' },
                  { name: 'group-0-1', schedulingPolicy: { gang: { minCount: 2 } }, disruptionMode: { all: {} }, priorityClassName: 'high' },
                ],
              },
            ],
            podGroupTemplates: [
              { name: 'podgroup-0', schedulingPolicy: { gang: { minCount: 1 } }, schedulingConstraints: { topology: [{ key: 'kubernetes.io/hostname' }] }, disruptionMode: { all: {} }, priorityClassName: 'high' },
            ],
          },
        ],
      },
    });
  });

  it('makes a root CompositePodGroup (gang of all children, the gang key) and a child per scaling-group replica', () => {
    expect(out.composites).toEqual([
      {
        apiVersion: 'scheduling.k8s.io/v1alpha3',
        kind: 'CompositePodGroup',
        metadata: { name: 'pcs-0', namespace: 'ns', labels: LABELS, ownerReferences: OWNER },
        spec: {
          workloadRef: { workloadName: 'pcs-0', templateName: 'gang' },
          schedulingPolicy: { gang: { minGroupCount: 2 } },
          schedulingConstraints: { topology: [{ key: 'topology.copse.io/rack' }] },
          disruptionMode: { all: {} },
          priorityClassName: 'high',
        },
      },
      {
        apiVersion: 'scheduling.k8s.io/v1alpha3',
        kind: 'CompositePodGroup',
        metadata: { name: 'pcs-0-sga-0-group', namespace: 'ns', labels: LABELS, ownerReferences: OWNER },
        spec: {
          workloadRef: { workloadName: 'pcs-0', templateName: 'group-0' },
          parentCompositePodGroupName: 'pcs-0',
          schedulingPolicy: { gang: { minGroupCount: 2 } },
          schedulingConstraints: { topology: [{ key: 'topology.copse.io/block' }] },
          disruptionMode: { all: {} },
          priorityClassName: 'high',
        },
      },
    ]);
  });

  it('makes a leaf PodGroup per pod group: minCount = minReplicas, its own key, under its child or the root', () => {
    expect(out.podGroups.map((g) => [g.metadata.name, g.spec.parentCompositePodGroupName, g.spec.workloadRef?.templateName, g.spec.schedulingPolicy.gang.minCount, g.spec.schedulingConstraints?.topology[0]?.key])).toEqual([
      ['pcs-0-frontend', 'pcs-0', 'podgroup-0', 1, 'kubernetes.io/hostname'],
      ['pcs-0-sga-0-prefill', 'pcs-0-sga-0-group', 'group-0-0', 4, undefined],
      ['pcs-0-sga-0-decode', 'pcs-0-sga-0-group', 'group-0-1', 2, undefined],
    ]);
    expect(out.podGroups[0]).toMatchObject({ apiVersion: 'scheduling.k8s.io/v1beta1', kind: 'PodGroup', metadata: { namespace: 'ns', ownerReferences: OWNER }, spec: { disruptionMode: { all: {} }, priorityClassName: 'high' } });
  });

  it('is deterministic', () => {
    expect(nativeObjects(structuredClone(GANG))).toEqual(out);
  });

  it('leaves out priority and constraints the gang does not have', () => {
    const plain = nativeObjects(gang({ podgroups: [pg('pcs-0-a', 2)] }));
    expect(plain.composites).toHaveLength(1);
    expect(plain.composites[0]?.spec).toEqual({ workloadRef: { workloadName: 'pcs-0', templateName: 'gang' }, schedulingPolicy: { gang: { minGroupCount: 1 } }, disruptionMode: { all: {} } });
    expect(plain.podGroups[0]?.spec).toEqual({
      parentCompositePodGroupName: 'pcs-0',
      workloadRef: { workloadName: 'pcs-0', templateName: 'podgroup-0' },
      schedulingPolicy: { gang: { minCount: 2 } },
      disruptionMode: { all: {} },
    });
  });

  it('shares one template among the replicas of one scaling group', () => {
    const g = gang({
      podgroups: [pg('pcs-0-sga-0-a'), pg('pcs-0-sga-1-a'), pg('pcs-0-sgb-0-b')],
      topologyConstraintGroupConfigs: [
        { name: 'pcs-0-sga-0', podGroupNames: ['pcs-0-sga-0-a'], topologyConstraint: rack },
        { name: 'pcs-0-sga-1', podGroupNames: ['pcs-0-sga-1-a'], topologyConstraint: rack },
        { name: 'pcs-0-sgb-0', podGroupNames: ['pcs-0-sgb-0-b'], topologyConstraint: rack },
      ],
    });
    const o = nativeObjects(g);
    expect(o.composites.map((c) => [c.metadata.name, c.spec.workloadRef.templateName])).toEqual([
      ['pcs-0', 'gang'],
      ['pcs-0-sga-0-group', 'group-0'],
      ['pcs-0-sga-1-group', 'group-0'],
      ['pcs-0-sgb-0-group', 'group-1'],
    ]);
    expect(o.workload.spec.compositePodGroupTemplates[0]?.compositePodGroupTemplates?.map((t) => t.name)).toEqual(['group-0', 'group-1']);
    expect(o.composites[0]?.spec.schedulingPolicy.gang.minGroupCount).toBe(3);
  });

  it('never names a child group like a gang: a scaled gang pcs-0-sga-0 and the base gang child of replica 0', () => {
    expect(childGroupName('pcs-0-sga-0')).toBe('pcs-0-sga-0-group');
    expect(leafPodGroupName('pcs-0-sga-0-a')).toBe('pcs-0-sga-0-a');
  });

  it('refuses a gang whose constraint groups name unknown pod groups, naming them', () => {
    const g = gang({ podgroups: [pg('a')], topologyConstraintGroupConfigs: [{ name: 'x-0', podGroupNames: ['a', 'b'] }] });
    expect(gangTree(g).problems).toEqual(['topology constraint group x-0 names pod group b, which the gang does not have']);
    expect(() => nativeObjects(g)).toThrow('PodGang ns/pcs-0: topology constraint group x-0 names pod group b, which the gang does not have');
  });

  it('needs the gang uid for owner references', () => {
    const g = gang({ podgroups: [pg('a')] });
    delete g.metadata.uid;
    expect(() => nativeObjects(g)).toThrow('PodGang ns/pcs-0: metadata.uid is required to own its native objects');
  });
});

describe('nativeObjects on the builder\'s own gangs', () => {
  const pcs = pcsOf('pcs', {
    topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } },
    cliques: [clique('frontend', 1), clique('prefill', 2, { minAvailable: 2 }), clique('decode', 3, { minAvailable: 1 })],
    podCliqueScalingGroups: [{ name: 'sga', cliqueNames: ['prefill', 'decode'], replicas: 2, minAvailable: 1, topologyConstraint: { pack: { required: 'block' } } }],
  });
  const { tree } = simulate(pcs, { topology: { enabled: true, binding: GROVE_TOPOLOGY } });
  const [base, scaled] = tree.podGangs.map((g) => ({ ...g, metadata: { ...g.metadata, uid: `uid-${g.metadata.name ?? ''}` } }));

  it('base gang: rack on the root, the replica-0 child with block, three leaves', () => {
    const o = nativeObjects(base as PodGang);
    expect(o.composites.map((c) => [c.metadata.name, c.spec.parentCompositePodGroupName, c.spec.schedulingPolicy.gang.minGroupCount, c.spec.schedulingConstraints?.topology[0]?.key])).toEqual([
      ['pcs-0', undefined, 2, 'topology.copse.io/rack'],
      ['pcs-0-sga-0-group', 'pcs-0', 2, 'topology.copse.io/block'],
    ]);
    expect(o.podGroups.map((g) => [g.metadata.name, g.spec.parentCompositePodGroupName, g.spec.schedulingPolicy.gang.minCount])).toEqual([
      ['pcs-0-frontend', 'pcs-0', 1],
      ['pcs-0-sga-0-prefill', 'pcs-0-sga-0-group', 2],
      ['pcs-0-sga-0-decode', 'pcs-0-sga-0-group', 1],
    ]);
  });

  it('scaled gang: its own root, the group constraint on it (Grove fallback), leaves directly under it', () => {
    const o = nativeObjects(scaled as PodGang);
    expect(o.composites.map((c) => [c.metadata.name, c.spec.schedulingConstraints?.topology[0]?.key])).toEqual([['pcs-0-sga-0', 'topology.copse.io/block']]);
    expect(o.podGroups.map((g) => [g.metadata.name, g.spec.parentCompositePodGroupName])).toEqual([
      ['pcs-0-sga-1-prefill', 'pcs-0-sga-0'],
      ['pcs-0-sga-1-decode', 'pcs-0-sga-0'],
    ]);
  });
});
