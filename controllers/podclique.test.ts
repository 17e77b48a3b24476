// The PodClique controller's status pacing over informers fed by an in-memory list: the first
// change is written at once, a second within the interval is put off (and so are its Events, which
// the later write reports), and the rolling update's selection is never put off.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/wire.js';
import type { PodClique, PodCliqueSet, PodGang } from '../api/index.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { clique, pcsOf, simulate } from '../test/support/desired.js';
import { controllerHarness, silentLog as log } from '../test/support/controller-harness.js';
import { PODCLIQUE_STATUS_INTERVAL_MS } from './podclique.js';

const signal = new AbortController().signal;

/** One replica, one clique of two pods; every child exists, nothing is scheduled yet. */
function objects(): Map<string, readonly ObjectLike[]> {
  const base = pcsOf('pq', { cliques: [clique('worker', 2)] }, 1);
  const pcs: PodCliqueSet = { ...base, metadata: { ...base.metadata, resourceVersion: '7' } };
  const g = simulate(pcs);
  return new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, [pcs]],
    [RESOURCES.podCliques.resource, g.podCliques],
    [RESOURCES.podGangs.resource, g.tree.podGangs],
    [RESOURCES.pods.resource, g.pods],
  ]);
}

describe('PodCliqueReconciler status pacing', () => {
  const harness = controllerHarness();

  it('writes the first change at once and puts off a second one inside the interval, Events included', async () => {
    const { controllers: c, writes, statuses } = await harness(objects());
    const reconcile = () => c.podClique.reconciler.reconcile('ns/pq-0-worker', log, signal);
    const statusWrites = () => writes.filter((w) => w.verb === 'status' && w.kind === 'PodClique').length;
    const events = () => writes.filter((w) => w.kind === 'Event').length;

    await reconcile();
    expect(statusWrites()).toBe(1);
    // The cache shows that status; then both pods are scheduled and ready: a change to report.
    const store = c.context.informers.pclq.store;
    const stored = store.getByName('ns', 'pq-0-worker') as PodClique;
    store.upsert({ ...stored, metadata: { ...stored.metadata, resourceVersion: '20' }, status: (statuses.at(-1) as PodClique).status });
    const pods = c.context.informers.pods.store;
    for (const p of pods.list() as Pod[]) {
      pods.upsert({
        ...p,
        metadata: { ...p.metadata, resourceVersion: '21' },
        spec: { ...p.spec, containers: p.spec?.containers ?? [], nodeName: 'node-1', schedulingGates: [] },
        status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] },
      });
    }
    const eventsBefore = events();
    const second = await reconcile();
    expect(second?.requeueAfterMs).toBeGreaterThan(0);
    expect(second?.requeueAfterMs).toBeLessThanOrEqual(PODCLIQUE_STATUS_INTERVAL_MS);
    expect(statusWrites()).toBe(1);
    // The events of that change (MinAvailableReached) wait for the write that reports it.
    await new Promise((r) => setTimeout(r, 20));
    expect(events()).toBe(eventsBefore);
  });
});

describe('PodCliqueReconciler with the native backend', () => {
  // The native backend decides per gang how its pods are made, so it needs the PodGang in the cache.
  const gangs = new Map<string, PodGang>();
  const harness = controllerHarness({ native: { gangOf: (ns, name) => gangs.get(`${ns}/${name}`) } });

  it('creates nothing and looks again soon while the PodGang is not observed, without failing the pass', async () => {
    gangs.clear();
    const all = objects();
    const gang = (all.get(RESOURCES.podGangs.resource)?.[0] as PodGang | undefined) ?? expect.unreachable('the graph has a PodGang');
    all.set(RESOURCES.pods.resource, []);
    const { controllers: c, writes } = await harness(all);
    const reconcile = () => c.podClique.reconciler.reconcile('ns/pq-0-worker', log, signal);
    const podCreates = () => writes.filter((w) => w.verb === 'create' && w.kind === 'Pod').map((w) => w.name);

    const first = await reconcile();
    expect(first?.requeueAfterMs).toBe(1_000);
    expect(podCreates()).toEqual([]);

    gangs.set(`ns/${gang.metadata.name}`, gang);
    await reconcile();
    expect(podCreates()).toHaveLength(2);
  });
});
