// The native backend (issue 10) on the local control plane in native mode: kube-scheduler's own gang
// scheduling places a Grove workload with a PodCliqueSet-level rack constraint and a scaling group
// through the Workload, CompositePodGroups and PodGroups copse translates its PodGangs into, with
// copse's extender passing the pods through; a gang that native cannot express (preferred packing)
// goes the extender way and its status says so. The file switches the suite's cluster to native mode
// and back afterwards (test/support/workload-mode.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import { EXTENDER_MARKER, carriesExtenderMarker } from '../../api/desired/extender-marker.js';
import type { PodCliqueSet, PodGang } from '../../api/index.js';
import { LABEL_PART_OF } from '../../api/keys.js';
import type { CompositePodGroup, NativePodGroup, Workload } from '../../api/native/index.js';
import { RESOURCES } from '../../kube/resources.js';
import { NATIVE_RESOURCES } from '../../scheduler/native/resources.js';
import { LOCAL_LEVELS, clusterTopology, uniqueSuffix } from '../support/admission.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { eventually } from '../support/kube.js';
import { boundPods, createPool, type Pool } from '../support/pool.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

const client = testClient(inject('kubeconfig'));
const quiet = () => {};

/** A PodCliqueSet of 80Mi pods: a standalone `frontend` and a scaling group `sg` of `worker`s. */
function pcsDoc(name: string, pack: { required?: string; preferred?: string }, worker = { replicas: 2, minAvailable: 2 }, groupPack?: { required: string }): Record<string, unknown> {
  const podSpec = (c: string) => ({ containers: [{ name: c, image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '80Mi', cpu: '10m' } } }] });
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name },
    spec: {
      replicas: 1,
      template: {
        topologyConstraint: { topologyName: 'grove-topology', pack },
        cliques: [
          { name: 'frontend', spec: { roleName: 'frontend', replicas: 1, minAvailable: 1, podSpec: podSpec('frontend') } },
          { name: 'worker', spec: { roleName: 'worker', ...worker, podSpec: podSpec('worker') } },
        ],
        podCliqueScalingGroups: [{ name: 'sg', cliqueNames: ['worker'], replicas: 2, minAvailable: 1, ...(groupPack ? { topologyConstraint: { topologyName: 'grove-topology', pack: groupPack } } : {}) }],
      },
    },
  };
}

