// kill -9 of the copse server while it places a gang on the extender backend, then a restart (what
// `copse up` does): during planning (the plan is made, no gate lifted yet) and during gate lifting
// (half of the gang lifted). After the restart the gang is bound whole, every pod on the node its
// reservation named, and no reservation is left behind.
//
// The seam is the apiserver, not a timer: a ValidatingAdmissionPolicy refuses copse's write that
// lifts the placement gate of chosen pods (by pod index), so the server stops at exactly the chosen
// point, retrying the refused lifts, and the test kills it there. Refusing every lift of the gang
// stops it after planning (copse records the GangPlaced event before it lifts anything); refusing
// pods 2 and 3 stops it with pods 0 and 1 lifted. The policy goes before the restart.
//
// The same seam, without a kill, leaves a gang partly bound while other pods take the rest of its
// room: copse then unwinds the bound part after --partial-gang-timeout (scheduler/partial-gang.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_PART_OF, LABEL_PODCLIQUE_POD_INDEX } from '../../api/keys.js';
import { upStack } from '../../cli/stack.js';
import { RESOURCES } from '../../kube/resources.js';
import { ANNOTATION_PLANNED_NODE, PLACEMENT_GATE } from '../../scheduler/placement-gate.js';
import { uniqueSuffix } from '../support/admission.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { eventually, kubectl } from '../support/kube.js';
import { boundPods, createPool, type Pool, wholeGang } from '../support/pool.js';
import { killServer, restartServer } from '../support/servers.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

useWorkloadScheduling('off');

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const POLICY = `e2e-copse-refuse-lift-${uniqueSuffix()}`;

let pool: Pool;
let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  pool = await createPool(client, `crash-${uniqueSuffix()}`, { racksPerBlock: 1, hostsPerRack: 4, memory: '100Mi' });
  ns = await createNamespace(client, 'gang-crash');
});

afterAll(async () => {
  await refuseLifts(undefined);
  // Whatever happened, leave a running server behind for the next file.
  await upStack({ log: () => {} });
  await ns?.cleanup();
  await pool?.cleanup();
});

/** A gang of 4 pods of 80Mi on 4 nodes that take one each: all four or none. */
const gang4 = (name: string): PodCliqueSet => wholeGang(pool, name, ns.name, 4);

/**
 * Make kube-apiserver refuse the writes that lift copse's placement gate from the pods of PodCliqueSet
 * `pcs` with a pod index in `indices` (undefined: remove the policy). Resolves once a probe pod shows
 * the policy in force (the apiserver loads policies asynchronously).
 */
async function refuseLifts(target: { pcs: string; indices: number[] } | undefined): Promise<void> {
  if (!target) {
    await kubectl(kubeconfig, ['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', POLICY, '--ignore-not-found']);
    return;
  }
  const gate = `'${PLACEMENT_GATE}'`;
  const hasGate = (o: string) => `(has(${o}.spec.schedulingGates) && ${o}.spec.schedulingGates.exists(g, g.name == ${gate}))`;
  const labels = 'object.metadata.labels';
  const lift = [
    `has(object.metadata.labels)`,
    `'${LABEL_PART_OF}' in ${labels} && ${labels}['${LABEL_PART_OF}'] == '${target.pcs}'`,
    `'${LABEL_PODCLIQUE_POD_INDEX}' in ${labels} && ${labels}['${LABEL_PODCLIQUE_POD_INDEX}'] in [${target.indices.map((i) => `'${i}'`).join(', ')}]`,
    hasGate('oldObject'),
    `!${hasGate('object')}`,
  ].join(' && ');
  const yaml = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: POLICY },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods'] }] },
          validations: [{ expression: `!(${lift})`, message: 'e2e: this placement lift is refused' }],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: POLICY },
        spec: {
          policyName: POLICY,
          validationActions: ['Deny'],
          matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } } },
        },
      },
    ],
  });
  const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: yaml });
  expect(r.code, r.stderr).toBe(0);
  // A probe pod the policy covers (no gang label: copse's planner ignores it) whose gate lift must fail.
  const probe: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: ns.name, labels: { [LABEL_PART_OF]: target.pcs, [LABEL_PODCLIQUE_POD_INDEX]: String(target.indices[0]) } },
    spec: { schedulingGates: [{ name: PLACEMENT_GATE }], containers: [{ name: 'p', image: 'registry.k8s.io/pause:3.10' }] },
  };
  const gone = () => eventually('the probe pod gone', async () => (await client.tryGet(RESOURCES.pods, 'probe', ns.name)) === undefined);
  await eventually('the policy to refuse a lift', async () => {
    // A fresh gated probe each time: a lift that went through leaves nothing to refuse.
    await client.delete(RESOURCES.pods, 'probe', ns.name, { gracePeriodSeconds: 0 });
    await gone();
    await client.create(RESOURCES.pods, probe);
    try {
      await client.patch(RESOURCES.pods, 'probe', ns.name, { spec: { schedulingGates: [] } });
    } catch (err) {
      return /this placement lift is refused/.test(String(err));
    }
    return false;
  });
  await client.delete(RESOURCES.pods, 'probe', ns.name, { gracePeriodSeconds: 0 });
}

