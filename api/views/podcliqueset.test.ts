import { describe, expect, it } from 'vitest';

import { clique, pcsOf, simulate, type Graph } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import type { PodClique, PodCliqueSet, PodGang } from '../generated/types.js';
import { podCliqueSetView, type GangView, type PodCliqueSetView } from './podcliqueset.js';

// Shape: router (1) and decode (2, min 1, starts after router) standalone; prefill (2, min 2, 2 GPUs
// and 500m each) in scaling group sg (replicas 2, min 1): base gang inf-0 holds router, decode and
// sg replica 0; the scaled gang inf-0-sg-0 holds sg replica 1.
const GPU_POD = { containers: [{ name: 'prefill', image: 'x', resources: { requests: { cpu: '500m', 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } } }] };
const pcs: PodCliqueSet = pcsOf('inf', {
  cliqueStartupType: 'CliqueStartupTypeExplicit',
  cliques: [clique('router', 1), clique('prefill', 2, { minAvailable: 2, podSpec: GPU_POD }), clique('decode', 2, { minAvailable: 1, startsAfter: ['router'] })],
  podCliqueScalingGroups: [{ name: 'sg', cliqueNames: ['prefill'], replicas: 2, minAvailable: 1 }],
});
const graph: Graph = simulate(pcs);

function schedule(p: Pod, node = 'n1'): Pod {
  const gates = undefined;
  return {
    ...p,
    spec: { ...p.spec, containers: p.spec?.containers ?? [], nodeName: node, schedulingGates: gates },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
}

function ready(p: Pod, node = 'n1'): Pod {
  const s = schedule(p, node);
  return { ...s, status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] } };
}

function view(pods: readonly Pod[] = graph.pods, podGangs: readonly PodGang[] = graph.tree.podGangs, over: Partial<PodCliqueSet> = {}): PodCliqueSetView {
  return podCliqueSetView({ pcs: { ...pcs, ...over }, pclqs: graph.podCliques, pcsgs: graph.scalingGroups, podGangs, pods });
}

function gang(v: PodCliqueSetView, name: string): GangView {
  const g = v.status.replicas.flatMap((r) => r.gangs).find((x) => x.name === name);
  if (!g) throw new Error(`no gang ${name}`);
  return g;
}

const byClique = (name: string) => (p: Pod) => p.metadata?.labels?.['grove.io/podclique'] === name;

