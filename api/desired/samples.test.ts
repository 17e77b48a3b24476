// Golden object graphs: every Grove sample (and the e2e workloads the gang tests use), defaulted as the
// webhook does, yields the object graph of grove-compat §8.1/§8.2/§9.1 when the controllers run to a
// fixpoint (test/support/desired.ts plays them and the apiserver).

import { describe, expect, it } from 'vitest';

import { GROVE_TOPOLOGY, type Graph, INIT_CONTAINER, names, persisted, simulate } from '../../test/support/desired.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../../test/support/grove-samples.js';
import type { Pod } from '../core/wire.js';
import type { PodCliqueSet, PodGang } from '../generated/types.js';

const present = groveSamplesPresent({ suite: 'desired-state golden graphs', suites: 3 });

function load(sub: string): Map<string, PodCliqueSet> {
  if (!present) return new Map();
  return new Map(
    podCliqueSetDocs(sub).map(({ doc }) => {
      const pcs = persisted(doc as unknown as PodCliqueSet);
      return [pcs.metadata.name ?? '', pcs];
    }),
  );
}

const samples = load('samples');
const workloads = load('e2e-workloads');

function sample(name: string, from = samples): PodCliqueSet {
  const pcs = from.get(name);
  if (!pcs) throw new Error(`sample ${name} not found`);
  return pcs;
}

/** The graph as names and numbers: what §8 lists. */
function shape(g: Graph) {
  return {
    podCliques: g.podCliques.map((p) => `${p.metadata.name}:${p.spec.replicas}`),
    scalingGroups: g.scalingGroups.map((p) => `${p.metadata.name}:${p.spec.replicas}/${p.spec.minAvailable}`),
    podGangs: Object.fromEntries(
      g.tree.podGangs.map((pg) => [pg.metadata.name, pg.spec.podgroups.map((x) => `${x.name}:${x.minReplicas}`)]),
    ),
    hpas: g.tree.hpas.map(
      (h) => `${h.metadata?.name}->${h.spec?.scaleTargetRef.kind}/${h.spec?.scaleTargetRef.name} ${h.spec?.minReplicas}..${h.spec?.maxReplicas}`,
    ),
    services: names(g.tree.services),
    pods: g.pods.length,
  };
}

function hostnames(g: Graph): string[] {
  return g.pods.map((p) => p.spec?.hostname ?? '').sort();
}

function podOf(g: Graph, pclq: string, index = 0): Pod {
  const pod = g.pods.find((p) => p.metadata?.labels?.['grove.io/podclique'] === pclq && p.spec?.hostname === `${pclq}-${index}`);
  if (!pod) throw new Error(`no pod ${pclq}-${index}`);
  return pod;
}

function env(pod: Pod): string[] {
  return (pod.spec?.containers[0]?.env ?? []).map((e) => (e.value !== undefined ? `${e.name}=${e.value}` : `${e.name}<-${e.valueFrom?.fieldRef?.fieldPath}`));
}

function initArgs(g: Graph, pclq: string): string[] | undefined {
  return podOf(g, pclq).spec?.initContainers?.find((c) => c.name === 'grove-initc')?.args;
}

