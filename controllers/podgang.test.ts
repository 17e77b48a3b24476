// The PodGang controller's write discipline over informers fed by an in-memory list: one
// podReferences patch per change, never a second write from a cache that has not shown the first,
// status writes paced per gang, and nothing for the gangs of a PodCliqueSet that is going.
import { describe, expect, it } from 'vitest';
import type { PodCliqueSet, PodGang } from '../api/index.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { clique, pcsOf, simulate } from '../test/support/desired.js';
import { controllerHarness, silentLog as log } from '../test/support/controller-harness.js';
import type { Write } from '../test/support/memory-client.js';
import type { CopseControllers } from './index.js';
import type { PodGangReconciler } from './podgang.js';

const signal = new AbortController().signal;

/** A PodCliqueSet of two replicas whose gangs exist with no podReferences yet, and whose pods all exist. */
function freshGangs(deleting = false): Map<string, readonly ObjectLike[]> {
  const base = pcsOf('pg', { cliques: [clique('worker', 2)] }, 2);
  const pcs: PodCliqueSet = { ...base, metadata: { ...base.metadata, resourceVersion: '7', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] } : {}) } };
  const g = simulate(pcs);
  const gangs = g.tree.podGangs.map((gang, i) => ({
    ...gang,
    metadata: { ...gang.metadata, resourceVersion: `${10 + i}` },
    spec: { ...gang.spec, podgroups: gang.spec.podgroups.map((pg) => ({ ...pg, podReferences: [] })) },
  }));
  return new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, [pcs]],
    [RESOURCES.podCliques.resource, g.podCliques],
    [RESOURCES.podGangs.resource, gangs],
    [RESOURCES.pods.resource, g.pods],
  ]);
}

