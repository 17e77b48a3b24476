// The PodCliqueSet reconciler's quiet-pass memo over informers fed by an in-memory list (no server:
// the point is which writes a pass makes for a given cache, not how they travel).
import { describe, expect, it } from 'vitest';
import type { PodClique, PodCliqueSet, PodGang } from '../api/index.js';
import { FINALIZER_PODCLIQUESET } from '../api/keys.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { GROVE_TOPOLOGY, clique, pcsOf, simulate } from '../test/support/desired.js';
import { controllerHarness, silentLog as log } from '../test/support/controller-harness.js';
import type { Write } from '../test/support/memory-client.js';
import type { CopseControllers } from './index.js';
import { gangTerminationDeletionsKey } from './gang-termination.js';


/** Bodies of the merge patches the last client made, in order. */
let patches: unknown[] = [];
/** Objects the last client applied to a status subresource, in order. */
let statuses: ObjectLike[] = [];

/** A converged scale-test-shaped PodCliqueSet: every child and pod the tree wants is in the cache. */
function converged(template: Partial<PodCliqueSet['spec']['template']> = {}): { pcs: PodCliqueSet; objects: Map<string, readonly ObjectLike[]> } {
  const base = pcsOf('quiet', { cliques: [clique('worker', 2)], ...template }, 3);
  const pcs: PodCliqueSet = { ...base, metadata: { ...base.metadata, resourceVersion: '7', finalizers: [FINALIZER_PODCLIQUESET] } };
  const g = simulate(pcs);
  const t = g.tree;
  const objects = new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, [pcs]],
    [RESOURCES.podCliques.resource, g.podCliques],
    [RESOURCES.podCliqueScalingGroups.resource, g.scalingGroups],
    [RESOURCES.podGangs.resource, t.podGangs],
    [RESOURCES.pods.resource, g.pods],
    [RESOURCES.services.resource, t.services],
    [RESOURCES.serviceAccounts.resource, [t.serviceAccount]],
    [RESOURCES.roles.resource, [t.role]],
    [RESOURCES.roleBindings.resource, [t.roleBinding]],
    [RESOURCES.secrets.resource, [t.tokenSecret]],
    [RESOURCES.hpas.resource, t.hpas],
  ]);
  return { pcs, objects };
}