describe.skipIf(!present)('golden graphs of Grove samples (grove-compat §8)', () => {
  it('covers every sample', () => {
    expect([...samples.keys()].sort()).toEqual([
      'comp-inf-ppln',
      'env-demo-pcsg',
      'env-demo-standalone',
      'mn-disagg',
      'multinode-aggregated',
      'multinode-disaggregated',
      'simple1',
      'simple2',
      'simple3',
      'single-node-aggregated',
      'single-node-disaggregated',
    ]);
  });

  it('simple1: §8.1', () => {
    const g = simulate(sample('simple1'));
    expect(shape(g)).toEqual({
      podCliques: ['simple1-0-pca:3', 'simple1-0-pcd:2', 'simple1-0-sga-0-pcb:2', 'simple1-0-sga-0-pcc:2'],
      scalingGroups: ['simple1-0-sga:1/1'],
      podGangs: { 'simple1-0': ['simple1-0-pca:3', 'simple1-0-pcd:2', 'simple1-0-sga-0-pcb:2', 'simple1-0-sga-0-pcc:2'] },
      hpas: ['simple1-0-pca->PodClique/simple1-0-pca 3..5', 'simple1-0-sga->PodCliqueScalingGroup/simple1-0-sga 1..6'],
      services: ['simple1-0'],
      pods: 9,
    });
    expect(hostnames(g)).toEqual([
      'simple1-0-pca-0', 'simple1-0-pca-1', 'simple1-0-pca-2',
      'simple1-0-pcd-0', 'simple1-0-pcd-1',
      'simple1-0-sga-0-pcb-0', 'simple1-0-sga-0-pcb-1',
      'simple1-0-sga-0-pcc-0', 'simple1-0-sga-0-pcc-1',
    ]);
    expect(g.pods.every((p) => p.spec?.subdomain === 'simple1-0' && p.spec.initContainers === undefined)).toBe(true);
    expect(env(podOf(g, 'simple1-0-sga-0-pcb', 1))).toEqual([
      'GROVE_PCS_NAME=simple1',
      'GROVE_PCS_INDEX=0',
      'GROVE_PCLQ_NAME=simple1-0-sga-0-pcb',
      'GROVE_HEADLESS_SERVICE=simple1-0.default.svc.cluster.local',
      "GROVE_PCLQ_POD_INDEX<-metadata.labels['grove.io/podclique-pod-index']",
      "GROVE_PCSG_NAME<-metadata.labels['grove.io/podcliquescalinggroup']",
      'GROVE_PCSG_TEMPLATE_NUM_PODS=4',
      "GROVE_PCSG_INDEX<-metadata.labels['grove.io/podcliquescalinggroup-replica-index']",
    ]);
    const pcb = podOf(g, 'simple1-0-sga-0-pcb', 1).metadata?.labels;
    expect(pcb?.['grove.io/podcliquescalinggroup']).toBe('simple1-0-sga');
    expect(pcb?.['grove.io/podcliquescalinggroup-replica-index']).toBe('0');
    expect(pcb?.['grove.io/podclique-pod-index']).toBe('1');
    expect(pcb?.['grove.io/base-podgang']).toBeUndefined();
    // PCS labels reach the gang, not the PodCliques (only clique labels do).
    expect(g.tree.podGangs[0]?.metadata.labels).toMatchObject({ app: 'simple1', 'grove.io/scheduler-name': 'default-scheduler' });
    expect(g.podCliques[0]?.metadata.labels?.app).toBeUndefined();
    expect(g.scalingGroups[0]?.spec.cliqueNames).toEqual(['pcb', 'pcc']);
  });

  it('simple1 with its group scaled to 2: scaled gang simple1-0-sga-0 with base-podgang', () => {
    const g = simulate(sample('simple1'), { scaleGroups: { 'simple1-0-sga': 2 } });
    expect(shape(g).podGangs).toEqual({
      'simple1-0': ['simple1-0-pca:3', 'simple1-0-pcd:2', 'simple1-0-sga-0-pcb:2', 'simple1-0-sga-0-pcc:2'],
      'simple1-0-sga-0': ['simple1-0-sga-1-pcb:2', 'simple1-0-sga-1-pcc:2'],
    });
    const scaled = g.podCliques.find((p) => p.metadata.name === 'simple1-0-sga-1-pcb');
    expect(scaled?.metadata.labels).toMatchObject({ 'grove.io/podgang': 'simple1-0-sga-0', 'grove.io/base-podgang': 'simple1-0' });
    expect(podOf(g, 'simple1-0-sga-1-pcc').metadata?.labels?.['grove.io/base-podgang']).toBe('simple1-0');
  });

  it('simple2: explicit startup order, init container args', () => {
    const g = simulate(sample('simple2'));
    expect(shape(g)).toMatchObject({
      podCliques: ['simple2-0-pca:3', 'simple2-0-pcb:2', 'simple2-0-pcc:2', 'simple2-0-pcd:2'],
      podGangs: { 'simple2-0': ['simple2-0-pca:3', 'simple2-0-pcb:2', 'simple2-0-pcc:2', 'simple2-0-pcd:2'] },
      pods: 9,
    });
    expect(initArgs(g, 'simple2-0-pca')).toBeUndefined();
    expect(initArgs(g, 'simple2-0-pcb')).toEqual(['--podcliques=simple2-0-pca:3']);
    expect(initArgs(g, 'simple2-0-pcc')).toEqual(['--podcliques=simple2-0-pca:3']);
    expect(initArgs(g, 'simple2-0-pcd')).toEqual(['--podcliques=simple2-0-pcb:2', '--podcliques=simple2-0-pcc:2']);
    const pcd = podOf(g, 'simple2-0-pcd');
    expect(pcd.spec?.initContainers?.[0]).toMatchObject({ image: INIT_CONTAINER.image, command: INIT_CONTAINER.command });
    expect(pcd.spec?.volumes?.map((v) => v.name)).toEqual(['sa-token-secret-vol', 'pod-info-vol']);
    expect(pcd.spec?.volumes?.[0]?.secret).toEqual({ secretName: 'simple2-ic-sat', defaultMode: 420 });
  });

  it('simple3: base gang with 2 group replicas, scaled gang, explicit order across the group', () => {
    const g = simulate(sample('simple3'));
    const members = (j: number) => ['pcb', 'pcc', 'pcd'].map((c) => `simple3-0-sga-${j}-${c}:2`);
    expect(shape(g)).toEqual({
      podCliques: ['simple3-0-pca:3', 'simple3-0-pce:2', ...members(0), ...members(1), ...members(2)],
      scalingGroups: ['simple3-0-sga:3/2'],
      podGangs: {
        'simple3-0': ['simple3-0-pca:3', 'simple3-0-pce:2', ...members(0), ...members(1)],
        'simple3-0-sga-0': members(2),
      },
      hpas: ['simple3-0-pca->PodClique/simple3-0-pca 3..5', 'simple3-0-sga->PodCliqueScalingGroup/simple3-0-sga 3..6'],
      services: ['simple3-0'],
      pods: 23,
    });
    const byName = new Map(g.podCliques.map((p) => [p.metadata.name, p.spec.startsAfter]));
    expect(byName.get('simple3-0-pce')).toEqual([
      'simple3-0-sga-0-pcb', 'simple3-0-sga-1-pcb', 'simple3-0-sga-0-pcc', 'simple3-0-sga-1-pcc',
    ]);
    expect(byName.get('simple3-0-sga-0-pcb')).toEqual(['simple3-0-pca']);
    expect(byName.get('simple3-0-sga-2-pcb')).toBeUndefined();
    expect(byName.get('simple3-0-sga-2-pcc')).toBeUndefined();
    expect(byName.get('simple3-0-sga-2-pcd')).toEqual(['simple3-0-sga-2-pcb', 'simple3-0-sga-2-pcc']);
    expect(initArgs(g, 'simple3-0-pce')).toEqual([
      '--podcliques=simple3-0-sga-0-pcb:2', '--podcliques=simple3-0-sga-1-pcb:2',
      '--podcliques=simple3-0-sga-0-pcc:2', '--podcliques=simple3-0-sga-1-pcc:2',
    ]);
    expect(initArgs(g, 'simple3-0-sga-2-pcd')).toEqual(['--podcliques=simple3-0-sga-2-pcb:2', '--podcliques=simple3-0-sga-2-pcc:2']);
    expect(env(podOf(g, 'simple3-0-sga-2-pcd'))).toContain('GROVE_PCSG_TEMPLATE_NUM_PODS=6');
  });

  it('comp-inf-ppln: two groups of one replica in the base gang', () => {
    expect(shape(simulate(sample('comp-inf-ppln')))).toEqual({
      podCliques: [
        'comp-inf-ppln-0-frontend:2', 'comp-inf-ppln-0-vision-encoder:1',
        'comp-inf-ppln-0-prefill-0-pleader:1', 'comp-inf-ppln-0-prefill-0-pworker:4',
        'comp-inf-ppln-0-decode-cluster-0-dleader:1', 'comp-inf-ppln-0-decode-cluster-0-dworker:2',
      ],
      scalingGroups: ['comp-inf-ppln-0-prefill:1/1', 'comp-inf-ppln-0-decode-cluster:1/1'],
      podGangs: {
        'comp-inf-ppln-0': [
          'comp-inf-ppln-0-frontend:2', 'comp-inf-ppln-0-vision-encoder:1',
          'comp-inf-ppln-0-prefill-0-pleader:1', 'comp-inf-ppln-0-prefill-0-pworker:4',
          'comp-inf-ppln-0-decode-cluster-0-dleader:1', 'comp-inf-ppln-0-decode-cluster-0-dworker:2',
        ],
      },
      hpas: [],
      services: ['comp-inf-ppln-0'],
      pods: 11,
    });
  });

  it('multinode-aggregated: 1 base + 1 scaled gang', () => {
    const g = simulate(sample('multinode-aggregated'));
    expect(shape(g).podGangs).toEqual({
      'multinode-aggregated-0': ['multinode-aggregated-0-model-instance-0-leader:1', 'multinode-aggregated-0-model-instance-0-worker:3'],
      'multinode-aggregated-0-model-instance-0': [
        'multinode-aggregated-0-model-instance-1-leader:1',
        'multinode-aggregated-0-model-instance-1-worker:3',
      ],
    });
    expect(g.pods).toHaveLength(8);
  });

  it('multinode-disaggregated: prefill replica 1 in scaled gang multinode-disaggregated-0-prefill-0', () => {
    const g = simulate(sample('multinode-disaggregated'));
    expect(shape(g)).toMatchObject({
      scalingGroups: ['multinode-disaggregated-0-prefill:2/1', 'multinode-disaggregated-0-decode:1/1'],
      podGangs: {
        'multinode-disaggregated-0': [
          'multinode-disaggregated-0-prefill-0-pleader:1', 'multinode-disaggregated-0-prefill-0-pworker:4',
          'multinode-disaggregated-0-decode-0-dleader:1', 'multinode-disaggregated-0-decode-0-dworker:2',
        ],
        'multinode-disaggregated-0-prefill-0': [
          'multinode-disaggregated-0-prefill-1-pleader:1', 'multinode-disaggregated-0-prefill-1-pworker:4',
        ],
      },
      pods: 13,
    });
  });

  it('single-node-aggregated and single-node-disaggregated', () => {
    expect(shape(simulate(sample('single-node-aggregated')))).toMatchObject({
      podCliques: ['single-node-aggregated-0-model-worker:2'],
      podGangs: { 'single-node-aggregated-0': ['single-node-aggregated-0-model-worker:2'] },
      pods: 2,
    });
    expect(shape(simulate(sample('single-node-disaggregated')))).toMatchObject({
      podCliques: ['single-node-disaggregated-0-prefill:3', 'single-node-disaggregated-0-decode:2'],
      podGangs: { 'single-node-disaggregated-0': ['single-node-disaggregated-0-prefill:3', 'single-node-disaggregated-0-decode:2'] },
      pods: 5,
    });
  });

  it('mn-disagg: 13 pods named <pcs>-<i>-<group>-<j>-<clique>-<suffix>', () => {
    const g = simulate(sample('mn-disagg'));
    expect(g.pods).toHaveLength(13);
    expect(g.pods.map((p) => p.metadata?.generateName)).toContain('mn-disagg-0-prefill-1-pworker-');
    expect(Object.keys(shape(g).podGangs)).toEqual(['mn-disagg-0', 'mn-disagg-0-prefill-0']);
    expect(shape(g).podGangs['mn-disagg-0']).toEqual([
      'mn-disagg-0-frontend:2', 'mn-disagg-0-prefill-0-pleader:1', 'mn-disagg-0-prefill-0-pworker:3',
      'mn-disagg-0-decode-0-dleader:1', 'mn-disagg-0-decode-0-dworker:2',
    ]);
  });

  it('env-demo-pcsg: GROVE_PCSG_TEMPLATE_NUM_PODS=4 on every member pod', () => {
    const g = simulate(sample('env-demo-pcsg'));
    expect(g.pods).toHaveLength(8);
    for (const p of g.pods) expect(env(p)).toContain('GROVE_PCSG_TEMPLATE_NUM_PODS=4');
    expect(hostnames(g)).toEqual([
      'env-demo-pcsg-0-model-instance-0-leader-0',
      'env-demo-pcsg-0-model-instance-0-worker-0', 'env-demo-pcsg-0-model-instance-0-worker-1', 'env-demo-pcsg-0-model-instance-0-worker-2',
      'env-demo-pcsg-0-model-instance-1-leader-0',
      'env-demo-pcsg-0-model-instance-1-worker-0', 'env-demo-pcsg-0-model-instance-1-worker-1', 'env-demo-pcsg-0-model-instance-1-worker-2',
    ]);
  });

  it('env-demo-standalone: hostnames and the template variable after the 5 GROVE_* ones', () => {
    const g = simulate(sample('env-demo-standalone'));
    expect(hostnames(g)).toEqual(['env-demo-standalone-0-frontend-0', 'env-demo-standalone-0-frontend-1']);
    expect(env(podOf(g, 'env-demo-standalone-0-frontend', 1))).toEqual([
      'GROVE_PCS_NAME=env-demo-standalone',
      'GROVE_PCS_INDEX=0',
      'GROVE_PCLQ_NAME=env-demo-standalone-0-frontend',
      'GROVE_HEADLESS_SERVICE=env-demo-standalone-0.default.svc.cluster.local',
      "GROVE_PCLQ_POD_INDEX<-metadata.labels['grove.io/podclique-pod-index']",
      'POD_NAME<-metadata.name',
    ]);
  });

  it('PCS replicas 2: a second replica tree with its own Service, HPAs and gang', () => {
    const pcs = sample('simple1');
    const g = simulate({ ...pcs, spec: { ...pcs.spec, replicas: 2 } });
    const s = shape(g);
    expect(s.services).toEqual(['simple1-0', 'simple1-1']);
    expect(Object.keys(s.podGangs)).toEqual(['simple1-0', 'simple1-1']);
    expect(s.podGangs['simple1-1']).toEqual(['simple1-1-pca:3', 'simple1-1-pcd:2', 'simple1-1-sga-0-pcb:2', 'simple1-1-sga-0-pcc:2']);
    expect(s.hpas).toHaveLength(4);
    expect(s.pods).toBe(18);
    expect(env(podOf(g, 'simple1-1-pcd'))).toContain('GROVE_HEADLESS_SERVICE=simple1-1.default.svc.cluster.local');
    expect(podOf(g, 'simple1-1-pcd').spec?.subdomain).toBe('simple1-1');
  });

  it('PCSG replicas 3: two scaled gangs', () => {
    const g = simulate(sample('simple1'), { scaleGroups: { 'simple1-0-sga': 3 } });
    expect(Object.keys(shape(g).podGangs)).toEqual(['simple1-0', 'simple1-0-sga-0', 'simple1-0-sga-1']);
    expect(shape(g).podGangs['simple1-0-sga-1']).toEqual(['simple1-0-sga-2-pcb:2', 'simple1-0-sga-2-pcc:2']);
    expect(g.pods).toHaveLength(17);
  });
});