describe('PodGangReconciler writes', () => {
  const harness = controllerHarness();
  const start = async (objects: Map<string, readonly ObjectLike[]>, writes: Write[], statuses: ObjectLike[] = []): Promise<CopseControllers> =>
    (await harness(objects, { writes, statuses })).controllers;
  /** What the informer's event handler does for every gang event. */
  const observed = (c: CopseControllers, gang: PodGang) => (c.podGang.reconciler as PodGangReconciler).observed(gang);
  const reconcile = (c: CopseControllers, name: string) => c.podGang.reconciler.reconcile(`ns/${name}`, log, signal);
  const gangWrites = (ws: Write[]) => ws.filter((w) => w.kind === 'PodGang').map((w) => `${w.verb} ${w.name}${w.subresource ? `/${w.subresource}` : ''}`);

  it('patches podReferences once, then waits for the cache to show that write instead of writing from the stale copy', async () => {
    const writes: Write[] = [];
    const c = await start(freshGangs(), writes);
    await reconcile(c, 'pg-0');
    expect(gangWrites(writes)).toEqual(['patch pg-0']);
    // The cache still holds the gang as it was: the pass asks to come back, and writes nothing.
    const again = await reconcile(c, 'pg-0');
    expect(again?.requeueAfterMs).toBeGreaterThan(0);
    expect(gangWrites(writes)).toEqual(['patch pg-0']);
    // The watch delivers our version (mem-1): the next pass computes the status from it and writes it.
    const store = c.context.informers.podGangs.store;
    const stale = store.getByName('ns', 'pg-0') as PodGang;
    const pods = c.context.informers.pods.store.list().filter((p) => p.metadata?.labels?.['grove.io/podgang'] === 'pg-0');
    const seen: PodGang = {
      ...stale,
      metadata: { ...stale.metadata, resourceVersion: `mem-${writes.length}` },
      spec: { ...stale.spec, podgroups: stale.spec.podgroups.map((g) => ({ ...g, podReferences: pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === g.name).map((p) => ({ namespace: 'ns', name: p.metadata?.name ?? '' })).sort((a, b) => a.name.localeCompare(b.name)) })) },
    };
    store.upsert(seen);
    observed(c, seen);
    await reconcile(c, 'pg-0');
    expect(gangWrites(writes)).toEqual(['patch pg-0', 'status pg-0']);
  });

  it('paces status writes: a second change within the interval waits for its end', async () => {
    const writes: Write[] = [];
    const statuses: ObjectLike[] = [];
    const objects = freshGangs();
    // The gangs already reference their pods: only status is left to write.
    const pods = (objects.get(RESOURCES.pods.resource) ?? []) as { metadata?: { name?: string; labels?: Record<string, string> } }[];
    const gangs = (objects.get(RESOURCES.podGangs.resource) ?? []) as PodGang[];
    objects.set(
      RESOURCES.podGangs.resource,
      gangs.map((gang) => ({
        ...gang,
        spec: {
          ...gang.spec,
          podgroups: gang.spec.podgroups.map((g) => ({
            ...g,
            podReferences: pods
              .filter((p) => p.metadata?.labels?.['grove.io/podclique'] === g.name && p.metadata?.labels?.['grove.io/podgang'] === gang.metadata.name)
              .map((p) => ({ namespace: 'ns', name: p.metadata?.name ?? '' }))
              .sort((a, b) => a.name.localeCompare(b.name)),
          })),
        },
      })),
    );
    const c = await start(objects, writes, statuses);
    await reconcile(c, 'pg-1');
    expect(gangWrites(writes)).toEqual(['status pg-1']);
    // The watch shows the written status; then a pod changes, and with it the status to write.
    const store = c.context.informers.podGangs.store;
    const stored = store.getByName('ns', 'pg-1') as PodGang;
    const seen: PodGang = { ...stored, metadata: { ...stored.metadata, resourceVersion: `mem-${writes.length}` }, status: (statuses.at(-1) as PodGang).status };
    store.upsert(seen);
    observed(c, seen);
    const podStore = c.context.informers.pods.store;
    const pod = podStore.list().find((p) => p.metadata?.labels?.['grove.io/podgang'] === 'pg-1');
    podStore.upsert({ ...pod, metadata: { ...pod?.metadata, resourceVersion: '99' }, spec: { ...pod?.spec, containers: pod?.spec?.containers ?? [], nodeName: 'node-1' } });
    const paced = await reconcile(c, 'pg-1');
    expect(paced?.requeueAfterMs).toBeGreaterThan(0);
    expect(paced?.requeueAfterMs).toBeLessThanOrEqual(1000);
    expect(gangWrites(writes)).toEqual(['status pg-1']);
  });

  it('puts the podReferences patch on the release lane, and a write whose version the cache already holds (a no-op, no event) holds nothing up', async () => {
    const writes: Write[] = [];
    const c = await start(freshGangs(), writes);
    await reconcile(c, 'pg-0');
    expect(writes.filter((w) => w.kind === 'PodGang').map((w) => [w.verb, w.name, w.priority])).toEqual([['patch', 'pg-0', 'release']]);
    // The server answered with the version the cache holds: no watch event will ever "deliver" it.
    const store = c.context.informers.podGangs.store;
    const cached = store.getByName('ns', 'pg-0') as PodGang;
    store.upsert({ ...cached, metadata: { ...cached.metadata, resourceVersion: `mem-${writes.length}` } });
    const next = await reconcile(c, 'pg-0');
    // Not a wait for the unseen write: the pass went on and wrote again from the cache it trusts.
    expect(next?.requeueAfterMs).toBeUndefined();
    expect(gangWrites(writes)).toEqual(['patch pg-0', 'patch pg-0']);
  });

  it('writes nothing for the gangs of a PodCliqueSet that is being deleted', async () => {
    const writes: Write[] = [];
    const c = await start(freshGangs(true), writes);
    await reconcile(c, 'pg-0');
    await reconcile(c, 'pg-1');
    expect(gangWrites(writes)).toEqual([]);
  });
});
