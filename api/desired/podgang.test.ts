import { describe, expect, it } from 'vitest';

import { GROVE_TOPOLOGY, clique, pcsOf } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import type { PodCliqueSet, PodGang } from '../generated/types.js';
import { type SchedulerBackend, defaultSchedulerBackend } from './backend.js';
import { type GangLayout, desiredPodGang, gangLayouts, gangPodReferences, podReferences, podsByPodClique } from './podgang.js';
import { resolveTopology } from './topology.js';


/** tas-pcsg-scale's shape plus a host-packed clique: PCS block, group rack (r3 m1), router host. */
function tas(groupConstraint = true): PodCliqueSet {
  const router = clique('router', 1);
  router.topologyConstraint = { pack: { required: 'host' } };
  const p = pcsOf('t', {
    priorityClassName: 'high',
    topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'block' } },
    cliques: [router, clique('worker', 2)],
    podCliqueScalingGroups: [
      {
        name: 'ig',
        cliqueNames: ['worker'],
        replicas: 3,
        minAvailable: 1,
        ...(groupConstraint ? { topologyConstraint: { pack: { required: 'rack' } } } : {}),
      },
    ],
  });
  p.metadata.labels = { app: 't', 'grove.io/internal': 'x' };
  p.metadata.annotations = {
    team: 'a',
    'grove.io/reconcile-trigger': '1',
    'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}',
  };
  return p;
}

function build(p: PodCliqueSet, layout: GangLayout, extra: { pods?: Pod[]; existing?: PodGang; enabled?: boolean; backend?: SchedulerBackend } = {}) {
  return desiredPodGang(p, layout, {
    pods: podsByPodClique(extra.pods ?? []),
    ...(extra.existing ? { existing: extra.existing } : {}),
    topology: resolveTopology(p, { enabled: extra.enabled ?? true, binding: GROVE_TOPOLOGY }),
    backend: extra.backend ?? defaultSchedulerBackend,
  });
}

function pod(name: string, pclq: string, gang: string, terminating = false): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: { 'grove.io/podgang': gang },
      ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', name: pclq, uid: 'u', controller: true }],
      ...(terminating ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [] },
  };
}

describe('gangLayouts (grove-compat §4.6)', () => {
  it('base gang: standalone cliques, then group replicas j < minAvailable; scaled gangs for the rest', () => {
    const [base, ...scaled] = gangLayouts(tas(), 0, new Map([['ig', 3]]));
    expect(base?.groups.map((g) => `${g.podClique}:${g.minReplicas}`)).toEqual(['t-0-router:1', 't-0-ig-0-worker:2']);
    expect(scaled.map((s) => [s.name, s.groups.map((g) => g.podClique)])).toEqual([
      ['t-0-ig-0', ['t-0-ig-1-worker']],
      ['t-0-ig-1', ['t-0-ig-2-worker']],
    ]);
  });

  it('uses the template replicas for a group not yet created, and no scaled gangs below minAvailable', () => {
    expect(gangLayouts(tas(), 0, new Map()).map((l) => l.name)).toEqual(['t-0', 't-0-ig-0', 't-0-ig-1']);
    expect(gangLayouts(tas(), 0, new Map([['ig', 1]])).map((l) => l.name)).toEqual(['t-0']);
    expect(gangLayouts(tas(), 0, new Map([['ig', 0]])).map((l) => l.name)).toEqual(['t-0']);
  });
});

describe('podReferences', () => {
  it('non-terminating pods of the PodClique labelled with the gang, sorted by name', () => {
    const pods = [
      pod('t-0-router-b', 't-0-router', 't-0'),
      pod('t-0-router-a', 't-0-router', 't-0'),
      pod('t-0-router-c', 't-0-router', 't-0', true),
      pod('t-0-router-d', 't-0-router', 't-0-ig-0'),
      pod('t-0-routerx-a', 't-0-routerx', 't-0'),
    ];
    expect(podReferences(podsByPodClique(pods), 't-0-router', 't-0')).toEqual([
      { namespace: 'ns', name: 't-0-router-a' },
      { namespace: 'ns', name: 't-0-router-b' },
    ]);
  });
});