describe.skipIf(!present)('golden graphs of Grove e2e workloads (grove-compat §9.1)', () => {
  it('workload1: 10 pods, 1 gang', () => {
    const g = simulate(sample('workload1', workloads));
    expect(shape(g)).toMatchObject({
      podGangs: {
        'workload1-0': [
          'workload1-0-pc-a:2',
          'workload1-0-sg-x-0-pc-b:1', 'workload1-0-sg-x-0-pc-c:3',
          'workload1-0-sg-x-1-pc-b:1', 'workload1-0-sg-x-1-pc-c:3',
        ],
      },
      pods: 10,
    });
    // The gang names the scheduler the pods ask for.
    expect(g.tree.podGangs[0]?.metadata.labels?.['grove.io/scheduler-name']).toBe('kai-scheduler');
  });

  it('workload2: base gang needs 3 pods, scaled gang workload2-0-sg-x-0', () => {
    const g = simulate(sample('workload2', workloads));
    const gangs = g.tree.podGangs;
    expect(names(gangs)).toEqual(['workload2-0', 'workload2-0-sg-x-0']);
    expect(gangs[0]?.spec.podgroups.reduce((n, pg) => n + pg.minReplicas, 0)).toBe(3);
    expect(shape(g).podGangs).toEqual({
      'workload2-0': ['workload2-0-pc-a:1', 'workload2-0-sg-x-0-pc-b:1', 'workload2-0-sg-x-0-pc-c:1'],
      'workload2-0-sg-x-0': ['workload2-0-sg-x-1-pc-b:1', 'workload2-0-sg-x-1-pc-c:1'],
    });
    expect(g.pods).toHaveLength(10);
  });

  it('GS4 shape: PCS replicas 2, group scaled to 3 in replica 0 only', () => {
    const pcs = sample('workload1', workloads);
    const g = simulate({ ...pcs, spec: { ...pcs.spec, replicas: 2 } }, { scaleGroups: { 'workload1-0-sg-x': 3 } });
    expect(names(g.tree.podGangs)).toEqual(['workload1-0', 'workload1-0-sg-x-0', 'workload1-1']);
    expect(g.pods).toHaveLength(24);
  });
});

