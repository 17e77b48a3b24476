// Gang scheduling and topology packing on the stock kube-scheduler (with copse's extender), no KAI:
// Grove's GS and TAS scenarios on private pools of simulated nodes. Nodes of the gang pools take one
// pod each (80Mi requested of 100Mi), so "how many nodes are schedulable" is "how many pods fit",
// as in Grove's own e2e. Every check is on pods bound to nodes: a gang's minimum is bound whole or
// not at all.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet, PodGang } from '../../api/index.js';
import { LABEL_PART_OF } from '../../api/keys.js';
import { RESOURCES, type Resource } from '../../kube/resources.js';
import { LOCAL_LEVELS, clusterTopology, uniqueSuffix } from '../support/admission.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';
import { boundPods, createPool, perClique, type Pool } from '../support/pool.js';

const client = testClient(inject('kubeconfig'));
const present = groveSamplesPresent({ suite: 'gang scheduling: Grove e2e workloads', suites: 3, sub: 'e2e-workloads' });
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
function boundCount(ns: string, pcs: string, total: number, bound: number, timeoutMs = 60_000): Promise<Pod[]> {
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

/** The gang's Scheduled condition once it carries the planner's reason. */
function unschedulable(ns: string, gang: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
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

describe.skipIf(!present)('gang scheduling on the stock kube-scheduler (Grove GS scenarios)', () => {
  let pool: Pool;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    pool = await createPool(client, `gs-${uniqueSuffix()}`, { racksPerBlock: 2, hostsPerRack: 10, memory: '100Mi' });
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
    expect(reason).toMatch(/Pod groups below minReplicas scheduled/);
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

  it('GS5: workload2 binds exactly its base minimum (pc-a, sg-x-0 pc-b, sg-x-0 pc-c) when three nodes are free', async () => {
    await pool.uncordon(pool.nodes);
    await pool.cordon(pool.nodes.slice(10));
    const ten = pool.nodes.slice(0, 10);
    await pool.cordon(ten.slice(2));
    await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('workload2.yaml'), { namespace: ns.name }) as unknown as PodCliqueSet);
    await unschedulable(ns.name, 'workload2-0', /needs/);
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
    await pool.uncordon(pool.nodes.slice(10, 19));
    await stays(ns.name, 'wl1b', 10);
    await pool.uncordon(pool.nodes.slice(19));
    const all = await boundCount(ns.name, 'wl1b', 20, 20);
    expect(all.filter((p) => p.metadata?.labels?.['grove.io/podcliqueset-replica-index'] === '1').length).toBe(10);
    await client.delete(RESOURCES.podCliqueSets, 'wl1b', ns.name);
  });
});

describe.skipIf(!present)('competing gangs', () => {
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

  function gangOf3(name: string): PodCliqueSet {
    const doc = {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name, namespace: ns.name },
      spec: {
        replicas: 1,
        template: {
          cliques: [
            {
              name: 'w',
              spec: {
                roleName: 'w',
                replicas: 3,
                minAvailable: 3,
                podSpec: { containers: [{ name: 'w', image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '80Mi' } } }] },
              },
            },
          ],
        },
      },
    };
    return pool.adapt(doc) as unknown as PodCliqueSet;
  }

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

describe.skipIf(!present)('topology packing (Grove TAS scenarios on a pool with racks and blocks)', () => {
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

  it('TAS2: worker-rack lands in one rack and worker-block in one block', async () => {
    await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('tas-indep-clq.yaml'), { namespace: ns.name, topologyName: topology }) as unknown as PodCliqueSet);
    const pods = await boundCount(ns.name, 'tas-indep-clq', 7, 7);
    const rackPods = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === 'tas-indep-clq-0-worker-rack');
    const blockPods = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === 'tas-indep-clq-0-worker-block');
    expect(rackPods.length).toBe(3);
    expect(blockPods.length).toBe(4);
    expect(new Set(rackPods.map((p) => pool.rackOf(p.spec?.nodeName ?? ''))).size).toBe(1);
    expect(new Set(blockPods.map((p) => pool.blockOf(p.spec?.nodeName ?? ''))).size).toBe(1);
    await client.delete(RESOURCES.podCliqueSets, 'tas-indep-clq', ns.name);
  });

  it('TAS13: 10 pods of 500Mi that must share a rack (8 fit) stay wholly pending, and the gang says why', async () => {
    await client.create(RESOURCES.podCliqueSets, pool.adapt(workload('tas-insuffic.yaml'), { namespace: ns.name, topologyName: topology }) as unknown as PodCliqueSet);
    const message = await unschedulable(ns.name, 'tas-insuffic-0', /rack/);
    expect(message).toMatch(/needs .* in one topology\.copse\.io\/rack/);
    await boundCount(ns.name, 'tas-insuffic', 10, 0);
    await stays(ns.name, 'tas-insuffic', 0);
    const events = (await listIn(client, RESOURCES.events, ns.name)).filter((e) => e.reason === 'GangUnschedulable' && e.involvedObject?.name === 'tas-insuffic');
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]?.message).toMatch(/topology\.copse\.io\/rack/);
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
    expect(cond.message).toMatch(/^1 of 1 PodGangs below their minimum scheduled\. tas-insuffic-0: .*topology\.copse\.io\/rack/);
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
    const reason = await unschedulable(ns.name, `spread-${waiting}`, /required spread/);
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
    for (const j of [0, 1, 2]) {
      const mine = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === `g648-0-sg-${j}-w`);
      expect(mine.length).toBe(4);
      expect(racksOf(mine).size).toBe(1);
    }
    await client.delete(RESOURCES.podCliqueSets, 'g648', ns.name);
  });
});