const podsOf = async (ns: string, pcs: string): Promise<Pod[]> => (await listIn(client, RESOURCES.pods, ns, `${LABEL_PART_OF}=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
const groupOf = (p: Pod) => (p.spec as { schedulingGroup?: { podGroupName?: string } } | undefined)?.schedulingGroup?.podGroupName;
const condition = (g: PodGang | undefined, type: string) => g?.status?.conditions?.find((c) => c.type === type);

useWorkloadScheduling('native');

describe('native gang scheduling (Kubernetes v1.37 Workload, CompositePodGroup, PodGroup)', () => {
  let pool: Pool;
  let ns: { name: string; cleanup: () => Promise<void> };
  const topology = `native-${uniqueSuffix()}`;

  beforeAll(async () => {
    // 2 racks × 3 hosts, 200Mi each: two 80Mi pods per host, six per rack.
    pool = await createPool(client, `ng-${uniqueSuffix()}`, { racksPerBlock: 2, hostsPerRack: 3, memory: '200Mi' });
    ns = await createNamespace(client, 'native');
    await client.create(RESOURCES.clusterTopologyBindings, clusterTopology(topology, LOCAL_LEVELS) as never);
  });

  afterAll(async () => {
    await ns?.cleanup();
    await pool?.cleanup();
    await client.delete(RESOURCES.clusterTopologyBindings, topology, undefined).catch(quiet);
  });

  const create = (doc: Record<string, unknown>) => client.create(RESOURCES.podCliqueSets, pool.adapt(doc, { namespace: ns.name, topologyName: topology }) as unknown as PodCliqueSet);

  it('places a PCS-level rack gang with a scaling group through the translated objects, every pod in one rack', async () => {
    await create(pcsDoc('ng', { required: 'rack' }, { replicas: 2, minAvailable: 2 }, { required: 'host' }));
    const pods = await eventually(
      'all 5 pods of ng bound',
      async () => {
        const p = await podsOf(ns.name, 'ng');
        return p.length === 5 && boundPods(p).length === 5 ? p : undefined;
      },
      90_000,
    );
    // Every pod joined its clique's leaf PodGroup at creation; kube-scheduler placed them.
    expect(pods.map((p) => [p.metadata?.labels?.['grove.io/podclique'], groupOf(p)]).sort()).toEqual([
      ['ng-0-frontend', 'ng-0-frontend'],
      ['ng-0-sg-0-worker', 'ng-0-sg-0-worker'],
      ['ng-0-sg-0-worker', 'ng-0-sg-0-worker'],
      ['ng-0-sg-1-worker', 'ng-0-sg-1-worker'],
      ['ng-0-sg-1-worker', 'ng-0-sg-1-worker'],
    ]);
    // Native members do not carry copse's extender marker, so kube-scheduler's placement search never
    // calls the extender for them (the local scheduler's extender entry manages the marker in native mode).
    expect(pods.filter(carriesExtenderMarker).map((p) => p.metadata?.name)).toEqual([]);
    const rackOf = (p: Pod) => pool.rackOf(p.spec?.nodeName ?? '');
    const base = pods.filter((p) => p.metadata?.labels?.['grove.io/podgang'] === 'ng-0');
    expect(base).toHaveLength(3);
    expect(new Set(base.map(rackOf)).size).toBe(1);
    const scaled = pods.filter((p) => p.metadata?.labels?.['grove.io/podgang'] === 'ng-0-sg-0');
    expect(new Set(scaled.map((p) => p.spec?.nodeName)).size).toBe(1);
    // The group's host constraint: replica 0's workers share one node.
    expect(new Set(base.filter((p) => groupOf(p) === 'ng-0-sg-0-worker').map((p) => p.spec?.nodeName)).size).toBe(1);

    const wl = await client.get(NATIVE_RESOURCES.workloads, 'ng-0', ns.name);
    expect(wl.spec.controllerRef).toEqual({ apiGroup: 'scheduler.grove.io', kind: 'PodGang', name: 'ng-0' });
    const cpgs = (await listIn(client, NATIVE_RESOURCES.compositePodGroups, ns.name)) as CompositePodGroup[];
    expect(cpgs.map((c) => [c.metadata.name, c.spec.parentCompositePodGroupName, c.spec.schedulingPolicy.gang.minGroupCount, c.spec.schedulingConstraints?.topology[0]?.key]).sort()).toEqual([
      ['ng-0', undefined, 2, 'topology.copse.io/rack'],
      // The scaled gang takes its scaling group's constraint (the PodCliqueSet's only when the group has none).
      ['ng-0-sg-0', undefined, 1, 'kubernetes.io/hostname'],
      ['ng-0-sg-0-group', 'ng-0', 1, 'kubernetes.io/hostname'],
    ]);
    const pgs = (await listIn(client, NATIVE_RESOURCES.podGroups, ns.name)) as NativePodGroup[];
    expect(pgs.map((g) => [g.metadata.name, g.spec.parentCompositePodGroupName, g.spec.schedulingPolicy.gang.minCount, g.status?.conditions?.find((c) => c.type === 'PodGroupInitiallyScheduled')?.status]).sort()).toEqual([
      ['ng-0-frontend', 'ng-0', 1, 'True'],
      ['ng-0-sg-0-worker', 'ng-0-sg-0-group', 2, 'True'],
      ['ng-0-sg-1-worker', 'ng-0-sg-0', 2, 'True'],
    ]);
    for (const o of [wl, ...cpgs, ...pgs] as (Workload | CompositePodGroup | NativePodGroup)[]) {
      expect(o.metadata.managedFields?.some((m) => m.manager === 'copse-native')).toBe(true);
      expect(o.metadata.ownerReferences?.[0]?.kind).toBe('PodGang');
    }
    const gang = await eventually('PodGang ng-0 Scheduled', async () => {
      const g = await client.get(RESOURCES.podGangs, 'ng-0', ns.name);
      return condition(g, 'Scheduled')?.status === 'True' ? g : undefined;
    });
    expect(condition(gang, 'SchedulingBackend')).toMatchObject({ status: 'True', reason: 'Native' });
  });

  it('binds nothing of a gang whose rack is too small, and the gang quotes kube-scheduler', async () => {
    // The base gang (a frontend and 7 workers) must share a rack of 6 slots.
    await create(pcsDoc('short', { required: 'rack' }, { replicas: 7, minAvailable: 7 }));
    const message = await eventually(
      'PodGang short-0 Scheduled=False with the native reason',
      async () => {
        const c = condition(await client.tryGet(RESOURCES.podGangs, 'short-0', ns.name), 'Scheduled');
        return c?.status === 'False' && c.message?.includes('kube-scheduler (native gang scheduling)') ? c.message : undefined;
      },
      90_000,
    );
    expect(message).toMatch(/PodGroup short-0-\S+: pod group is unschedulable/);
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const base = (await podsOf(ns.name, 'short')).filter((p) => p.metadata?.labels?.['grove.io/podgang'] === 'short-0');
      expect(boundPods(base)).toHaveLength(0);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('sends a gang with preferred packing through the extender, and its status says why', async () => {
    await client.delete(RESOURCES.podCliqueSets, 'short', ns.name);
    await create(pcsDoc('pref', { preferred: 'rack' }, { replicas: 1, minAvailable: 1 }));
    const gang = await eventually('PodGang pref-0 with its backend', async () => {
      const g = await client.tryGet(RESOURCES.podGangs, 'pref-0', ns.name);
      return condition(g, 'SchedulingBackend') ? g : undefined;
    });
    expect(condition(gang, 'SchedulingBackend')).toMatchObject({
      status: 'True',
      reason: 'Extender',
      message: "placed through copse's extender: the gang has preferred packing (topology.copse.io/rack); native topology constraints are required only",
    });
    const pods = await eventually(
      'pods of pref bound',
      async () => {
        const p = await podsOf(ns.name, 'pref');
        return p.length === 3 && boundPods(p).length === 3 ? p : undefined;
      },
      90_000,
    );
    expect(pods.map(groupOf)).toEqual([undefined, undefined, undefined]);
    // Placed through the extender: each carries the marker (one, as request and limit), and binding
    // them shows kube-scheduler ignores it, as no node offers it.
    expect(pods.map((p) => p.spec?.containers[0]?.resources?.limits?.[EXTENDER_MARKER])).toEqual(['1', '1', '1']);
    expect(pods.every((p) => p.metadata?.annotations?.['scheduling.copse.io/node'] !== undefined)).toBe(true);
    expect(await client.tryGet(NATIVE_RESOURCES.podGroups, 'pref-0-frontend', ns.name)).toBeUndefined();
  });

  it('deleting the PodCliqueSet removes its PodGroups (the protection finalizer never hangs)', async () => {
    await client.delete(RESOURCES.podCliqueSets, 'ng', ns.name);
    await eventually(
      'no PodGroup of ng left',
      async () => ((await listIn(client, NATIVE_RESOURCES.podGroups, ns.name)) as NativePodGroup[]).every((g) => !g.metadata.name?.startsWith('ng-')) || undefined,
      90_000,
    );
  });
});