const TAS = { enabled: true, binding: GROVE_TOPOLOGY };
const BLOCK = { packConstraint: { required: 'topology.copse.io/block' } };
const RACK = { packConstraint: { required: 'topology.copse.io/rack' } };
const HOST = { packConstraint: { required: 'kubernetes.io/hostname' } };

/** A gang's constraints: gang-wide, group configs, and per pod group. */
function constraints(gang: PodGang | undefined) {
  return {
    gang: gang?.spec.topologyConstraint,
    groups: gang?.spec.topologyConstraintGroupConfigs?.map((c) => [c.name, c.podGroupNames, c.topologyConstraint]),
    podgroups: Object.fromEntries((gang?.spec.podgroups ?? []).map((p) => [p.name, p.topologyConstraint])),
    topologyName: gang?.metadata.annotations?.['grove.io/topology-name'],
  };
}

describe.skipIf(!present)('topology-aware gangs of Grove TAS workloads (grove-compat §5.2, §9.3)', () => {
  it('TAS10 tas-pcsg-scale: base gang has replica 0 only, scaled gangs packed by rack', () => {
    const g = simulate(sample('tas-pcsg-scale', workloads), { topology: TAS });
    expect(names(g.tree.podGangs)).toEqual(['tas-pcsg-scale-0', 'tas-pcsg-scale-0-inference-group-0', 'tas-pcsg-scale-0-inference-group-1']);
    expect(constraints(g.tree.podGangs[0])).toEqual({
      gang: BLOCK,
      groups: [['tas-pcsg-scale-0-inference-group-0', ['tas-pcsg-scale-0-inference-group-0-worker'], RACK]],
      podgroups: { 'tas-pcsg-scale-0-inference-group-0-worker': undefined },
      topologyName: 'grove-topology',
    });
    for (const scaled of g.tree.podGangs.slice(1)) expect(constraints(scaled).gang).toEqual(RACK);
  });

  it('TAS8 tas-hierarchy: block ⊃ rack per group replica ⊃ host per clique', () => {
    const g = simulate(sample('tas-hierarchy', workloads), { topology: TAS });
    expect(names(g.tree.podGangs)).toEqual(['tas-hierarchy-0']);
    const p = (j: number, c: string) => `tas-hierarchy-0-inference-group-${j}-${c}`;
    expect(constraints(g.tree.podGangs[0])).toEqual({
      gang: BLOCK,
      groups: [
        ['tas-hierarchy-0-inference-group-0', [p(0, 'prefill'), p(0, 'decode')], RACK],
        ['tas-hierarchy-0-inference-group-1', [p(1, 'prefill'), p(1, 'decode')], RACK],
      ],
      podgroups: { [p(0, 'prefill')]: HOST, [p(0, 'decode')]: HOST, [p(1, 'prefill')]: HOST, [p(1, 'decode')]: HOST },
      topologyName: 'grove-topology',
    });
  });

  it('TAS12 tas-large-scale: 20 pods, base gang of 3 group replicas, 7 scaled gangs on the PCS constraint', () => {
    const g = simulate(sample('tas-large-scale', workloads), { topology: TAS });
    expect(g.pods).toHaveLength(20);
    expect(g.tree.podGangs).toHaveLength(8);
    expect(g.tree.podGangs[0]?.spec.podgroups.map((x) => x.name)).toEqual([0, 1, 2].map((j) => `tas-large-scale-0-workers-${j}-worker`));
    expect(g.tree.podGangs[0]?.spec.topologyConstraintGroupConfigs).toBeUndefined();
    // The group has no constraint of its own: its scaled gangs fall back to the PodCliqueSet's.
    for (const scaled of g.tree.podGangs.slice(1)) {
      expect(constraints(scaled).gang).toEqual(BLOCK);
      expect(Object.values(constraints(scaled).podgroups)).toEqual([HOST]);
    }
  });

  it('TAS23 tas-preferred-pack: PCS required block + preferred rack; group and router preferred host', () => {
    const g = simulate(sample('tas-preferred-pack', workloads), { topology: TAS });
    const preferred = (key: string) => ({ packConstraint: { preferred: key } });
    expect(constraints(g.tree.podGangs[0])).toEqual({
      gang: { packConstraint: { required: 'topology.copse.io/block', preferred: 'topology.copse.io/rack' } },
      groups: [['tas-preferred-pack-0-workers-0', ['tas-preferred-pack-0-workers-0-worker'], preferred('kubernetes.io/hostname')]],
      podgroups: { 'tas-preferred-pack-0-router': preferred('kubernetes.io/hostname'), 'tas-preferred-pack-0-workers-0-worker': undefined },
      topologyName: 'grove-topology',
    });
    expect(constraints(g.tree.podGangs[1]).gang).toEqual(preferred('kubernetes.io/hostname'));
  });

  it('TAS20: without the ClusterTopologyBinding gangs carry no constraints and the state says why', () => {
    const g = simulate(sample('tas-pcsg-scale', workloads), { topology: { enabled: true } });
    expect(g.tree.topology).toMatchObject({ state: 'NotFound', topologyName: 'grove-topology' });
    for (const gang of g.tree.podGangs) {
      expect(constraints(gang)).toMatchObject({ gang: undefined, groups: undefined, topologyName: undefined });
    }
  });
});
