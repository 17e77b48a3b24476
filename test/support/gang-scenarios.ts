// Grove's gang (GS) and topology (TAS) scenarios, written once and run on both scheduler backends of
// the local cluster: test/e2e/gang-scheduling.test.ts runs them in workload-scheduling mode `off`
// (every gang goes through copse's planner and extender), test/e2e/gang-scheduling-native.test.ts in
// mode `native` (kube-scheduler places the gangs native v1.37 objects can express; the rest still go
// the extender way). The assertions are the same on both: a gang's minimum is bound whole or not at
// all, and every required domain is honoured. On top, every scenario asserts which backend holds its
// gangs (the PodGang's SchedulingBackend condition, and the Workload and PodGroups of a native gang),
// and only the reason a waiting gang gives is worded by its backend.
//
// Scenarios run on private pools of simulated nodes. Nodes of the gang pools take one pod each (80Mi
// requested of 100Mi), so "how many nodes are schedulable" is "how many pods fit", as in Grove's own
// e2e.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet, PodGang } from '../../api/index.js';
import { LABEL_PART_OF } from '../../api/keys.js';
import { NATIVE_REASON, schedulingGroupOf } from '../../api/native/index.js';
import { RESOURCES, type Resource } from '../../kube/resources.js';
import { NATIVE_RESOURCES } from '../../scheduler/native/resources.js';
import { LOCAL_LEVELS, clusterTopology, uniqueSuffix } from './admission.js';
import { createNamespace, listIn, testClient } from './dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from './grove-samples.js';
import { eventually } from './kube.js';
import { boundPods, createPool, perClique, type Pool, wholeGang } from './pool.js';

/** The cluster's backend: `extender` in workload-scheduling mode off, `native` in mode native. */
export type ClusterBackend = 'extender' | 'native';

/** Who holds a gang on a native cluster: kube-scheduler natively, or the extender for a reason. */
type Holder = 'native' | { extender: RegExp };

/** What a native gang's Scheduled condition says (after the list of short pod groups) while kube-scheduler cannot place it. */
const NATIVE_WAITING = /\. kube-scheduler \(native gang scheduling\), PodGroup \S+: pod group is unschedulable/;

