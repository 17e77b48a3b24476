// Grove's workload1/workload2 shapes (e2e-workloads/, schedulerName dropped: see groveWorkload)
// under copse's controllers: the exact object graph, then scaling of the PodCliqueSet, a
// PodCliqueScalingGroup and a PodClique through their scale subresources (`kubectl scale`) and
// through a real HorizontalPodAutoscaler, checked against Grove's scale-test invariants after
// every step (test/support/workloads.ts). Also: template replicas edits reach PodCliques while a
// direct scale is kept (grove-compat §10.12), scaling never replaces untouched pods (grove#565),
// and scale-in never picks a pod that is already terminating (grove#758).
//
// The HPA steps use kube-controller-manager's own HPA controller. There is no metrics server, so
// it cannot compute a metric-driven size, but it enforces the HPA's bounds first (a target below
// minReplicas is scaled up to it, one above maxReplicas down to it) by writing the target's /scale
// subresource: exactly the write an autoscaler makes.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HorizontalPodAutoscaler, Pod } from '../../api/core/wire.js';
import { RESOURCES } from '../../kube/resources.js';
import { createNamespace, testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { type Observed, type Shape, converged, groveWorkload, observe, podUids, podsOfClique } from '../support/workloads.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'controllers: scaling', suites: 2, sub: 'e2e-workloads' });
const STEP_MS = 240_000;
// Each test waits for several convergences of up to STEP_MS on a shared, busy machine.
const TEST_MS = 8 * STEP_MS;

let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  ns = await createNamespace(client, 'ctl-scale');
});

afterAll(async () => {
  await ns?.cleanup();
});

const CLIQUES = { 'pc-a': { replicas: 2, minAvailable: 2 }, 'pc-b': { replicas: 1, minAvailable: 1 }, 'pc-c': { replicas: 3, minAvailable: 3 } };

function workload1(replicas: number, groups: number[], overrides: Record<string, number> = {}): Shape {
  return {
    pcs: 'workload1',
    replicas,
    cliques: CLIQUES,
    standalone: ['pc-a'],
    groups: [{ name: 'sg-x', cliqueNames: ['pc-b', 'pc-c'], minAvailable: 2, replicas: groups }],
    overrides,
  };
}

function workload2(replicas: number, groups: number[], overrides: Record<string, number> = {}, cliques = { 'pc-a': { replicas: 2, minAvailable: 1 }, 'pc-b': { replicas: 1, minAvailable: 1 }, 'pc-c': { replicas: 3, minAvailable: 1 } }): Shape {
  return {
    pcs: 'workload2',
    replicas,
    cliques,
    standalone: ['pc-a'],
    groups: [{ name: 'sg-x', cliqueNames: ['pc-b', 'pc-c'], minAvailable: 1, replicas: groups }],
    overrides,
  };
}

async function scale(resource: string, name: string, replicas: number): Promise<void> {
  const r = await kubectl(kubeconfig, ['-n', ns.name, 'scale', resource, name, `--replicas=${replicas}`]);
  expect(r.code, r.stderr).toBe(0);
}

/** Pods (by name → uid) that must survive a step untouched: every pod of the PodCliques not named in `touched`. */
function untouched(o: Observed, touched: readonly string[]): Map<string, string> {
  return podUids(o.pods.filter((p) => !touched.some((t) => p.metadata?.ownerReferences?.some((r) => r.name === t))));
}

function expectKept(before: Map<string, string>, after: Observed): void {
  const now = podUids(after.pods);
  const lost = [...before].filter(([name, uid]) => now.get(name) !== uid).map(([name]) => name);
  expect(lost, 'pods replaced or deleted although their PodClique was not scaled').toEqual([]);
}