describe('podCliqueSetView: is it whole', () => {
  it('lays out every gang of the spec with its pod groups, minimum and the PodGang minimum', () => {
    const v = view();
    expect(v.apiVersion).toBe('live.copse.io/v1alpha1');
    expect(v.kind).toBe('PodCliqueSet');
    expect(v.metadata).toEqual({ name: 'inf', namespace: 'ns' });
    expect(v.spec).toEqual({ replicas: 1, cliqueStartupType: 'CliqueStartupTypeExplicit', updateStrategy: 'RollingRecreate' });
    expect(v.status.replicas.map((r) => r.gangs.map((g) => `${g.name}:${g.podGroups.map((p) => `${p.name}/${p.pods}/${p.minimum}`).join(',')}`))).toEqual([
      ['inf-0:inf-0-router/1/1,inf-0-decode/2/1,inf-0-sg-0-prefill/2/2', 'inf-0-sg-0:inf-0-sg-1-prefill/2/2'],
    ]);
    expect(gang(v, 'inf-0-sg-0').scalingGroup).toEqual({ name: 'sg', replica: 1 });
    expect(gang(v, 'inf-0').scalingGroup).toBeUndefined();
  });

  it('a gang held by its gates is Pending with the gate, its unplaced pods and what they ask for together', () => {
    const v = view();
    expect(v.status.phase).toBe('Pending');
    expect(v.status.summary).toEqual({ gangs: 2, gangsPlaced: 0, gangsReady: 0, podGroupsBreached: 4, podCliquesWaiting: 1, pods: 7, podsPlaced: 0, podsReady: 0 });
    expect(gang(v, 'inf-0').pending).toEqual({
      reason: 'PodsSchedulingGated',
      message:
        'Pod groups below minReplicas scheduled (scheduled/minReplicas): inf-0-router 0/1, inf-0-decode 0/1, inf-0-sg-0-prefill 0/2. 5 pod(s) held by scheduling gates: grove.io/podgang-pending-creation.',
      unplacedPods: 5,
      unplacedRequests: { cpu: '1', memory: '0', 'nvidia.com/gpu': '4' },
    });
    const router = gang(v, 'inf-0').podGroups[0];
    expect(router?.breach).toEqual({ breached: true, reason: 'ScheduledReplicasBelowMinAvailable', message: 'Scheduled replicas (0) below MinAvailable (1)' });
  });

  it('prefers the PodGang Scheduled=False condition (the planner names the shortfall) over what the pods show', () => {
    const message = 'no zone has room for the gang: needs nvidia.com/gpu 8, the most free in one zone is 4';
    const gangs = graph.tree.podGangs.map((g) =>
      g.metadata.name === 'inf-0-sg-0'
        ? { ...g, status: { phase: 'Pending' as const, conditions: [{ type: 'Scheduled', status: 'False' as const, reason: 'Unschedulable', message, lastTransitionTime: '2025-01-01T00:00:00Z' }] } }
        : g,
    );
    const p = gang(view(graph.pods, gangs), 'inf-0-sg-0').pending;
    expect(p).toEqual({ reason: 'Unschedulable', message, unplacedPods: 2, unplacedRequests: { cpu: '1', memory: '0', 'nvidia.com/gpu': '4' } });
  });

  it('ignores a stale Scheduled=True condition and explains from the pods', () => {
    const gangs = graph.tree.podGangs.map((g) => ({ ...g, status: { phase: 'Running' as const, conditions: [{ type: 'Scheduled', status: 'True' as const, reason: 'AllPodGroupsScheduled', message: 'x', lastTransitionTime: '2025-01-01T00:00:00Z' }] } }));
    expect(gang(view(graph.pods, gangs), 'inf-0').pending?.reason).toBe('PodsSchedulingGated');
  });

  it('a gang whose PodGang does not exist yet still shows, Pending, with the template minimums', () => {
    const v = view(graph.pods, graph.tree.podGangs.filter((g) => g.metadata.name !== 'inf-0-sg-0'));
    const g = gang(v, 'inf-0-sg-0');
    expect(g.exists).toBe(false);
    expect(g.phase).toBe('Pending');
    expect(g.podGroups.map((x) => [x.name, x.minimum])).toEqual([['inf-0-sg-1-prefill', 2]]);
    expect(g.pending?.reason).toBe('PodGangNotCreated');
    expect(g.pending?.message).toBe('The PodGang does not exist yet; its pods stay behind their scheduling gate.');
  });

  it('placed but not ready: Starting, the ready shortfall named, decode waits for router', () => {
    const pods = graph.pods.map((p) => schedule(p));
    const v = view(pods);
    const g = gang(v, 'inf-0');
    expect([v.status.phase, g.phase, g.placed, g.ready, g.pending]).toEqual(['Starting', 'Starting', true, false, undefined]);
    expect(g.notReady).toBe('Pod groups below minReplicas ready (ready/minReplicas): inf-0-router 0/1, inf-0-decode 0/1, inf-0-sg-0-prefill 0/2.');
    expect(g.podGroups[1]?.breach).toEqual({ breached: true, reason: 'InsufficientReadyPods', message: 'Insufficient ready pods. expected at least: 1, found: 0' });
    expect(g.podGroups[1]?.startsAfter).toEqual([{ podClique: 'inf-0-router', ready: 0, minimum: 1, satisfied: false }]);
    expect(g.podGroups[1]?.waitingFor).toEqual(['inf-0-router']);
    expect(v.status.summary.podsPlaced).toBe(7);
  });

  it('once router is ready decode no longer waits', () => {
    const pods = graph.pods.map((p) => (byClique('inf-0-router')(p) ? ready(p) : schedule(p)));
    const g = gang(view(pods), 'inf-0');
    expect(g.podGroups[1]?.startsAfter).toEqual([{ podClique: 'inf-0-router', ready: 1, minimum: 1, satisfied: true }]);
    expect(g.podGroups[1]?.waitingFor).toBeUndefined();
    expect(view(pods).status.summary.podCliquesWaiting).toBe(0);
  });

  it('all ready: Running, nothing breached, nothing pending', () => {
    const v = view(graph.pods.map((p) => ready(p)));
    expect(v.status.phase).toBe('Running');
    expect(v.status.summary).toEqual({ gangs: 2, gangsPlaced: 2, gangsReady: 2, podGroupsBreached: 0, podCliquesWaiting: 0, pods: 7, podsPlaced: 7, podsReady: 7 });
    expect(v.status.replicas.flatMap((r) => r.gangs).every((g) => g.pending === undefined && g.notReady === undefined)).toBe(true);
  });

  it('one short pod group keeps the PodCliqueSet at its least advanced gang', () => {
    const pods = graph.pods.map((p) => (byClique('inf-0-sg-1-prefill')(p) ? p : ready(p)));
    const v = view(pods);
    expect([v.status.phase, gang(v, 'inf-0').phase, gang(v, 'inf-0-sg-0').phase]).toEqual(['Pending', 'Running', 'Pending']);
    expect(v.status.summary.gangsReady).toBe(1);
  });

  it('terminating and finished pods are not counted', () => {
    const pods = graph.pods.map((p, i) => (i === 0 ? { ...ready(p), metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } } : i === 1 ? { ...ready(p), status: { phase: 'Succeeded' } } : ready(p)));
    const v = view(pods);
    expect(v.status.summary.pods).toBe(5);
    expect(gang(v, 'inf-0').podGroups.map((g) => g.pods)).toEqual([0, 1, 2]);
  });

  it('keeps the stored breach transition time as the gang-termination clock', () => {
    const pclqs = graph.podCliques.map((p) =>
      p.metadata.name === 'inf-0-router'
        ? ({ ...p, status: { ...p.status, conditions: [{ type: 'MinAvailableBreached', status: 'True', reason: 'x', message: 'x', lastTransitionTime: '2025-01-01T00:05:00Z' }] } } as PodClique)
        : p,
    );
    const v = podCliqueSetView({ pcs, pclqs, pcsgs: graph.scalingGroups, podGangs: graph.tree.podGangs, pods: graph.pods });
    expect(gang(v, 'inf-0').podGroups[0]?.breach.since).toBe('2025-01-01T00:05:00Z');
  });

  it('a PodCliqueSet scaled to zero replicas is Empty', () => {
    const v = view(graph.pods, graph.tree.podGangs, { spec: { ...pcs.spec, replicas: 0 } });
    expect(v.status.phase).toBe('Empty');
    expect(v.status.replicas).toEqual([]);
  });

  it('reports rolling-update progress from the stored status and the pods running the target template', () => {
    const over = { status: { ...pcs.status, updateProgress: { updateStartedAt: '2025-01-01T00:00:00Z', currentlyUpdating: [{ replicaIndex: 0, updateStartedAt: '2025-01-01T00:00:00Z' }], updatedPodCliquesCount: 1, totalPodCliquesCount: 4 } } } as Partial<PodCliqueSet>;
    const u = view(graph.pods, graph.tree.podGangs, over).status.update;
    expect(u).toMatchObject({ strategy: 'RollingRecreate', inProgress: true, startedAt: '2025-01-01T00:00:00Z', currentlyUpdating: [0], updatedPodCliques: 1, totalPodCliques: 4, pods: 7 });
  });
});