const podsOf = async (pcs: string): Promise<Pod[]> => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
const indexOf = (p: Pod) => Number(p.metadata?.labels?.[LABEL_PODCLIQUE_POD_INDEX]);
const lifted = (p: Pod) => !(p.spec?.schedulingGates ?? []).some((g) => g.name === PLACEMENT_GATE);

/** After the restart: all 4 bound on 4 nodes, each where its reservation said, none reserved and unbound. */
async function wholeAfterRestart(pcs: string, kept: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const pods = await eventually(
    `${pcs}: 4 of 4 pods bound`,
    async () => {
      const now = await podsOf(pcs);
      return now.length === 4 && boundPods(now).length === 4 ? now : undefined;
    },
    90_000,
  );
  expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(4);
  expect(pods.map((p) => [indexOf(p), p.metadata?.annotations?.[ANNOTATION_PLANNED_NODE]])).toEqual(pods.map((p) => [indexOf(p), p.spec?.nodeName]));
  const gang = await client.get(RESOURCES.podGangs, `${pcs}-0`, ns.name);
  await eventually(`${pcs}-0 Scheduled=True`, async () => (await client.get(RESOURCES.podGangs, `${pcs}-0`, ns.name)).status?.conditions?.find((c) => c.type === 'Scheduled')?.status === 'True');
  expect(gang.spec.podgroups.map((g) => g.minReplicas)).toEqual([4]);
  for (const [name, node] of kept) expect(pods.find((p) => p.metadata?.name === name)?.spec?.nodeName).toBe(node);
  await client.delete(RESOURCES.podCliqueSets, pcs, ns.name);
  await eventually(`${pcs} pods gone`, async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${pcs}`)).length === 0 || undefined, 60_000);
}

describe('placing a gang on the extender backend: kill -9 of the server, and a gang left partly bound', { timeout: 300_000 }, () => {
  it('after planning, before any gate is lifted: nothing is bound while it is down, the restarted server binds the gang whole', async () => {
    await refuseLifts({ pcs: 'plan', indices: [0, 1, 2, 3] });
    await client.create(RESOURCES.podCliqueSets, gang4('plan'));
    // The plan is made: copse records the event before it lifts anything, and the lifts are refused.
    await eventually(
      'GangPlaced for plan-0',
      async () => (await listIn(client, RESOURCES.events, ns.name)).some((e) => e.reason === 'GangPlaced' && e.involvedObject?.name === 'plan') || undefined,
      60_000,
    );
    const before = await podsOf('plan');
    expect(before.length).toBe(4);
    expect(before.filter(lifted)).toEqual([]);
    expect(before.filter((p) => p.metadata?.annotations?.[ANNOTATION_PLANNED_NODE])).toEqual([]);
    const pid = await killServer();
    await refuseLifts(undefined);
    expect(boundPods(await podsOf('plan'))).toEqual([]);
    await restartServer(pid);
    await wholeAfterRestart('plan');
  });

  it('half-way through lifting (pods 0 and 1 lifted, 2 and 3 refused): the restarted server keeps their nodes and binds the rest, no reservation left', async () => {
    await refuseLifts({ pcs: 'lift', indices: [2, 3] });
    await client.create(RESOURCES.podCliqueSets, gang4('lift'));
    // Stopped exactly there: pods 0 and 1 lifted, each with its reserved node; 2 and 3 gated, with none.
    const half = await eventually(
      'pods 0 and 1 lifted and bound, 2 and 3 gated',
      async () => {
        const pods = (await podsOf('lift')).sort((a, b) => indexOf(a) - indexOf(b));
        return pods.length === 4 && pods.map((p) => lifted(p) && Boolean(p.spec?.nodeName)).join() === 'true,true,false,false' ? pods : undefined;
      },
      60_000,
    );
    expect(half.map((p) => Boolean(p.metadata?.annotations?.[ANNOTATION_PLANNED_NODE]))).toEqual([true, true, false, false]);
    expect(half.slice(0, 2).map((p) => p.spec?.nodeName)).toEqual(half.slice(0, 2).map((p) => p.metadata?.annotations?.[ANNOTATION_PLANNED_NODE]));
    const pid = await killServer();
    await refuseLifts(undefined);
    await restartServer(pid);
    // The first two keep the nodes the killed server reserved for them.
    await wholeAfterRestart('lift', new Map(half.slice(0, 2).map((p) => [p.metadata?.name ?? '', p.spec?.nodeName ?? ''])));
  });

  it('a gang left partly bound with no room for the rest is unwound whole, then placed whole once there is room', async () => {
    // Pods 0 and 1 are lifted and bound; the lifts of 2 and 3 are refused, as if their slots had gone.
    await refuseLifts({ pcs: 'part', indices: [2, 3] });
    await client.create(RESOURCES.podCliqueSets, gang4('part'));
    const half = await eventually(
      'pods 0 and 1 bound, 2 and 3 gated',
      async () => {
        const pods = (await podsOf('part')).sort((a, b) => indexOf(a) - indexOf(b));
        return pods.length === 4 && pods.map((p) => Boolean(p.spec?.nodeName)).join() === 'true,true,false,false' ? pods : undefined;
      },
      60_000,
    );
    // Then other pods take the two free nodes (bound directly, as a pod that skips the extender would be).
    const used = new Set(half.map((p) => p.spec?.nodeName));
    const free = pool.nodes.filter((n) => !used.has(n));
    expect(free).toHaveLength(2);
    for (const [i, node] of free.entries()) {
      await client.create(RESOURCES.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `squatter-${i}`, namespace: ns.name },
        spec: { nodeName: node, containers: [{ name: 'p', image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '80Mi' } } }] },
      } as Pod);
    }
    // After --partial-gang-timeout (60 s) the bound half goes too: no pod of the gang is bound, and the
    // event says why.
    const event = await eventually(
      'PartialGangUnwound for part-0',
      async () => (await listIn(client, RESOURCES.events, ns.name)).find((e) => e.reason === 'PartialGangUnwound' && e.involvedObject?.name === 'part'),
      150_000,
      1_000,
    );
    expect(event.type).toBe('Warning');
    expect(event.message).toBe(
      'PodGang part-0 was partly bound (bound/minReplicas: part-0-w 2/4) and the rest found no room for 60s; deleting its 2 bound pod(s) so the whole gang is placed again',
    );
    const after = await eventually(
      'the gang back to 4 pods, none bound',
      async () => {
        const pods = await podsOf('part');
        return pods.length === 4 && boundPods(pods).length === 0 ? pods : undefined;
      },
      60_000,
    );
    expect(after.map((p) => p.metadata?.uid).filter((u) => half.slice(0, 2).some((h) => h.metadata?.uid === u))).toEqual([]);
    // Room again: the gang is placed whole.
    await refuseLifts(undefined);
    for (const i of [0, 1]) await client.delete(RESOURCES.pods, `squatter-${i}`, ns.name, { gracePeriodSeconds: 0 });
    await wholeAfterRestart('part');
  });
});

