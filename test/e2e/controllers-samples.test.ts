// Every Grove sample, applied unchanged (but for its namespace) to the real local control plane,
// becomes exactly Grove's object graph (grove-compat §8), and all its pods go Running and Ready on
// the simulated nodes. The expected graph comes from the pure desired-state core run to a fixpoint
// (test/support/desired.ts), which the unit golden tests pin to §8 itself.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_MANAGED_BY, LABEL_PART_OF } from '../../api/keys.js';
import { RESOURCES } from '../../kube/resources.js';
import { persisted, simulate } from '../support/desired.js';
import { createNamespace, gone, listIn, namesOf, readyPods, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';

const client = testClient(inject('kubeconfig'));
const present = groveSamplesPresent({ suite: 'controllers: Grove samples', suites: 1, sub: 'samples' });
const samples = present ? podCliqueSetDocs('samples') : [];

const namespaces = new Map<string, { name: string; cleanup: () => Promise<void> }>();

beforeAll(async () => {
  for (const s of samples) {
    const name = String((s.doc.metadata as { name: string }).name);
    const ns = await createNamespace(client, `smp-${name.slice(0, 12)}`);
    namespaces.set(name, ns);
    const doc = { ...s.doc, metadata: { ...(s.doc.metadata as object), namespace: ns.name } } as unknown as PodCliqueSet;
    await client.create(RESOURCES.podCliqueSets, doc);
  }
});

afterAll(async () => {
  await Promise.all([...namespaces.values()].map((ns) => ns.cleanup()));
});

describe.skipIf(!present)('Grove samples become Grove object graphs', () => {
  it.each(samples.map((s) => [s.file, s] as const))('%s', async (_file, s) => {
    const name = String((s.doc.metadata as { name: string }).name);
    const ns = namespaces.get(name)?.name ?? '';
    const expected = simulate(persisted({ ...(s.doc as unknown as PodCliqueSet), metadata: { ...(s.doc as unknown as PodCliqueSet).metadata, namespace: ns } }));
    const sel = `${LABEL_MANAGED_BY}=grove-operator,${LABEL_PART_OF}=${name}`;

    const pods = await readyPods(client, ns, expected.pods.length, sel, 120_000);
    expect(pods.map((p) => p.spec?.hostname).sort()).toEqual(expected.pods.map((p) => p.spec?.hostname).sort());
    // Gates released, so every pod is bound.
    expect(pods.every((p) => (p.spec?.schedulingGates ?? []).length === 0 && p.spec?.nodeName)).toBe(true);

    expect(namesOf(await listIn(client, RESOURCES.podCliques, ns))).toEqual(namesOf(expected.podCliques));
    expect(namesOf(await listIn(client, RESOURCES.podCliqueScalingGroups, ns))).toEqual(namesOf(expected.scalingGroups));
    const gangs = await listIn(client, RESOURCES.podGangs, ns);
    expect(namesOf(gangs)).toEqual(namesOf(expected.tree.podGangs));
    for (const want of expected.tree.podGangs) {
      const got = gangs.find((g) => g.metadata.name === want.metadata.name);
      expect(got?.spec.podgroups.map((g) => `${g.name}:${g.minReplicas}:${g.podReferences.length}`)).toEqual(
        want.spec.podgroups.map((g) => `${g.name}:${g.minReplicas}:${g.podReferences.length}`),
      );
    }
    expect(namesOf(await listIn(client, RESOURCES.hpas, ns))).toEqual(namesOf(expected.tree.hpas));
    expect(namesOf(await listIn(client, RESOURCES.services, ns, sel))).toEqual(namesOf(expected.tree.services));
    expect(namesOf(await listIn(client, RESOURCES.serviceAccounts, ns, sel))).toEqual([name]);
    expect(namesOf(await listIn(client, RESOURCES.roles, ns, sel))).toEqual([`grove.io:pcs:${name}`]);
    expect(namesOf(await listIn(client, RESOURCES.roleBindings, ns, sel))).toEqual([`grove.io:pcs:${name}`]);
    expect(namesOf(await listIn(client, RESOURCES.secrets, ns, sel))).toEqual([`${name}-ic-sat`]);

    // Status tells the truth once everything is Ready.
    const pcs = await eventually(
      `${name} available`,
      async () => {
        const p = await client.get(RESOURCES.podCliqueSets, name, ns);
        return p.status?.availableReplicas === 1 ? p : undefined;
      },
      60_000,
    );
    expect(pcs.status).toMatchObject({ replicas: 1, availableReplicas: 1, observedGeneration: pcs.metadata.generation });
    const readyGangs = await eventually(
      `${name} gangs Running`,
      async () => {
        const gs = await listIn(client, RESOURCES.podGangs, ns);
        return gs.every((g) => g.status?.phase === 'Running') ? gs : undefined;
      },
      60_000,
    );
    expect(readyGangs.length).toBe(expected.tree.podGangs.length);
  });

  it('cascade delete leaves nothing labelled part-of the PodCliqueSet', async () => {
    const [first] = samples;
    if (!first) throw new Error('no samples');
    const name = String((first.doc.metadata as { name: string }).name);
    const ns = namespaces.get(name)?.name ?? '';
    const sel = `${LABEL_PART_OF}=${name}`;
    await client.delete(RESOURCES.podCliqueSets, name, ns);
    for (const r of [RESOURCES.pods, RESOURCES.podCliques, RESOURCES.podCliqueScalingGroups, RESOURCES.podGangs, RESOURCES.services, RESOURCES.serviceAccounts, RESOURCES.secrets, RESOURCES.roles, RESOURCES.roleBindings, RESOURCES.hpas]) {
      await gone(client, r, ns, sel, 90_000);
    }
    expect(await client.tryGet(RESOURCES.podCliqueSets, name, ns)).toBeUndefined();
  });
});