describe('PodCliqueSetReconciler quiet passes', () => {
  const harness = controllerHarness();

  async function start(objects: Map<string, readonly ObjectLike[]>, writes: Write[], applied: ObjectLike[] = []): Promise<CopseControllers> {
    patches = [];
    statuses = [];
    return (await harness(objects, { writes, patches, statuses, applied })).controllers;
  }

  const pass = (c: CopseControllers) => c.podCliqueSet.reconciler.reconcile('ns/quiet', log, new AbortController().signal);
  // Status and Events are what a pass reports, not children it writes.
  const childWrites = (ws: Write[]) => ws.filter((w) => w.verb !== 'status' && w.kind !== 'Event').map((w) => `${w.verb} ${w.kind}/${w.name}`);

  it('writes no child of a converged PodCliqueSet, on the first pass and on repeated ones', async () => {
    const writes: Write[] = [];
    const c = await start(converged().objects, writes);
    for (let i = 0; i < 3; i++) await pass(c);
    expect(childWrites(writes)).toEqual([]);
  });

  it('still repairs a child changed behind its back after a quiet pass (the memo never hides a write)', async () => {
    const writes: Write[] = [];
    const c = await start(converged().objects, writes);
    await pass(c);
    const store = c.context.informers.pclq.store;
    const pclq = store.getByName('ns', 'quiet-1-worker') as PodClique;
    store.upsert({ ...pclq, metadata: { ...pclq.metadata, resourceVersion: '99' }, spec: { ...pclq.spec, roleName: 'edited' } });
    await pass(c);
    expect(childWrites(writes)).toEqual(['apply PodClique/quiet-1-worker']);
  });

  it("applies a scalable child again only once the cache shows copse's own apply: a kubectl scale in between is not set back", async () => {
    const writes: Write[] = [];
    const applied: ObjectLike[] = [];
    const { objects } = converged();
    const missing = 'quiet-2-worker';
    objects.set(RESOURCES.podCliques.resource, (objects.get(RESOURCES.podCliques.resource) ?? []).filter((o) => o.metadata?.name !== missing));
    const c = await start(objects, writes, applied);
    await pass(c);
    expect(childWrites(writes)).toEqual([`apply PodClique/${missing}`]);
    const createdAt = `mem-${writes.length}`;
    // The cache has not seen the create yet: the next pass must not apply the template's replicas
    // again (a kubectl scale made meanwhile would be set back), and it looks again shortly.
    expect(await pass(c)).toEqual({ requeueAfterMs: 1_000 });
    expect(childWrites(writes)).toEqual([`apply PodClique/${missing}`]);
    // The cache shows the create, then a kubectl scale to 5: the child keeps 5.
    const created = applied.find((o) => o.metadata?.name === missing) as PodClique;
    const store = c.context.informers.pclq.store;
    store.upsert({ ...created, metadata: { ...created.metadata, resourceVersion: createdAt, uid: 'u-2' } });
    await pass(c);
    store.upsert({ ...created, metadata: { ...created.metadata, resourceVersion: 'scaled', uid: 'u-2' }, spec: { ...created.spec, replicas: 5 } });
    await pass(c);
    expect(childWrites(writes)).toEqual([`apply PodClique/${missing}`]);
  });

  it('recomputes when the PodCliqueSet itself changes', async () => {
    const writes: Write[] = [];
    const { objects } = converged();
    const c = await start(objects, writes);
    await pass(c);
    const store = c.context.informers.pcs.store;
    const pcs = store.getByName('ns', 'quiet') as PodCliqueSet;
    store.upsert({ ...pcs, metadata: { ...pcs.metadata, resourceVersion: '8' }, spec: { ...pcs.spec, replicas: 4 } });
    await pass(c);
    const applied = childWrites(writes);
    expect(applied).toContain('apply PodClique/quiet-3-worker');
    expect(applied).toContain('apply Service/quiet-3');
  });

  it('leaves a gang\'s podReferences to the PodGang controller, which follows its pods one gang at a time', async () => {
    const writes: Write[] = [];
    const c = await start(converged().objects, writes);
    await pass(c);
    const pods = c.context.informers.pods.store;
    const victim = pods.list().find((p) => p.metadata?.labels?.['grove.io/podclique'] === 'quiet-0-worker');
    expect(victim).toBeDefined();
    pods.remove(`ns/${victim?.metadata?.name ?? ''}`);
    await pass(c);
    expect(childWrites(writes)).toEqual([]);
    await c.podGang.reconciler.reconcile('ns/quiet-0', log, new AbortController().signal);
    await c.podGang.reconciler.reconcile('ns/quiet-1', log, new AbortController().signal);
    expect(childWrites(writes)).toEqual(['patch PodGang/quiet-0']);
    const body = patches.at(-1) as { metadata: { resourceVersion?: string }; spec: { podgroups: { name: string; podReferences: { name: string }[] }[] } };
    const gang = c.context.informers.podGangs.store.getByName('ns', 'quiet-0');
    expect(body.metadata.resourceVersion).toBe(gang?.metadata.resourceVersion);
    const refs = body.spec.podgroups.find((g) => g.name === 'quiet-0-worker')?.podReferences.map((r) => r.name) ?? [];
    expect(refs).toHaveLength(1);
    expect(refs).not.toContain(victim?.metadata?.name);
  });

  it('never remembers a pass that waits for a gang-termination deadline: the requeue at terminationDelay recycles', async () => {
    const breachAt = Date.parse('2026-01-01T00:00:00Z');
    let clock = breachAt + 4_000;
    const { objects } = converged({ terminationDelay: '10s' });
    // quiet-0-worker has been healthy and is breached since breachAt.
    const pclqs = (objects.get(RESOURCES.podCliques.resource) ?? []) as PodClique[];
    objects.set(
      RESOURCES.podCliques.resource,
      pclqs.map((p) =>
        p.metadata.name !== 'quiet-0-worker'
          ? p
          : {
              ...p,
              status: {
                ...p.status,
                conditions: [
                  { type: 'MinAvailableBreached', status: 'True', reason: 'InsufficientReadyPods', message: '', lastTransitionTime: new Date(breachAt).toISOString() },
                  { type: 'copse.io/EverAvailable', status: 'True', reason: 'MinAvailableReached', message: '', lastTransitionTime: new Date(breachAt - 60_000).toISOString() },
                ],
              },
            },
      ),
    );
    const writes: Write[] = [];
    const c = await start(objects, writes);
    c.context.now = () => new Date(clock);
    const first = await pass(c);
    expect(first).toEqual({ requeueAfterMs: 6_000 });
    // The status it wrote (GangTerminationPending) comes back through the cache: the next pass writes nothing.
    const store = c.context.informers.pcs.store;
    const stored = store.getByName('ns', 'quiet') as PodCliqueSet;
    const written = statuses.at(-1) as PodCliqueSet;
    expect(written.status?.conditions?.find((x) => x.type === 'copse.io/GangTerminationPending')?.reason).toBe('TerminationDelayPending');
    store.upsert({ ...stored, metadata: { ...stored.metadata, resourceVersion: '8' }, status: written.status });
    writes.length = 0;
    clock = breachAt + 5_000;
    expect(await pass(c)).toEqual({ requeueAfterMs: 5_000 });
    expect(writes).toEqual([]);
    // The requeue fires at the deadline with the same inputs: the pass runs and recycles replica 0.
    clock = breachAt + 10_000;
    await pass(c);
    expect(childWrites(writes)).toEqual(['delete PodClique/quiet-0-worker']);
    expect(writes.filter((w) => w.kind === 'Event').length).toBe(1);
    // The cache does not show the delete yet (the PodClique keeps its finalizer a while): the next
    // pass must not read the stale breach as a second recycle, delete again and report it twice.
    clock = breachAt + 10_500;
    expect(await pass(c)).toEqual({ requeueAfterMs: 1_000 });
    expect(childWrites(writes)).toEqual(['delete PodClique/quiet-0-worker']);
    expect(writes.filter((w) => w.kind === 'Event').length).toBe(1);
    // Once the informer shows it terminating, passes decide from the cache again.
    const pclqStore = c.context.informers.pclq.store;
    const gone = pclqStore.getByName('ns', 'quiet-0-worker') as PodClique;
    c.context.expectations.deletionObserved(gangTerminationDeletionsKey('ns/quiet'), gone.metadata.uid ?? '');
    pclqStore.upsert({ ...gone, metadata: { ...gone.metadata, resourceVersion: '100', deletionTimestamp: new Date(clock).toISOString() } });
    await pass(c);
    expect(childWrites(writes)).toEqual(['delete PodClique/quiet-0-worker']);
    expect(writes.filter((w) => w.kind === 'Event').length).toBe(1);
  });
});

