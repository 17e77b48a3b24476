// Kubernetes Events on the transitions a person acts on, recorded by copse's controllers on the real
// local control plane:
// - ReplicasAvailable on the PodCliqueSet once every replica is available;
// - AllScheduledReplicasLost and MinAvailableBreached on a PodClique whose pods lose their node,
//   ReplicasUnavailable on its PodCliqueSet, then MinAvailableReached and ReplicasAvailable again
//   once they are back;
// - FailedCreatePod on a PodClique whose pods a ResourceQuota refuses, with the apiserver's reason.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CoreEvent, Node } from '../../api/core/wire.js';
import { RESOURCES } from '../../kube/resources.js';
import { PAUSE_IMAGE } from '../support/admission.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { eventually, kubectl } from '../support/kube.js';
import { converged, observe, podsOfClique, type Shape } from '../support/workloads.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
// Three convergences and several event waits on a shared, busy machine.
const TEST_MS = 15 * 60_000;
let ns: { name: string; cleanup: () => Promise<void> };
let cordoned: string | undefined;

beforeAll(async () => {
  ns = await createNamespace(client, 'ctl-events');
});

afterAll(async () => {
  if (cordoned) await client.patch(RESOURCES.nodes, cordoned, undefined, { spec: { unschedulable: null } });
  await ns?.cleanup();
});

function pcs(name: string, replicas: number, podSpec: Record<string, unknown> = {}, namespace = ns.name) {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace },
    spec: { replicas: 1, template: { cliques: [{ name: 'main', spec: { roleName: 'main', replicas, minAvailable: replicas, podSpec: { containers: [{ name: 'main', image: PAUSE_IMAGE }], ...podSpec } } }] } },
  };
}

const shape = (name: string, replicas: number): Shape => ({ pcs: name, replicas: 1, cliques: { main: { replicas, minAvailable: replicas } }, standalone: ['main'], groups: [] });

/** Events about `kind`/`name` in the namespace, oldest first. */
async function eventsOf(kind: string, name: string, namespace = ns.name): Promise<CoreEvent[]> {
  const all = await listIn(client, RESOURCES.events, namespace);
  return all
    .filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.source?.component === 'copse-controller')
    .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)));
}

async function eventNamed(kind: string, name: string, reason: string, namespace = ns.name): Promise<CoreEvent> {
  return eventually(`event ${reason} on ${kind}/${name}`, async () => (await eventsOf(kind, name, namespace)).find((e) => e.reason === reason), 180_000, 1000);
}

describe('events on availability transitions', { timeout: TEST_MS }, () => {
  it('ReplicasAvailable; AllScheduledReplicasLost, MinAvailableBreached, ReplicasUnavailable when pods lose their node; MinAvailableReached and ReplicasAvailable once back', async () => {
    const nodes = await client.list<Node>(RESOURCES.nodes);
    const node = nodes.items.map((n) => n.metadata?.name ?? '').sort()[0] ?? '';
    // Pinned to one node, so cordoning it keeps replacements Pending without touching other tests.
    await client.create(RESOURCES.podCliqueSets, pcs('pinned', 2, { nodeSelector: { 'kubernetes.io/hostname': node } }));
    const o = await converged(client, ns.name, shape('pinned', 2), 180_000);
    const available = await eventNamed('PodCliqueSet', 'pinned', 'ReplicasAvailable');
    expect(available).toMatchObject({ type: 'Normal', message: 'All 1 replicas available', involvedObject: { apiVersion: 'grove.io/v1alpha1', namespace: ns.name } });

    cordoned = node;
    await client.patch(RESOURCES.nodes, node, undefined, { spec: { unschedulable: true } });
    for (const p of podsOfClique(o, 'pinned-0-main')) await client.delete(RESOURCES.pods, p.metadata?.name ?? '', ns.name);

    const lost = await eventNamed('PodClique', 'pinned-0-main', 'AllScheduledReplicasLost');
    expect(lost.type).toBe('Warning');
    expect(lost.message).toMatch(/^All scheduled pods lost \(was [12]\); investigate node availability or capacity$/);
    const breached = await eventNamed('PodClique', 'pinned-0-main', 'MinAvailableBreached');
    expect(breached.type).toBe('Warning');
    expect(breached.message).toMatch(/^Scheduled replicas \(\d\) below MinAvailable \(2\)$|^Insufficient ready or starting pods/);
    const down = await eventNamed('PodCliqueSet', 'pinned', 'ReplicasUnavailable');
    expect(down).toMatchObject({ type: 'Warning', message: '0 of 1 replicas available (was 1)' });

    await client.patch(RESOURCES.nodes, node, undefined, { spec: { unschedulable: null } });
    cordoned = undefined;
    await converged(client, ns.name, shape('pinned', 2), 180_000);
    // The pods' first start may already have reported MinAvailableReached (folded into one Event with
    // a count): wait for one last seen at or after the breach.
    const breachedAt = Date.parse(String(breached.firstTimestamp));
    const reached = await eventually(
      'MinAvailableReached after the breach',
      async () => (await eventsOf('PodClique', 'pinned-0-main')).find((e) => e.reason === 'MinAvailableReached' && Date.parse(String(e.lastTimestamp)) >= breachedAt),
      60_000,
      1000,
    );
    expect(reached.type).toBe('Normal');
    await eventually('a second ReplicasAvailable', async () => (await eventsOf('PodCliqueSet', 'pinned')).filter((e) => e.reason === 'ReplicasAvailable').length === 2 || ((await eventsOf('PodCliqueSet', 'pinned')).find((e) => e.reason === 'ReplicasAvailable')?.count ?? 0) >= 2, 60_000, 1000);
    // In the order they happened: lost and breached before reached again.
    expect(Date.parse(String(lost.firstTimestamp))).toBeLessThanOrEqual(Date.parse(String(reached.lastTimestamp)));
  });
});

describe('events on errors', { timeout: TEST_MS }, () => {
  it('FailedCreatePod names the quota that refused the pod; exactly the pods that fit are created', async () => {
    const quotaNs = await createNamespace(client, 'ctl-quota');
    try {
      const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'three-pods', namespace: quotaNs.name }, spec: { hard: { pods: '3' } } };
      const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: JSON.stringify(quota) });
      expect(r.code, r.stderr).toBe(0);
      // The quota admits or refuses nothing until its controller has counted usage.
      await eventually('quota status', async () => {
        const got = await kubectl(kubeconfig, ['-n', quotaNs.name, 'get', 'resourcequota', 'three-pods', '-o', 'jsonpath={.status.hard.pods}']);
        return got.stdout === '3';
      });
      await client.create(RESOURCES.podCliqueSets, pcs('quota', 4, {}, quotaNs.name));
      const failed = await eventNamed('PodClique', 'quota-0-main', 'FailedCreatePod', quotaNs.name);
      expect(failed.type).toBe('Warning');
      expect(failed.message).toContain('Error creating pod: Forbidden (403): pods "quota-0-main-');
      expect(failed.message).toContain('exceeded quota: three-pods');
      const pods = await eventually('3 pods', async () => {
        const ps = podsOfClique(await observe(client, quotaNs.name, 'quota'), 'quota-0-main');
        return ps.length === 3 ? ps : undefined;
      });
      await new Promise((res) => setTimeout(res, 3000));
      expect(podsOfClique(await observe(client, quotaNs.name, 'quota'), 'quota-0-main').map((p) => p.metadata?.name).sort()).toEqual(pods.map((p) => p.metadata?.name).sort());
    } finally {
      await quotaNs.cleanup();
    }
  });
});