describe.skipIf(!present)('workload1: Grove scale-test invariants through every scaling step', { timeout: TEST_MS }, () => {
  it('deploys exactly Grove’s graph: 10 pods, 5 PodCliques, 1 group, 1 gang with every pod referenced', async () => {
    await client.create(RESOURCES.podCliqueSets, groveWorkload('workload1.yaml', ns.name));
    const o = await converged(client, ns.name, workload1(1, [2]), STEP_MS);
    expect(o.pods).toHaveLength(10);
    expect(o.podGangs.map((g) => g.metadata.name)).toEqual(['workload1-0']);
    // Pods go to default-scheduler, as the adapted workload asks.
    expect(new Set(o.pods.map((p) => p.spec?.schedulerName))).toEqual(new Set(['default-scheduler']));
  });

  it('scales the PodCliqueSet, a scaling group and a PodClique up and down with kubectl scale', async () => {
    let o = await observe(client, ns.name, 'workload1');
    let keep = untouched(o, []);
    await scale('podcliqueset', 'workload1', 2);
    o = await converged(client, ns.name, workload1(2, [2, 2]), STEP_MS);
    expect(o.pods).toHaveLength(20);
    expectKept(keep, o);

    keep = untouched(o, []);
    await scale('podcliquescalinggroup', 'workload1-1-sg-x', 3);
    o = await converged(client, ns.name, workload1(2, [2, 3]), STEP_MS);
    expect(o.podGangs.map((g) => g.metadata.name).sort()).toEqual(['workload1-0', 'workload1-1', 'workload1-1-sg-x-0']);
    expectKept(keep, o);

    keep = untouched(o, []);
    await scale('podclique', 'workload1-0-pc-a', 3);
    o = await converged(client, ns.name, workload1(2, [2, 3], { 'workload1-0-pc-a': 3 }), STEP_MS);
    expect(o.pods).toHaveLength(25);
    expectKept(keep, o);

    keep = untouched(o, ['workload1-0-pc-a']);
    await scale('podclique', 'workload1-0-pc-a', 2);
    o = await converged(client, ns.name, workload1(2, [2, 3]), STEP_MS);
    expectKept(keep, o);

    keep = untouched(o, ['workload1-1-sg-x-2-pc-b', 'workload1-1-sg-x-2-pc-c']);
    await scale('podcliquescalinggroup', 'workload1-1-sg-x', 2);
    o = await converged(client, ns.name, workload1(2, [2, 2]), STEP_MS);
    expectKept(keep, o);

    keep = untouched(o, o.podCliques.filter((p) => p.metadata.name?.startsWith('workload1-1-')).map((p) => p.metadata.name ?? ''));
    await scale('podcliqueset', 'workload1', 1);
    o = await converged(client, ns.name, workload1(1, [2]), STEP_MS);
    expect(o.pods).toHaveLength(10);
    expectKept(keep, o);
  });

  it('scales to zero and back', async () => {
    await scale('podcliqueset', 'workload1', 0);
    const zero = await converged(client, ns.name, workload1(0, []), STEP_MS);
    expect([zero.pods.length, zero.podCliques.length, zero.scalingGroups.length, zero.podGangs.length]).toEqual([0, 0, 0, 0]);
    await scale('podcliqueset', 'workload1', 1);
    const back = await converged(client, ns.name, workload1(1, [2]), STEP_MS);
    expect(back.pods).toHaveLength(10);
  });

  it('a scaling group scaled the moment a PodCliqueSet scale-out creates it keeps that size (no apply from a cache without it)', async () => {
    await scale('podcliqueset', 'workload1', 2);
    await eventually('workload1-1-sg-x', () => client.tryGet(RESOURCES.podCliqueScalingGroups, 'workload1-1-sg-x', ns.name), 30_000, 20);
    const r = await client.patch(RESOURCES.podCliqueScalingGroups, 'workload1-1-sg-x', ns.name, { spec: { replicas: 3 } }, { subresource: 'scale' });
    expect(r.metadata?.name).toBe('workload1-1-sg-x');
    const o = await converged(client, ns.name, workload1(2, [2, 3]), STEP_MS);
    expect(o.scalingGroups.find((g) => g.metadata.name === 'workload1-1-sg-x')?.spec.replicas).toBe(3);
    await scale('podcliqueset', 'workload1', 1);
    await converged(client, ns.name, workload1(1, [2]), STEP_MS);
  });

  it('follows a HorizontalPodAutoscaler on the scaling group and on a PodClique (kube-controller-manager enforcing the HPA bounds)', async () => {
    const hpa = (name: string, kind: string, target: string, min: number, max: number): HorizontalPodAutoscaler => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: ns.name },
      spec: {
        scaleTargetRef: { apiVersion: 'grove.io/v1alpha1', kind, name: target },
        minReplicas: min,
        maxReplicas: max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    });
    let o = await observe(client, ns.name, 'workload1');
    let keep = untouched(o, []);
    await client.create(RESOURCES.hpas, hpa('sg-x', 'PodCliqueScalingGroup', 'workload1-0-sg-x', 3, 4));
    await client.create(RESOURCES.hpas, hpa('pc-a', 'PodClique', 'workload1-0-pc-a', 4, 5));
    o = await converged(client, ns.name, workload1(1, [3], { 'workload1-0-pc-a': 4 }), STEP_MS);
    expect(o.pods).toHaveLength(16);
    expectKept(keep, o);
    // The writes were the autoscaler's (it records what it did on the HPA).
    const scaled = await client.get(RESOURCES.hpas, 'sg-x', ns.name);
    expect(scaled.status?.desiredReplicas).toBe(3);

    keep = untouched(o, ['workload1-0-pc-a', 'workload1-0-sg-x-2-pc-b', 'workload1-0-sg-x-2-pc-c']);
    await client.patch(RESOURCES.hpas, 'sg-x', ns.name, { spec: { minReplicas: 1, maxReplicas: 2 } });
    await client.patch(RESOURCES.hpas, 'pc-a', ns.name, { spec: { minReplicas: 1, maxReplicas: 2 } });
    o = await converged(client, ns.name, workload1(1, [2]), STEP_MS);
    expectKept(keep, o);
    await client.delete(RESOURCES.hpas, 'sg-x', ns.name);
    await client.delete(RESOURCES.hpas, 'pc-a', ns.name);
  });

  it('never picks a pod that is already terminating on scale-in (grove#758)', async () => {
    const hold = 'copse.io/test-hold';
    await scale('podclique', 'workload1-0-pc-a', 3);
    let o = await converged(client, ns.name, workload1(1, [2], { 'workload1-0-pc-a': 3 }), STEP_MS);
    const [oldest] = podsOfClique(o, 'workload1-0-pc-a').sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    const held = oldest?.metadata?.name ?? '';
    await client.patch(RESOURCES.pods, held, ns.name, { metadata: { finalizers: [hold] } });
    try {
      await client.delete(RESOURCES.pods, held, ns.name);
      // copse replaces the terminating pod; the held one stays, terminating.
      const live = await eventually(
        '3 live pc-a pods besides the held one',
        async () => {
          const pods = podsOfClique(await observe(client, ns.name, 'workload1'), 'workload1-0-pc-a');
          const active = pods.filter((p) => !p.metadata?.deletionTimestamp);
          return active.length === 3 && active.every((p) => (p.spec?.schedulingGates ?? []).length === 0) ? pods : undefined;
        },
        STEP_MS,
        500,
      );
      expect(live.find((p) => p.metadata?.name === held)?.metadata?.deletionTimestamp).toBeTruthy();
      const newest = live
        .filter((p) => !p.metadata?.deletionTimestamp)
        .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))[0];
      const before = new Set(live.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? ''));

      await scale('podclique', 'workload1-0-pc-a', 2);
      // Exactly one live pod gets a deletionTimestamp: the newest (Grove's victim order); the held pod
      // does not count as the scale-in.
      const after = await eventually(
        'one live pc-a pod deleted',
        async () => {
          const pods = podsOfClique(await observe(client, ns.name, 'workload1'), 'workload1-0-pc-a');
          const gone = [...before].filter((n) => !pods.some((p) => p.metadata?.name === n && !p.metadata?.deletionTimestamp));
          return gone.length >= 1 ? { pods, gone } : undefined;
        },
        STEP_MS,
        200,
      );
      expect(after.gone).toEqual([newest?.metadata?.name]);
      await new Promise((r) => setTimeout(r, 5000));
      const settled = podsOfClique(await observe(client, ns.name, 'workload1'), 'workload1-0-pc-a');
      expect(settled.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name).sort()).toEqual([...before].filter((n) => n !== newest?.metadata?.name).sort());
      expect(settled.find((p) => p.metadata?.name === held)?.metadata?.deletionTimestamp).toBeTruthy();
    } finally {
      await client.patch(RESOURCES.pods, held, ns.name, { metadata: { finalizers: null } }).catch(() => undefined);
    }
    o = await converged(client, ns.name, workload1(1, [2]), STEP_MS);
    expect(o.pods.some((p: Pod) => p.metadata?.name === held)).toBe(false);
  });
});