describe('PodCliqueSetReconciler topology', () => {
  const harness = controllerHarness();

  // Grove's tas-indep-clq: no constraint on the PodCliqueSet, each clique names the binding itself.
  const cliqueOnly = (): PodCliqueSet =>
    pcsOf('indep', {
      cliques: [
        { ...clique('worker-rack', 3), topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } } },
        { ...clique('worker-block', 4), topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'block' } } },
      ],
    });

  async function firstPass(withBinding: boolean): Promise<{ gang: PodGang | undefined; status: PodCliqueSet | undefined }> {
    const writes: Write[] = [];
    const applied: ObjectLike[] = [];
    const objects = new Map<string, readonly ObjectLike[]>([
      [RESOURCES.podCliqueSets.resource, [cliqueOnly()]],
      [RESOURCES.clusterTopologyBindings.resource, withBinding ? [GROVE_TOPOLOGY] : []],
    ]);
    statuses = [];
    const { controllers } = await harness(objects, { writes, statuses, applied });
    await controllers.podCliqueSet.reconciler.reconcile('ns/indep', log, new AbortController().signal);
    const gang = applied.find((o) => o.kind === 'PodGang' && o.metadata?.name === 'indep-0') as PodGang | undefined;
    return { gang, status: statuses.at(-1) as PodCliqueSet | undefined };
  }

  it('finds the binding a clique names when the PodCliqueSet names none: the gang packs each clique by its key', async () => {
    const { gang, status } = await firstPass(true);
    expect(gang?.spec.podgroups.map((g) => [g.name, g.topologyConstraint?.packConstraint?.required])).toEqual([
      ['indep-0-worker-rack', 'topology.copse.io/rack'],
      ['indep-0-worker-block', 'topology.copse.io/block'],
    ]);
    expect(gang?.metadata.annotations?.['grove.io/topology-name']).toBe('grove-topology');
    const cond = status?.status?.conditions?.find((c) => c.type === 'TopologyLevelsUnavailable');
    expect([cond?.status, cond?.reason]).toEqual(['False', 'AllClusterTopologyLevelsAvailable']);
  });

  it('without the binding the gang carries no constraint and the status says the binding is missing', async () => {
    const { gang, status } = await firstPass(false);
    expect(gang?.spec.podgroups.map((g) => g.topologyConstraint)).toEqual([undefined, undefined]);
    const cond = status?.status?.conditions?.find((c) => c.type === 'TopologyLevelsUnavailable');
    expect([cond?.status, cond?.reason]).toEqual(['Unknown', 'ClusterTopologyNotFound']);
  });
});