describe('desiredPodGang', () => {
  const p = tas();
  const [base, scaled] = gangLayouts(p, 0, new Map([['ig', 2]]));

  it('base gang: PCS constraint, group configs per base group replica, per-group constraint, metadata', () => {
    const gang = build(p, base!, { pods: [pod('t-0-router-x', 't-0-router', 't-0')] });
    expect(gang).toEqual({
      apiVersion: 'scheduler.grove.io/v1alpha1',
      kind: 'PodGang',
      metadata: {
        name: 't-0',
        namespace: 'ns',
        labels: {
          app: 't',
          'app.kubernetes.io/managed-by': 'grove-operator',
          'app.kubernetes.io/part-of': 't',
          'app.kubernetes.io/component': 'podgang',
          'grove.io/scheduler-name': 'default-scheduler',
        },
        annotations: { team: 'a', 'grove.io/topology-name': 'grove-topology' },
        ownerReferences: [
          { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', name: 't', uid: 'uid-pcs-t', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        podgroups: [
          {
            name: 't-0-router',
            podReferences: [{ namespace: 'ns', name: 't-0-router-x' }],
            minReplicas: 1,
            topologyConstraint: { packConstraint: { required: 'kubernetes.io/hostname' } },
          },
          { name: 't-0-ig-0-worker', podReferences: [], minReplicas: 2 },
        ],
        topologyConstraint: { packConstraint: { required: 'topology.copse.io/block' } },
        topologyConstraintGroupConfigs: [
          { name: 't-0-ig-0', podGroupNames: ['t-0-ig-0-worker'], topologyConstraint: { packConstraint: { required: 'topology.copse.io/rack' } } },
        ],
        priorityClassName: 'high',
      },
    });
  });

  it('scaled gang: the group constraint, falling back to the PodCliqueSet one', () => {
    expect(build(p, scaled!).spec.topologyConstraint).toEqual({ packConstraint: { required: 'topology.copse.io/rack' } });
    const noGroup = tas(false);
    const [, scaledNoGroup] = gangLayouts(noGroup, 0, new Map([['ig', 2]]));
    const gang = build(noGroup, scaledNoGroup!);
    expect(gang.spec.topologyConstraint).toEqual({ packConstraint: { required: 'topology.copse.io/block' } });
    expect(gang.spec.topologyConstraintGroupConfigs).toBeUndefined();
  });

  it('without topology-aware scheduling: no constraints and no topology-name annotation', () => {
    const gang = build(p, base!, { enabled: false });
    expect(gang.spec.topologyConstraint).toBeUndefined();
    expect(gang.spec.topologyConstraintGroupConfigs).toBeUndefined();
    expect(gang.spec.podgroups.every((g) => g.topologyConstraint === undefined)).toBe(true);
    expect(gang.metadata.annotations).toEqual({ team: 'a' });
  });

  it("keeps the existing gang's grove.io/ labels and annotations, drops others and a stale topology name", () => {
    const existing: PodGang = {
      metadata: {
        name: 't-0',
        labels: { 'grove.io/extra': 'kept', 'someone.else/label': 'dropped' },
        annotations: { 'grove.io/note': 'kept', 'kai.scheduler/x': 'dropped', 'grove.io/topology-name': 'old' },
      },
      spec: { podgroups: [] },
    };
    const gang = build(p, base!, { existing, enabled: false });
    expect(gang.metadata.labels?.['grove.io/extra']).toBe('kept');
    expect(gang.metadata.labels?.['someone.else/label']).toBeUndefined();
    expect(gang.metadata.annotations).toEqual({ 'grove.io/note': 'kept', team: 'a' });
  });

  it('ends with the backend, which may add to it', () => {
    const tagging: SchedulerBackend = {
      ...defaultSchedulerBackend,
      name: 'tagging',
      preparePodGang: (g, ctx) => ({ ...g, metadata: { ...g.metadata, annotations: { ...g.metadata.annotations, replica: String(ctx.replica) } } }),
    };
    const gang = build(p, scaled!, { backend: tagging });
    expect(gang.metadata.annotations?.replica).toBe('0');
    // The gang names the scheduler the pods ask for; with none, the backend's.
    expect(gang.metadata.labels?.['grove.io/scheduler-name']).toBe('tagging');
  });
});

describe('gangPodReferences', () => {
  const gang = (refs: string[]): PodGang =>
    ({
      metadata: { name: 't-0', namespace: 'ns' },
      spec: { podgroups: [{ name: 't-0-router', minReplicas: 1, podReferences: refs.map((name) => ({ namespace: 'ns', name })) }] },
    }) as PodGang;

  it('returns the very same podgroups when the references already match the pods', () => {
    const g = gang(['t-0-router-a', 't-0-router-b']);
    expect(gangPodReferences(g, [pod('t-0-router-b', 't-0-router', 't-0'), pod('t-0-router-a', 't-0-router', 't-0')])).toBe(g.spec.podgroups);
  });

  it('adds new pods, drops terminating and foreign ones, sorted by name', () => {
    const g = gang(['t-0-router-a', 't-0-router-c']);
    const pods = [pod('t-0-router-b', 't-0-router', 't-0'), pod('t-0-router-a', 't-0-router', 't-0'), pod('t-0-router-c', 't-0-router', 't-0', true), pod('t-0-router-d', 't-0-router', 't-0-ig-0')];
    expect(gangPodReferences(g, pods)).toEqual([{ name: 't-0-router', minReplicas: 1, podReferences: [{ namespace: 'ns', name: 't-0-router-a' }, { namespace: 'ns', name: 't-0-router-b' }] }]);
  });

  it('an existing gang keeps its references through a PodCliqueSet pass, whatever the pods say', () => {
    const p = tas();
    const [base] = gangLayouts(p, 0, new Map([['ig', 2]]));
    const existing = build(p, base!, { pods: [pod('t-0-router-x', 't-0-router', 't-0')] });
    const rebuilt = build(p, base!, { pods: [pod('t-0-router-y', 't-0-router', 't-0')], existing });
    expect(rebuilt.spec.podgroups.map((g) => g.podReferences.map((r) => r.name))).toEqual([['t-0-router-x'], []]);
  });
});