describe.skipIf(!present)('workload2: scaled gangs and template replicas', { timeout: TEST_MS }, () => {
  it('deploys the base gang with the group’s minimum and a scaled gang for replica 1', async () => {
    await client.create(RESOURCES.podCliqueSets, groveWorkload('workload2.yaml', ns.name));
    const o = await converged(client, ns.name, workload2(1, [2]), STEP_MS);
    const gangs = Object.fromEntries(o.podGangs.map((g) => [g.metadata.name, g.spec.podgroups.map((p) => p.name)]));
    expect(gangs).toEqual({
      'workload2-0': ['workload2-0-pc-a', 'workload2-0-sg-x-0-pc-b', 'workload2-0-sg-x-0-pc-c'],
      'workload2-0-sg-x-0': ['workload2-0-sg-x-1-pc-b', 'workload2-0-sg-x-1-pc-c'],
    });
  });

  it('template replicas reach the PodClique; a direct scale is kept until the template changes again (§10.12)', async () => {
    const patchTemplate = async (clique: number, replicas: number) => {
      // The controllers write the PodCliqueSet's status too: a failed resourceVersion test (422) is
      // retried when the object did move since it was read, and thrown otherwise.
      await eventually(`workload2: clique ${clique} replicas ${replicas} in the template`, async () => {
        const pcs = await client.get(RESOURCES.podCliqueSets, 'workload2', ns.name);
        const cliques = pcs.spec.template.cliques.map((c, i) => (i === clique ? { ...c, spec: { ...c.spec, replicas } } : c));
        try {
          await client.patch(RESOURCES.podCliqueSets, 'workload2', ns.name, [
            { op: 'test', path: '/metadata/resourceVersion', value: pcs.metadata.resourceVersion },
            { op: 'replace', path: '/spec/template/cliques', value: cliques },
          ]);
          return true;
        } catch (err) {
          const now = await client.get(RESOURCES.podCliqueSets, 'workload2', ns.name);
          if (now.metadata.resourceVersion !== pcs.metadata.resourceVersion) return undefined;
          throw err;
        }
      }, 30_000, 200);
    };
    const cliques = (a: number, c: number) => ({ 'pc-a': { replicas: a, minAvailable: 1 }, 'pc-b': { replicas: 1, minAvailable: 1 }, 'pc-c': { replicas: c, minAvailable: 1 } });
    let o = await observe(client, ns.name, 'workload2');
    const keep = untouched(o, []);
    await patchTemplate(0, 3);
    o = await converged(client, ns.name, workload2(1, [2], {}, cliques(3, 3)), STEP_MS);
    expectKept(keep, o);

    await scale('podclique', 'workload2-0-pc-a', 1);
    await converged(client, ns.name, workload2(1, [2], { 'workload2-0-pc-a': 1 }, cliques(3, 3)), STEP_MS);
    // Another template edit (pc-c) runs the PodCliqueSet controller over pc-a again: the scale stays.
    await patchTemplate(2, 2);
    o = await converged(client, ns.name, workload2(1, [2], { 'workload2-0-pc-a': 1 }, cliques(3, 2)), STEP_MS);
    const pcA = o.podCliques.find((p) => p.metadata.name === 'workload2-0-pc-a');
    expect(pcA?.spec.replicas).toBe(1);

    await patchTemplate(0, 2);
    await converged(client, ns.name, workload2(1, [2], {}, cliques(2, 2)), STEP_MS);
  });
});