/** Registers the scenarios on the cluster whose admin kubeconfig is `kubeconfig`. */
export function gangScenarios(cluster: ClusterBackend, kubeconfig: string): void {
  const client = testClient(kubeconfig);
  const present = groveSamplesPresent({ suite: `gang scheduling (${cluster}): Grove e2e workloads`, suites: 3, sub: 'e2e-workloads' });
  const workloads = present ? podCliqueSetDocs('e2e-workloads') : [];

  function workload(file: string): Record<string, unknown> {
    const found = workloads.find((w) => w.file.endsWith(`/${file}`));
    if (!found) throw new Error(`Grove e2e workload ${file} not found`);
    return found.doc;
  }

  async function podsOf(ns: string, pcs: string): Promise<Pod[]> {
    return (await listIn(client, RESOURCES.pods, ns, `${LABEL_PART_OF}=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
  }

  /** Wait for exactly `total` pods of the PCS with exactly `bound` of them on nodes. */
  function boundCount(ns: string, pcs: string, total: number, bound: number, timeoutMs = 90_000): Promise<Pod[]> {
    return eventually(
      `${bound} of ${total} pods of ${ns}/${pcs} bound`,
      async () => {
        const pods = await podsOf(ns, pcs);
        return pods.length === total && boundPods(pods).length === bound ? pods : undefined;
      },
      timeoutMs,
      250,
    );
  }

  /** The backend that places `gang` on this cluster. */
  const placedBy = (holder: Holder): 'native' | 'extender' => (cluster === 'native' && holder === 'native' ? 'native' : 'extender');

  /**
   * The gang's Scheduled condition once it says why it waits: `extenderPattern` when copse's planner
   * holds it, kube-scheduler's own words when it is native.
   */
  function unschedulable(ns: string, gang: string, extenderPattern: RegExp, holder: Holder = 'native', timeoutMs = 90_000): Promise<string> {
    const pattern = placedBy(holder) === 'native' ? NATIVE_WAITING : extenderPattern;
    return eventually(
      `PodGang ${ns}/${gang} Scheduled=False matching ${pattern}`,
      async () => {
        const g = await client.tryGet(RESOURCES.podGangs, gang, ns);
        const c = g?.status?.conditions?.find((x) => x.type === 'Scheduled');
        return c?.status === 'False' && pattern.test(c.message ?? '') ? (c.message ?? '') : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Which backend holds `gang`: on a native cluster its SchedulingBackend condition names it (with the
   * reason when it is the extender), a native gang has its Workload and one PodGroup per pod group and
   * its pods join them, an extender gang has none; on an extender cluster there is no such condition.
   */
  async function expectHeldBy(ns: string, gang: string, holder: Holder): Promise<void> {
    const g = await eventually(`PodGang ${ns}/${gang}`, () => client.tryGet(RESOURCES.podGangs, gang, ns));
    const pods = (await listIn(client, RESOURCES.pods, ns, `grove.io/podgang=${gang}`)).filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods.length).toBeGreaterThan(0);
    if (cluster === 'extender') {
      expect(g.metadata.annotations?.['scheduling.copse.io/backend']).toBeUndefined();
      expect(g.status?.conditions?.find((c) => c.type === 'SchedulingBackend')).toBeUndefined();
      expect(pods.map(schedulingGroupOf).filter(Boolean)).toEqual([]);
      return;
    }
    const cond = await eventually(`PodGang ${ns}/${gang} SchedulingBackend`, async () => {
      const now = await client.tryGet(RESOURCES.podGangs, gang, ns);
      return now?.status?.conditions?.find((c) => c.type === 'SchedulingBackend');
    });
    if (holder === 'native') {
      expect(cond).toMatchObject({ status: 'True', reason: 'Native', message: NATIVE_REASON });
      const wl = await client.get(NATIVE_RESOURCES.workloads, gang, ns);
      expect(wl.spec.controllerRef).toEqual({ apiGroup: 'scheduler.grove.io', kind: 'PodGang', name: gang });
      for (const pg of g.spec.podgroups) {
        const native = await client.get(NATIVE_RESOURCES.podGroups, pg.name, ns);
        expect(native.spec.schedulingPolicy.gang.minCount).toBe(pg.minReplicas);
      }
      // The gang's minimum joins its PodGroups (the pods below each pod group's minReplicas); the pods
      // beyond it are ordinary pods to kube-scheduler (api/native/backend.ts, joinsPodGroup).
      const joined = (p: Pod) => {
        const clique = p.metadata?.labels?.['grove.io/podclique'];
        const min = g.spec.podgroups.find((x) => x.name === clique)?.minReplicas ?? 0;
        return Number(p.metadata?.labels?.['grove.io/podclique-pod-index']) < min ? clique : undefined;
      };
      expect(pods.filter((p) => schedulingGroupOf(p) !== joined(p)).map((p) => `${p.metadata?.name ?? ''}: ${schedulingGroupOf(p) ?? 'no group'}`)).toEqual([]);
    } else {
      expect(cond).toMatchObject({ status: 'True', reason: 'Extender' });
      expect(cond?.message).toMatch(holder.extender);
      expect(await client.tryGet(NATIVE_RESOURCES.workloads, gang, ns)).toBeUndefined();
      expect(pods.map(schedulingGroupOf).filter(Boolean)).toEqual([]);
    }
  }

  /** Holds for a while: nothing more gets bound (a partial gang would show here). */
  async function stays(ns: string, pcs: string, bound: number, ms = 3_000): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      expect(boundPods(await podsOf(ns, pcs)).length).toBe(bound);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function scale<T>(r: Resource<T>, name: string, ns: string, replicas: number): Promise<void> {
    await client.patch(r, name, ns, { spec: { replicas } }, { subresource: 'scale' });
  }

  describe.skipIf(!present)(`gang scheduling, ${cluster} backend (Grove GS scenarios)`, () => {
    let pool: Pool;
    let ns: { name: string; cleanup: () => Promise<void> };

    beforeAll(async () => {
      // 28 nodes: GS4, GS11 and GS12 end with 28 pods, one a node.
      pool = await createPool(client, `gs-${uniqueSuffix()}`, { racksPerBlock: 2, hostsPerRack: 14, memory: '100Mi' });
      ns = await createNamespace(client, 'gs');
    });
    afterAll(async () => {
      await ns?.cleanup();
      await pool?.cleanup();
    });

    it('GS1/GS2: workload1 waits whole while one node short, then binds all 10 at once; a scaled gang never binds partly', async () => {
      // 9 nodes free for a base gang of 10; 5 of the cordoned ones come back one step at a time.
      const [free, cordoned] = [pool.nodes.slice(0, 9), pool.nodes.slice(9, 14)];
      await pool.cordon(pool.nodes.slice(9));
      await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('workload1.yaml'), { namespace: ns.name }) as unknown as PodCliqueSet);
      const reason = await unschedulable(ns.name, 'workload1-0', /needs/);
      if (placedBy('native') === 'extender') expect(reason).toMatch(/Pod groups below minReplicas scheduled/);
      await expectHeldBy(ns.name, 'workload1-0', 'native');
      await boundCount(ns.name, 'workload1', 10, 0);
      await stays(ns.name, 'workload1', 0);
      expect(free.length).toBe(9);

      // One more node: the whole gang fits and is bound.
      await pool.uncordon(cordoned.slice(0, 1));
      const pods = await boundCount(ns.name, 'workload1', 10, 10);
      expect(perClique(pods)).toEqual({
        'workload1-0-pc-a': 2,
        'workload1-0-sg-x-0-pc-b': 1,
        'workload1-0-sg-x-0-pc-c': 3,
        'workload1-0-sg-x-1-pc-b': 1,
        'workload1-0-sg-x-1-pc-c': 3,
      });
      expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(10);

      // Scale sg-x to 3: a scaled gang of 4 (pc-b 1 + pc-c 3) with 4 nodes still cordoned.
      await scale(RESOURCES.podCliqueScalingGroups, 'workload1-0-sg-x', ns.name, 3);
      await boundCount(ns.name, 'workload1', 14, 10);
      await unschedulable(ns.name, 'workload1-0-sg-x-0', /needs/);
      await expectHeldBy(ns.name, 'workload1-0-sg-x-0', 'native');
      // Three of the four nodes back: still not enough for the gang, so none of it binds.
      await pool.uncordon(cordoned.slice(1, 4));
      await stays(ns.name, 'workload1', 10);
      await pool.uncordon(cordoned.slice(4));
      const all = await boundCount(ns.name, 'workload1', 14, 14);
      expect(perClique(all.filter((p) => p.metadata?.labels?.['grove.io/podgang'] === 'workload1-0-sg-x-0'))).toEqual({
        'workload1-0-sg-x-2-pc-b': 1,
        'workload1-0-sg-x-2-pc-c': 3,
      });
      await client.delete(RESOURCES.podCliqueSets, 'workload1', ns.name);
      await eventually('workload1 pods gone', async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=workload1`)).length === 0 || undefined, 60_000);
    });

    // On native only the pods below each pod group's minReplicas join its PodGroup: extras inside the
    // group would be placed greedily by kube-scheduler and take the nodes a sibling's minimum needs.
    it('GS5: workload2 binds exactly its base minimum (pc-a, sg-x-0 pc-b, sg-x-0 pc-c) when three nodes are free', async () => {
      await pool.uncordon(pool.nodes);
      await pool.cordon(pool.nodes.slice(10));
      const ten = pool.nodes.slice(0, 10);
      await pool.cordon(ten.slice(2));
      await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('workload2.yaml'), { namespace: ns.name }) as unknown as PodCliqueSet);
      await unschedulable(ns.name, 'workload2-0', /needs/);
      await expectHeldBy(ns.name, 'workload2-0', 'native');
      await boundCount(ns.name, 'workload2', 10, 0);
      await stays(ns.name, 'workload2', 0);

      await pool.uncordon(ten.slice(2, 3));
      const three = boundPods(await boundCount(ns.name, 'workload2', 10, 3));
      expect(perClique(three)).toEqual({ 'workload2-0-pc-a': 1, 'workload2-0-sg-x-0-pc-b': 1, 'workload2-0-sg-x-0-pc-c': 1 });
      await stays(ns.name, 'workload2', 3);

      // Two more: the scaled gang sg-x-1 (pc-b 1 + pc-c 1) goes in whole.
      await pool.uncordon(ten.slice(3, 5));
      const five = boundPods(await boundCount(ns.name, 'workload2', 10, 5));
      expect(perClique(five)).toEqual({
        'workload2-0-pc-a': 1,
        'workload2-0-sg-x-0-pc-b': 1,
        'workload2-0-sg-x-0-pc-c': 1,
        'workload2-0-sg-x-1-pc-b': 1,
        'workload2-0-sg-x-1-pc-c': 1,
      });
      await pool.uncordon(ten.slice(5));
      await boundCount(ns.name, 'workload2', 10, 10);
      await client.delete(RESOURCES.podCliqueSets, 'workload2', ns.name);
      await eventually('workload2 pods gone', async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=workload2`)).length === 0 || undefined, 60_000);
    });

    it('GS3: scaling the PodCliqueSet to 2 adds 10 pods that bind only when all 10 fit', async () => {
      await pool.uncordon(pool.nodes);
      await pool.cordon(pool.nodes.slice(10));
      const doc = pool.adapt(workload('workload1.yaml'), { namespace: ns.name });
      (doc.metadata as Record<string, unknown>).name = 'wl1b';
      await client.create(RESOURCES.podCliqueSets, doc as unknown as PodCliqueSet);
      await boundCount(ns.name, 'wl1b', 10, 10);
      await scale(RESOURCES.podCliqueSets, 'wl1b', ns.name, 2);
      await boundCount(ns.name, 'wl1b', 20, 10);
      await unschedulable(ns.name, 'wl1b-1', /needs/);
      await expectHeldBy(ns.name, 'wl1b-1', 'native');
      await pool.uncordon(pool.nodes.slice(10, 19));
      await stays(ns.name, 'wl1b', 10);
      await pool.uncordon(pool.nodes.slice(19));
      const all = await boundCount(ns.name, 'wl1b', 20, 20);
      expect(all.filter((p) => p.metadata?.labels?.['grove.io/podcliqueset-replica-index'] === '1').length).toBe(10);
      await client.delete(RESOURCES.podCliqueSets, 'wl1b', ns.name);
    });

    // Grove's GS4 and GS6-GS12: one PodCliqueSet per scenario on the first `nodes` nodes of the pool,
    // `free` of them schedulable at first, the others uncordoned a few at a time. After each step the
    // bound pods are asserted exactly, PodClique by PodClique: a gang's minimum comes whole or not at
    // all, and every gang's minimum (the base gangs of all replicas first, then the scaled gangs) before
    // any pod beyond one.
    interface Gs {
      /** Uncordon the next `n` cordoned nodes of the scenario. */
      uncordon(n: number): Promise<void>;
      /** Waits for exactly `total` pods, the bound ones exactly `bound` per PodClique (names without `<pcs>-`). */
      expectBound(total: number, bound: Record<string, number>): Promise<void>;
      /** Waits until `gang` (names without `<pcs>-`) waits for room and says so. */
      waiting(...gangs: string[]): Promise<void>;
      scalePcs(replicas: number): Promise<void>;
      /** Scale PCS replica `replica`'s sg-x. */
      scaleSg(replica: number, replicas: number): Promise<void>;
      finish(): Promise<void>;
    }

    async function gsScenario(name: string, file: string, nodes: number, free: number): Promise<Gs> {
      // A scenario that failed half-way leaves its PodCliqueSet: its pods would hold the nodes.
      for (const left of await listIn(client, RESOURCES.podCliqueSets, ns.name)) await client.delete(RESOURCES.podCliqueSets, left.metadata.name ?? '', ns.name);
      await eventually('no pod left from earlier scenarios', async () => (await listIn(client, RESOURCES.pods, ns.name)).length === 0 || undefined, 60_000);
      const mine = pool.nodes.slice(0, nodes);
      await pool.cordon(pool.nodes.slice(free));
      await pool.uncordon(mine.slice(0, free));
      let next = free;
      const doc = pool.adapt(workload(file), { namespace: ns.name });
      (doc.metadata as Record<string, unknown>).name = name;
      await client.create(RESOURCES.podCliqueSets, doc as unknown as PodCliqueSet);
      const prefixed = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`${name}-${k}`, v]));
      return {
        async uncordon(n) {
          if (next + n > mine.length) throw new Error(`${name}: only ${mine.length - next} cordoned nodes left`);
          await pool.uncordon(mine.slice(next, next + n));
          next += n;
        },
        async expectBound(total, bound) {
          const want = Object.values(bound).reduce((a, b) => a + b, 0);
          const pods = await boundCount(ns.name, name, total, want);
          const on = boundPods(pods);
          expect(perClique(on)).toEqual(prefixed(bound));
          expect(new Set(on.map((p) => p.spec?.nodeName)).size).toBe(on.length);
        },
        async waiting(...gangs) {
          for (const g of gangs) await unschedulable(ns.name, `${name}-${g}`, /needs/);
        },
        scalePcs: (replicas) => scale(RESOURCES.podCliqueSets, name, ns.name, replicas),
        async scaleSg(replica, replicas) {
          const pcsg = `${name}-${replica}-sg-x`;
          await eventually(`PodCliqueScalingGroup ${pcsg}`, () => client.tryGet(RESOURCES.podCliqueScalingGroups, pcsg, ns.name));
          await scale(RESOURCES.podCliqueScalingGroups, pcsg, ns.name, replicas);
        },
        async finish() {
          await client.delete(RESOURCES.podCliqueSets, name, ns.name);
          await eventually(`${name} pods gone`, async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${name}`)).length === 0 || undefined, 60_000);
        },
      };
    }

    // Up to 13 steps of binds and scale-outs, on a shared 2-core machine.
    const GS_MS = 300_000;
    // GS4, GS6/GS11, GS7, GS9 and GS12 walk the same minimum-first bookkeeping as GS8 and GS10 with more
    // steps; on the native backend each step costs kube-scheduler's retry delays (about 5 minutes in all
    // on CI's 2 cores), so native runs GS8 (scaled gangs before anything binds) and GS10 (the minimums
    // of every replica first, where the native backend had its own bug) and reports the rest skipped.
    const extenderSteps = it.runIf(cluster === 'extender');
    const merge = (...parts: Record<string, number>[]): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    // workload1: every pod is in its gang's minimum. A PCS replica with `sg` sg-x replicas.
    const wl1 = (r: number, sg: number) => merge({ [`${r}-pc-a`]: 2 }, ...Array.from({ length: sg }, (_, j) => ({ [`${r}-sg-x-${j}-pc-b`]: 1, [`${r}-sg-x-${j}-pc-c`]: 3 })));
    // workload2: the base gang's minimum (pc-a 1, sg-x-0 pc-b 1 and pc-c 1), a scaled gang's (sg-x-j
    // pc-b 1 and pc-c 1), and a whole replica (pc-a 2, each sg-x replica pc-b 1 and pc-c 3).
    const base2 = (r: number) => ({ [`${r}-pc-a`]: 1, [`${r}-sg-x-0-pc-b`]: 1, [`${r}-sg-x-0-pc-c`]: 1 });
    const sg2 = (r: number, j: number) => ({ [`${r}-sg-x-${j}-pc-b`]: 1, [`${r}-sg-x-${j}-pc-c`]: 1 });
    const wl2 = (r: number, sg: number) => merge({ [`${r}-pc-a`]: 2 }, ...Array.from({ length: sg }, (_, j) => ({ [`${r}-sg-x-${j}-pc-b`]: 1, [`${r}-sg-x-${j}-pc-c`]: 3 })));

    extenderSteps('GS4: workload1 scaled by its scaling group, then by replicas, then by the new replica\'s scaling group: 10, 14, 24, 28 bound, each gang whole', async () => {
      const gs = await gsScenario('gs4', 'workload1.yaml', 28, 9);
      await gs.waiting('0');
      await expectHeldBy(ns.name, 'gs4-0', 'native');
      await gs.expectBound(10, {});
      await gs.uncordon(1);
      await gs.expectBound(10, wl1(0, 2));
      await gs.scaleSg(0, 3);
      await gs.waiting('0-sg-x-0');
      await gs.expectBound(14, wl1(0, 2));
      await gs.uncordon(4);
      await gs.expectBound(14, wl1(0, 3));
      await gs.scalePcs(2);
      await gs.waiting('1');
      await gs.expectBound(24, wl1(0, 3));
      await gs.uncordon(10);
      await gs.expectBound(24, merge(wl1(0, 3), wl1(1, 2)));
      await gs.scaleSg(1, 3);
      await gs.waiting('1-sg-x-0');
      await expectHeldBy(ns.name, 'gs4-1-sg-x-0', 'native');
      await gs.expectBound(28, merge(wl1(0, 3), wl1(1, 2)));
      await gs.uncordon(4);
      await gs.expectBound(28, merge(wl1(0, 3), wl1(1, 3)));
      await gs.finish();
    }, GS_MS);

    // GS6 is the first half of GS11, step for step (Grove's GS6 stops after sg-x-2 is whole).
    extenderSteps('GS6/GS11: workload2 with its scaling group, then replicas, then the new replica\'s scaling group scaled: each gang\'s minimum first, 3/10/12/14/17/24/26/28 bound', async () => {
      const gs = await gsScenario('gs11', 'workload2.yaml', 28, 2);
      await gs.waiting('0');
      await expectHeldBy(ns.name, 'gs11-0', 'native');
      await gs.expectBound(10, {});
      await gs.uncordon(1);
      await gs.expectBound(10, base2(0));
      await gs.uncordon(7);
      await gs.expectBound(10, wl2(0, 2));
      await gs.scaleSg(0, 3);
      await gs.waiting('0-sg-x-1');
      await expectHeldBy(ns.name, 'gs11-0-sg-x-1', 'native');
      await gs.expectBound(14, wl2(0, 2));
      await gs.uncordon(2);
      await gs.expectBound(14, merge(wl2(0, 2), sg2(0, 2)));
      await gs.uncordon(2);
      await gs.expectBound(14, wl2(0, 3));
      // GS6 ends here; GS11 goes on with a second replica.
      await gs.scalePcs(2);
      await gs.waiting('1');
      await gs.expectBound(24, wl2(0, 3));
      await gs.uncordon(3);
      await gs.expectBound(24, merge(wl2(0, 3), base2(1)));
      await gs.uncordon(7);
      await gs.expectBound(24, merge(wl2(0, 3), wl2(1, 2)));
      await gs.scaleSg(1, 3);
      await gs.waiting('1-sg-x-1');
      await gs.expectBound(28, merge(wl2(0, 3), wl2(1, 2)));
      await gs.uncordon(2);
      await gs.expectBound(28, merge(wl2(0, 3), wl2(1, 2), sg2(1, 2)));
      await gs.uncordon(2);
      await gs.expectBound(28, merge(wl2(0, 3), wl2(1, 3)));
      await gs.finish();
    }, GS_MS);

    extenderSteps('GS7: workload2 binds its base minimum (3), then sg-x-1\'s (5), then the rest (10); scaled to 3, sg-x-2\'s minimum (12), then the rest (14)', async () => {
      const gs = await gsScenario('gs7', 'workload2.yaml', 14, 2);
      await gs.waiting('0');
      await gs.expectBound(10, {});
      await gs.uncordon(1);
      await gs.expectBound(10, base2(0));
      await gs.waiting('0-sg-x-0');
      await expectHeldBy(ns.name, 'gs7-0-sg-x-0', 'native');
      await gs.uncordon(2);
      await gs.expectBound(10, merge(base2(0), sg2(0, 1)));
      await gs.uncordon(5);
      await gs.expectBound(10, wl2(0, 2));
      await gs.scaleSg(0, 3);
      await gs.waiting('0-sg-x-1');
      await gs.expectBound(14, wl2(0, 2));
      await gs.uncordon(2);
      await gs.expectBound(14, merge(wl2(0, 2), sg2(0, 2)));
      await gs.uncordon(2);
      await gs.expectBound(14, wl2(0, 3));
      await gs.finish();
    }, GS_MS);

    it('GS8: workload2 scaled to 3 sg-x replicas before anything binds: the base minimum (3), both scaled minimums (7), then the rest (14)', async () => {
      const gs = await gsScenario('gs8', 'workload2.yaml', 14, 2);
      await gs.waiting('0');
      await gs.scaleSg(0, 3);
      await gs.expectBound(14, {});
      await gs.uncordon(1);
      await gs.expectBound(14, base2(0));
      await gs.waiting('0-sg-x-0', '0-sg-x-1');
      await gs.uncordon(4);
      await gs.expectBound(14, merge(base2(0), sg2(0, 1), sg2(0, 2)));
      await gs.uncordon(7);
      await gs.expectBound(14, wl2(0, 3));
      await gs.finish();
    }, GS_MS);

    extenderSteps('GS9: workload2 whole (3, then 10), scaled to 2 replicas: the new replica\'s base minimum (13), then the rest (20)', async () => {
      const gs = await gsScenario('gs9', 'workload2.yaml', 20, 2);
      await gs.waiting('0');
      await gs.expectBound(10, {});
      await gs.uncordon(1);
      await gs.expectBound(10, base2(0));
      await gs.uncordon(7);
      await gs.expectBound(10, wl2(0, 2));
      await gs.scalePcs(2);
      await gs.waiting('1');
      await expectHeldBy(ns.name, 'gs9-1', 'native');
      await gs.expectBound(20, wl2(0, 2));
      await gs.uncordon(3);
      await gs.expectBound(20, merge(wl2(0, 2), base2(1)));
      await gs.uncordon(7);
      await gs.expectBound(20, merge(wl2(0, 2), wl2(1, 2)));
      await gs.finish();
    }, GS_MS);

    it('GS10: workload2 scaled to 2 replicas before anything binds: both base minimums (6), both sg-x-1 minimums (10), then the rest (20)', async () => {
      const gs = await gsScenario('gs10', 'workload2.yaml', 20, 2);
      await gs.waiting('0');
      await gs.scalePcs(2);
      await gs.waiting('1');
      await gs.expectBound(20, {});
      await gs.uncordon(4);
      await gs.expectBound(20, merge(base2(0), base2(1)));
      await gs.waiting('0-sg-x-0', '1-sg-x-0');
      await gs.uncordon(4);
      await gs.expectBound(20, merge(base2(0), base2(1), sg2(0, 1), sg2(1, 1)));
      await gs.uncordon(10);
      await gs.expectBound(20, merge(wl2(0, 2), wl2(1, 2)));
      await gs.finish();
    }, GS_MS);

    extenderSteps('GS12: workload2 with 2 replicas of 3 sg-x replicas each before anything binds: both base minimums (6), the four scaled minimums (14), then the rest (28)', async () => {
      const gs = await gsScenario('gs12', 'workload2.yaml', 28, 2);
      await gs.waiting('0');
      await gs.scalePcs(2);
      // As Grove's GS12 does, the scaling groups only once the second replica's 10 pods exist: a
      // PodCliqueScalingGroup scaled while the PodCliqueSet controller still syncs the scale-out of
      // the PodCliqueSet can be set back (an apply computed from the cached, older replicas).
      await gs.waiting('1');
      await gs.expectBound(20, {});
      await gs.scaleSg(0, 3);
      await gs.scaleSg(1, 3);
      await gs.expectBound(28, {});
      await gs.uncordon(4);
      await gs.expectBound(28, merge(base2(0), base2(1)));
      await gs.waiting('0-sg-x-0', '0-sg-x-1', '1-sg-x-0', '1-sg-x-1');
      await expectHeldBy(ns.name, 'gs12-1-sg-x-1', 'native');
      await gs.uncordon(8);
      await gs.expectBound(28, merge(base2(0), base2(1), sg2(0, 1), sg2(0, 2), sg2(1, 1), sg2(1, 2)));
      await gs.uncordon(14);
      await gs.expectBound(28, merge(wl2(0, 3), wl2(1, 3)));
      await gs.finish();
    }, GS_MS);
  });

  describe.skipIf(!present)(`competing gangs, ${cluster} backend`, () => {
    let pool: Pool;
    let ns: { name: string; cleanup: () => Promise<void> };

    beforeAll(async () => {
      pool = await createPool(client, `cg-${uniqueSuffix()}`, { racksPerBlock: 1, hostsPerRack: 4, memory: '100Mi' });
      ns = await createNamespace(client, 'cg');
    });
    afterAll(async () => {
      await ns?.cleanup();
      await pool?.cleanup();
    });

    const gangOf3 = (name: string): PodCliqueSet => wholeGang(pool, name, ns.name, 3);

    it('two gangs of 3 on 4 nodes, with an ordinary pod arriving too: one gang whole, the other waits whole, then goes in', async () => {
      const plain: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'plain', namespace: ns.name },
        spec: {
          containers: [{ name: 'p', image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '80Mi' } } }],
          tolerations: [{ key: 'e2e.copse.io/pool', operator: 'Equal', value: pool.name, effect: 'NoSchedule' }],
          nodeSelector: { 'e2e.copse.io/pool': pool.name },
        },
      };
      await Promise.all([client.create(RESOURCES.podCliqueSets, gangOf3('ga')), client.create(RESOURCES.podCliqueSets, gangOf3('gb')), client.create(RESOURCES.pods, plain)]);
      const settled = await eventually(
        'one gang bound whole and the plain pod bound',
        async () => {
          const [a, b] = [boundPods(await podsOf(ns.name, 'ga')).length, boundPods(await podsOf(ns.name, 'gb')).length];
          const p = await client.get(RESOURCES.pods, 'plain', ns.name);
          return (a === 3 || b === 3) && p.spec?.nodeName ? { a, b } : undefined;
        },
        60_000,
      );
      expect([settled.a, settled.b].sort()).toEqual([0, 3]);
      const [winner, loser] = settled.a === 3 ? ['ga', 'gb'] : ['gb', 'ga'];
      await stays(ns.name, loser, 0);
      await unschedulable(ns.name, `${loser}-0`, /needs/);
      await expectHeldBy(ns.name, `${loser}-0`, 'native');
      await expectHeldBy(ns.name, `${winner}-0`, 'native');

      // The winner goes away: the loser is bound whole in the room it leaves.
      await client.delete(RESOURCES.podCliqueSets, winner, ns.name);
      const placed = await boundCount(ns.name, loser, 3, 3);
      expect(new Set(placed.map((p) => p.spec?.nodeName)).size).toBe(3);
      const gang = await eventually(
        `${loser}-0 Scheduled`,
        async () => {
          const g: PodGang | undefined = await client.tryGet(RESOURCES.podGangs, `${loser}-0`, ns.name);
          return g?.status?.conditions?.find((c) => c.type === 'Scheduled')?.status === 'True' ? g : undefined;
        },
        30_000,
      );
      expect(gang.status?.phase).toMatch(/Starting|Running/);
    });
  });

  describe.skipIf(!present)(`topology packing, ${cluster} backend (Grove TAS scenarios on a pool with racks and blocks)`, () => {
    let pool: Pool;
    let ns: { name: string; cleanup: () => Promise<void> };
    const topology = `tas-${uniqueSuffix()}`;

    beforeAll(async () => {
      // 2 blocks × 2 racks × 2 hosts; 4 pods of 500Mi a node, 8 a rack.
      pool = await createPool(client, `tas-${uniqueSuffix()}`, { blocks: 2, racksPerBlock: 2, hostsPerRack: 2, memory: '2Gi' });
      ns = await createNamespace(client, 'tas');
      await client.create(RESOURCES.clusterTopologyBindings, clusterTopology(topology, LOCAL_LEVELS) as never);
    });
    afterAll(async () => {
      await ns?.cleanup();
      await pool?.cleanup();
      await client.delete(RESOURCES.clusterTopologyBindings, topology, undefined);
    });

    // The PodCliqueSet names its binding only on its cliques; each clique's key reaches its leaf PodGroup.
    it('TAS2: worker-rack lands in one rack and worker-block in one block', async () => {
      await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('tas-indep-clq.yaml'), { namespace: ns.name, topologyName: topology }) as unknown as PodCliqueSet);
      const pods = await boundCount(ns.name, 'tas-indep-clq', 7, 7);
      if (cluster === 'native') {
        // Each clique's key on its leaf PodGroup.
        const keys = await Promise.all(['worker-rack', 'worker-block'].map(async (c) => (await client.get(NATIVE_RESOURCES.podGroups, `tas-indep-clq-0-${c}`, ns.name)).spec.schedulingConstraints?.topology));
        expect(keys).toEqual([[{ key: 'topology.copse.io/rack' }], [{ key: 'topology.copse.io/block' }]]);
      }
      const rackPods = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === 'tas-indep-clq-0-worker-rack');
      const blockPods = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === 'tas-indep-clq-0-worker-block');
      expect(rackPods.length).toBe(3);
      expect(blockPods.length).toBe(4);
      expect(new Set(rackPods.map((p) => pool.rackOf(p.spec?.nodeName ?? ''))).size).toBe(1);
      expect(new Set(blockPods.map((p) => pool.blockOf(p.spec?.nodeName ?? ''))).size).toBe(1);
      await expectHeldBy(ns.name, 'tas-indep-clq-0', 'native');
      await client.delete(RESOURCES.podCliqueSets, 'tas-indep-clq', ns.name);
    });

    it('TAS13: 10 pods of 500Mi that must share a rack (8 fit) stay wholly pending, and the gang says why', async () => {
      await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('tas-insuffic.yaml'), { namespace: ns.name, topologyName: topology }) as unknown as PodCliqueSet);
      const message = await unschedulable(ns.name, 'tas-insuffic-0', /rack/);
      await expectHeldBy(ns.name, 'tas-insuffic-0', 'native');
      await boundCount(ns.name, 'tas-insuffic', 10, 0);
      await stays(ns.name, 'tas-insuffic', 0);
      if (placedBy('native') === 'extender') {
        expect(message).toMatch(/needs .* in one topology\.copse\.io\/rack/);
        const events = (await listIn(client, RESOURCES.events, ns.name)).filter((e) => e.reason === 'GangUnschedulable' && e.involvedObject?.name === 'tas-insuffic');
        expect(events.length).toBeGreaterThan(0);
        expect(events[0]?.message).toMatch(/topology\.copse\.io\/rack/);
      } else {
        // kube-scheduler does not name the key; the gang's root group carries it.
        const root = await client.get(NATIVE_RESOURCES.compositePodGroups, 'tas-insuffic-0', ns.name);
        expect(root.spec.schedulingConstraints?.topology).toEqual([{ key: 'topology.copse.io/rack' }]);
      }
      // The PodCliqueSet says it too, with the gang's own reason.
      const cond = await eventually(
        'tas-insuffic PodGangsScheduled=False',
        async () => {
          const pcs = await client.get(RESOURCES.podCliqueSets, 'tas-insuffic', ns.name);
          const c = pcs.status?.conditions?.find((x) => x.type === 'PodGangsScheduled');
          return c?.status === 'False' ? c : undefined;
        },
        30_000,
      );
      expect(cond.reason).toBe('PodGangsPending');
      expect(cond.message).toMatch(/^1 of 1 PodGangs below their minimum scheduled\. tas-insuffic-0: /);
      expect(cond.message).toMatch(placedBy('native') === 'native' ? /tas-insuffic-0: .*\. kube-scheduler \(native gang scheduling\)/ : /topology\.copse\.io\/rack/);
      await client.delete(RESOURCES.podCliqueSets, 'tas-insuffic', ns.name);
    });

    function tasPcs(name: string, replicas: number, template: Record<string, unknown>, annotations: Record<string, string> = {}): PodCliqueSet {
      return pool.adapt(
        {
          apiVersion: 'grove.io/v1alpha1',
          kind: 'PodCliqueSet',
          metadata: { name, annotations },
          spec: { replicas, template },
        },
        { namespace: ns.name },
      ) as unknown as PodCliqueSet;
    }
    const worker = (name: string, replicas: number, minAvailable = replicas) => ({
      name,
      spec: {
        roleName: name,
        replicas,
        minAvailable,
        podSpec: { containers: [{ name, image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '500Mi' } } }] },
      },
    });
    const racksOf = (pods: readonly Pod[]) => new Set(pods.map((p) => pool.rackOf(p.spec?.nodeName ?? '')));
    const ofReplica = (pods: readonly Pod[], i: number) => pods.filter((p) => p.metadata?.labels?.['grove.io/podcliqueset-replica-index'] === String(i));

    it('replica spread (copse): no two replicas share a rack; the replica with no rack left waits and says why', async () => {
      const pcs = tasPcs(
        'spread',
        2,
        { topologyConstraint: { topologyName: topology, pack: { required: 'rack' } }, cliques: [worker('w', 4)] },
        { 'scheduling.copse.io/replica-spread-required': 'rack' },
      );
      await client.create(RESOURCES.podCliqueSets, pcs);
      const two = await boundCount(ns.name, 'spread', 8, 8);
      // Spread keeps gangs apart from each other, which native groups cannot express.
      const spreadHolder = { extender: /the PodCliqueSet spreads its replicas \(required rack\); native groups of different gangs cannot be kept apart/ };
      await expectHeldBy(ns.name, 'spread-0', spreadHolder);
      await expectHeldBy(ns.name, 'spread-1', spreadHolder);
      const [r0, r1] = [racksOf(ofReplica(two, 0)), racksOf(ofReplica(two, 1))];
      expect(r0.size).toBe(1);
      expect(r1.size).toBe(1);
      expect([...r0][0]).not.toBe([...r1][0]);

      // Five replicas on four racks: four are bound, each in its own rack; the fifth waits.
      await scale(RESOURCES.podCliqueSets, 'spread', ns.name, 5);
      const all = await boundCount(ns.name, 'spread', 20, 16);
      const racks = [0, 1, 2, 3, 4].map((i) => [...racksOf(boundPods(ofReplica(all, i)))]);
      expect(racks.filter((r) => r.length === 1).length).toBe(4);
      expect(new Set(racks.flat()).size).toBe(4);
      const waiting = racks.findIndex((r) => r.length === 0);
      const reason = await unschedulable(ns.name, `spread-${waiting}`, /required spread/, spreadHolder);
      expect(reason).toMatch(/racks .* are used by sibling replicas/);
      await stays(ns.name, 'spread', 16);
      await client.delete(RESOURCES.podCliqueSets, 'spread', ns.name);
      await eventually('spread pods gone', async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=spread`)).length === 0 || undefined, 60_000);
    });

    it('admission refuses a replica spread over a domain the binding does not have, naming the annotation', async () => {
      const bad = tasPcs('bad-spread', 2, { topologyConstraint: { topologyName: topology, pack: { required: 'rack' } }, cliques: [worker('w', 1)] }, {
        'scheduling.copse.io/replica-spread-required': 'shelf',
      });
      await expect(client.create(RESOURCES.podCliqueSets, bad)).rejects.toThrow(
        `metadata.annotations[scheduling.copse.io/replica-spread-required]: Invalid value: "shelf": not a domain of ClusterTopologyBinding "${topology}" (domains: zone, block, rack, host)`,
      );
    });

    it('grove#648: the base and scaled gangs of one replica share its required block, each scaling-group replica in one rack', async () => {
      const pcs = tasPcs('g648', 1, {
        topologyConstraint: { topologyName: topology, pack: { required: 'block' } },
        cliques: [worker('w', 4)],
        podCliqueScalingGroups: [{ name: 'sg', cliqueNames: ['w'], replicas: 3, minAvailable: 1, topologyConstraint: { pack: { required: 'rack' } } }],
      });
      await client.create(RESOURCES.podCliqueSets, pcs);
      const pods = await boundCount(ns.name, 'g648', 12, 12);
      // Three gangs (base sg-0, scaled sg-1 and sg-2), one block between them.
      expect(new Set(pods.map((p) => p.metadata?.labels?.['grove.io/podgang'])).size).toBe(3);
      expect(new Set(pods.map((p) => pool.blockOf(p.spec?.nodeName ?? ''))).size).toBe(1);
      for (const gang of ['g648-0', 'g648-0-sg-0', 'g648-0-sg-1']) await expectHeldBy(ns.name, gang, 'native');
      for (const j of [0, 1, 2]) {
        const mine = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === `g648-0-sg-${j}-w`);
        expect(mine.length).toBe(4);
        expect(racksOf(mine).size).toBe(1);
      }
      await client.delete(RESOURCES.podCliqueSets, 'g648', ns.name);
    });

    it('preferred packing (the extender only): a gang of 6 that prefers a rack gets one while there is room', async () => {
      await client.create(RESOURCES.podCliqueSets, tasPcs('prefer', 1, { topologyConstraint: { topologyName: topology, pack: { preferred: 'rack' } }, cliques: [worker('w', 6)] }));
      const pods = await boundCount(ns.name, 'prefer', 6, 6);
      expect(racksOf(pods).size).toBe(1);
      await expectHeldBy(ns.name, 'prefer-0', { extender: /^placed through copse's extender: the gang has preferred packing \(topology\.copse\.io\/rack\); native topology constraints are required only$/ });
      await client.delete(RESOURCES.podCliqueSets, 'prefer', ns.name);
    });
  });
}
