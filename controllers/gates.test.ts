// The gate controller over informers fed from memory: it lifts Grove's gate of exactly the pods their
// gang references, on the rate limiter's release lane, and never sends the same lift twice while
// the cache has not caught up with the first.
import { describe, expect, it } from 'vitest';
import type { PodCliqueSet } from '../api/index.js';
import { SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../api/keys.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { clique, pcsOf, simulate } from '../test/support/desired.js';
import { controllerHarness, silentLog as log } from '../test/support/controller-harness.js';
import type { Write } from '../test/support/memory-client.js';
import { GATE_LIFT_TTL_MS, GateReconciler } from './gates.js';
import type { CopseControllers } from './index.js';

const signal = new AbortController().signal;

/** A PodCliqueSet of two replicas with all its pods created (gated); replica 1's gang references none yet. */
function objects(): Map<string, readonly ObjectLike[]> {
  const pcs: PodCliqueSet = pcsOf('pg', { cliques: [clique('worker', 2)] }, 2);
  const g = simulate(pcs);
  const gangs = g.tree.podGangs.map((gang) =>
    gang.metadata.name === 'pg-1' ? { ...gang, spec: { ...gang.spec, podgroups: gang.spec.podgroups.map((pg) => ({ ...pg, podReferences: [] })) } } : gang,
  );
  return new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podCliqueSets.resource, [pcs]],
    [RESOURCES.podCliques.resource, g.podCliques],
    [RESOURCES.podGangs.resource, gangs],
    [RESOURCES.pods.resource, g.pods],
  ]);
}

describe('GateReconciler', () => {
  const harness = controllerHarness();
  const start = async (writes: Write[], patches: unknown[]): Promise<CopseControllers> => (await harness(objects(), { writes, patches })).controllers;
  const podPatches = (ws: Write[]) => ws.filter((w) => w.kind === 'Pod' && w.verb === 'patch');
  const podsOf = (c: CopseControllers, pclq: string) =>
    c.context.informers.pods.store
      .list()
      .filter((p) => p.metadata?.labels?.['grove.io/podclique'] === pclq)
      .map((p) => p.metadata?.name ?? '')
      .sort();

  it('lifts the gate of each referenced pod with a patch that deletes only that gate, on the release lane', async () => {
    const writes: Write[] = [];
    const patches: unknown[] = [];
    const c = await start(writes, patches);
    expect(c.context.informers.pods.store.list().every((p) => p.spec?.schedulingGates?.some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION))).toBe(true);
    await new GateReconciler(c.context).reconcile('ns/pg-0-worker', log, signal);
    expect(
      podPatches(writes)
        .map((w) => w.name)
        .sort(),
    ).toEqual(podsOf(c, 'pg-0-worker'));
    expect(podPatches(writes).map((w) => w.priority)).toEqual(['release', 'release']);
    expect(patches).toEqual([
      { spec: { schedulingGates: [{ $patch: 'delete', name: SCHEDULING_GATE_PODGANG_PENDING_CREATION }] } },
      { spec: { schedulingGates: [{ $patch: 'delete', name: SCHEDULING_GATE_PODGANG_PENDING_CREATION }] } },
    ]);
  });

  it('lifts nothing for pods their gang does not reference yet', async () => {
    const writes: Write[] = [];
    const c = await start(writes, []);
    expect(await new GateReconciler(c.context).reconcile('ns/pg-1-worker', log, signal)).toBeUndefined();
    expect(podPatches(writes)).toEqual([]);
  });

  it('does not send a lift again while the cache still shows the gate, and does once the lift may be lost', async () => {
    const writes: Write[] = [];
    const c = await start(writes, []);
    let t = 1_000;
    const gates = new GateReconciler(c.context, () => t);
    await gates.reconcile('ns/pg-0-worker', log, signal);
    expect(podPatches(writes)).toHaveLength(2);
    // The pods' update events have not arrived: a second pass writes nothing and looks again at the TTL.
    t += 1_000;
    expect(await gates.reconcile('ns/pg-0-worker', log, signal)).toEqual({ requeueAfterMs: GATE_LIFT_TTL_MS - 1_000 });
    expect(podPatches(writes)).toHaveLength(2);
    // Past it, a gate still seen is lifted again.
    t += GATE_LIFT_TTL_MS;
    await gates.reconcile('ns/pg-0-worker', log, signal);
    expect(podPatches(writes)).toHaveLength(4);
  });

  it('is registered with the controllers and queued for every PodClique', async () => {
    const c = await start([], []);
    expect(c.gates.name).toBe('gates');
    expect(c.gates.reconciler).toBeInstanceOf(GateReconciler);
  });
});
