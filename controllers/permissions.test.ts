// The permissions table against the code: the informers the server starts, the writes the
// reconcilers make over an in-memory cluster, the Role the PodCliqueSet controller grants and the
// owner references it sets must all be covered by controllers/permissions.ts, which is what
// manifests/install/controller-rbac.yaml is generated from (cli/manifests.test.ts keeps that file
// current). test/e2e/rbac.test.ts proves the same grants against a real kube-apiserver.
import { loadAllYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../api/index.js';
import { FINALIZER_PODCLIQUE, FINALIZER_PODCLIQUESET } from '../api/keys.js';
import { ANNOTATION_BACKEND } from '../api/native/index.js';
import { controllerConfig, parseServeOptions } from '../cli/serve.js';
import { repoRoot } from '../cluster/paths.js';
import type { ObjectLike } from '../kube/dynamic.js';
import { createLogger } from '../kube/log.js';
import { RESOURCES, type Resource } from '../kube/resources.js';
import { PendingReasons, registerGangScheduling } from '../scheduler/index.js';
import { registerNativeScheduling } from '../scheduler/native/controller.js';
import { clique, created, pcsOf, simulate } from '../test/support/desired.js';
import { type Write, memoryClient } from '../test/support/memory-client.js';
import { registerControllers } from './index.js';
import { CONTROLLER_GRANTS, LEADER_ELECTION_GRANTS, LEADER_LEASE_NAME, NATIVE_GRANTS, type PolicyRule, allows, rulesOf } from './permissions.js';
import { Manager } from './runtime/manager.js';

const log = createLogger('silent');
const signal = new AbortController().signal;
const CONTROLLERS = rulesOf([...CONTROLLER_GRANTS, ...NATIVE_GRANTS]);
/** The Dynamo controller's grants live in their own hand-written file (installed with --dynamo). */
const DYNAMO = (loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/dynamo-rbac.yaml'), 'utf8')) as { kind: string; rules?: PolicyRule[] }[]).find((d) => d.kind === 'ClusterRole')?.rules ?? [];

/** A PodCliqueSet with every kind of child: a standalone clique with an HPA, a scaling group, startup order. */
function workload(): PodCliqueSet {
  return pcsOf(
    'w',
    {
      cliqueStartupType: 'CliqueStartupTypeInOrder',
      cliques: [clique('front', 1, { autoScalingConfig: { maxReplicas: 3 } }), clique('worker', 2)],
      podCliqueScalingGroups: [{ name: 'sg', cliqueNames: ['worker'], replicas: 2, minAvailable: 1 }],
    },
    1,
  );
}

const byResource = (objects: Record<string, readonly ObjectLike[]>) => new Map(Object.entries(objects));

describe('controller RBAC (controllers/permissions.ts)', () => {
  let managers: Manager[] = [];
  afterEach(async () => {
    await Promise.all(managers.map((m) => m.informers.shutdown()));
    managers = [];
  });

  /** A manager over `objects` with every controller the server registers (Dynamo too), its informers synced. */
  async function serverOn(objects: Map<string, readonly ObjectLike[]>, writes: Write[], informed: Resource[] = []) {
    const manager = new Manager({ client: memoryClient(objects, writes), log });
    managers.push(manager);
    const informer = manager.informers.informer.bind(manager.informers);
    vi.spyOn(manager.informers, 'informer').mockImplementation((r, spec) => {
      informed.push(r);
      return informer(r, spec);
    });
    const controllers = registerControllers(manager, controllerConfig(parseServeOptions([], {})), log, { dynamo: true });
    const native = registerNativeScheduling(manager, { onPendingReason: () => {}, log });
    registerGangScheduling(manager, { pending: new PendingReasons(), onPendingReason: () => {}, log });
    manager.informers.start();
    await manager.informers.waitForSync();
    return { manager, controllers, native };
  }

  it('lets every informer the server starts list and watch its resource, cluster-wide', async () => {
    const informed: Resource[] = [];
    await serverOn(new Map(), [], informed);
    const resources = [...new Set(informed.map((r) => `${r.group}/${r.resource}`))].sort();
    expect(resources).toEqual([
      '/nodes',
      '/pods',
      '/secrets',
      '/serviceaccounts',
      '/services',
      'apiextensions.k8s.io/customresourcedefinitions',
      'autoscaling/horizontalpodautoscalers',
      'grove.io/clustertopologybindings',
      'grove.io/podcliques',
      'grove.io/podcliquescalinggroups',
      'grove.io/podcliquesets',
      'nvidia.com/dynamographdeployments',
      'rbac.authorization.k8s.io/rolebindings',
      'rbac.authorization.k8s.io/roles',
      'scheduler.grove.io/podgangs',
      'scheduling.k8s.io/compositepodgroups',
      'scheduling.k8s.io/podgroups',
      'scheduling.k8s.io/workloads',
    ]);
    const missing = informed.flatMap((r) => ['list', 'watch'].filter((v) => !allows([...CONTROLLERS, ...DYNAMO], r.group, r.resource, v)).map((v) => `${v} ${r.group}/${r.resource}`));
    expect(missing).toEqual([]);
  });

  it('covers every write the reconcilers make: a new PodCliqueSet, its PodCliques and gangs, native objects, and deletion', async () => {
    const pcs = workload();
    const g = simulate(pcs);
    const writes: Write[] = [];
    // A PodCliqueSet nothing has been made for yet: the finalizer, then every child, then its status.
    const fresh = await serverOn(byResource({ [RESOURCES.podCliqueSets.resource]: [pcs] }), writes);
    await fresh.controllers.podCliqueSet.reconciler.reconcile('ns/w', log, signal);
    // Its PodCliques, scaling groups and gangs exist, no pod yet; the gangs are the native backend's.
    const native = (gang: PodGang): PodGang => ({ ...gang, metadata: { ...gang.metadata, annotations: { ...gang.metadata.annotations, [ANNOTATION_BACKEND]: 'native' } } });
    const built = await serverOn(
      byResource({
        [RESOURCES.podCliqueSets.resource]: [{ ...pcs, metadata: { ...pcs.metadata, finalizers: [FINALIZER_PODCLIQUESET] } }],
        [RESOURCES.podCliques.resource]: g.podCliques,
        [RESOURCES.podCliqueScalingGroups.resource]: g.scalingGroups,
        [RESOURCES.podGangs.resource]: g.tree.podGangs.map(created).map(native),
      }),
      writes,
    );
    for (const p of g.podCliques) await built.controllers.podClique.reconciler.reconcile(`ns/${p.metadata.name ?? ''}`, log, signal);
    for (const s of g.scalingGroups) await built.controllers.scalingGroup.reconciler.reconcile(`ns/${s.metadata.name ?? ''}`, log, signal);
    for (const gang of g.tree.podGangs) {
      await built.controllers.podGang.reconciler.reconcile(`ns/${gang.metadata.name ?? ''}`, log, signal);
      await built.native.controller.reconciler.reconcile(`ns/${gang.metadata.name ?? ''}`, log, signal);
    }
    // Its pods exist: the gangs' references match, so their status follows (the PodCliqueSet is
    // there: a gang of a missing or going PodCliqueSet is left to garbage collection).
    const running = await serverOn(
      byResource({ [RESOURCES.podCliqueSets.resource]: [pcs], [RESOURCES.podCliques.resource]: g.podCliques, [RESOURCES.podGangs.resource]: g.tree.podGangs.map(created), [RESOURCES.pods.resource]: g.pods }),
      writes,
    );
    for (const gang of g.tree.podGangs) await running.controllers.podGang.reconciler.reconcile(`ns/${gang.metadata.name ?? ''}`, log, signal);
    // Everything being deleted, pods still there.
    const deleting = <T extends ObjectLike>(o: T, finalizer: string): T => ({ ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [finalizer] } });
    const going = await serverOn(
      byResource({
        [RESOURCES.podCliqueSets.resource]: [deleting(pcs, FINALIZER_PODCLIQUESET)],
        [RESOURCES.podCliques.resource]: g.podCliques.map((p) => deleting<PodClique>(p, FINALIZER_PODCLIQUE)),
        [RESOURCES.podCliqueScalingGroups.resource]: g.scalingGroups as PodCliqueScalingGroup[],
        [RESOURCES.pods.resource]: g.pods,
      }),
      writes,
    );
    await going.controllers.podCliqueSet.reconciler.reconcile('ns/w', log, signal);
    const first = g.podCliques[0]?.metadata.name ?? '';
    await going.controllers.podClique.reconciler.reconcile(`ns/${first}`, log, signal);
    // A binding whose KAI Topology has other levels, with KAI's CRD installed: recreated, then the status.
    const ctb = { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 'topo', uid: 'ctb-uid', generation: 1 }, spec: { levels: [{ domain: 'rack', key: 'example.com/rack' }] } };
    const kaiCrd = {
      metadata: { name: 'topologies.kai.scheduler' },
      spec: { group: 'kai.scheduler', names: { kind: 'Topology', plural: 'topologies' }, scope: 'Cluster', versions: [{ name: 'v1alpha1', served: true, storage: true }] },
      status: { conditions: [{ type: 'Established', status: 'True' }] },
    };
    const stale = { metadata: { name: 'topo', uid: 't-uid', ownerReferences: [{ apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', name: 'topo', uid: 'ctb-uid', controller: true }] }, spec: { levels: [{ nodeLabel: 'x/y' }] } };
    const topology = await serverOn(
      byResource({ [RESOURCES.clusterTopologyBindings.resource]: [ctb], [RESOURCES.customResourceDefinitions.resource]: [kaiCrd], [RESOURCES.kaiTopologies.resource]: [stale] }),
      writes,
    );
    await topology.controllers.clusterTopology.reconciler.reconcile('topo', log, signal);
    await Promise.all(managers.map((m) => m.events.flush()));

    // As RBAC sees them: server-side apply is a patch that may create.
    const asked = writes.flatMap((w) => {
      const res = w.verb === 'status' ? `${w.resource.resource}/status` : w.subresource ? `${w.resource.resource}/${w.subresource}` : w.resource.resource;
      const verbs = w.verb === 'apply' ? ['create', 'patch'] : w.verb === 'status' ? ['patch'] : [w.verb];
      return verbs.map((v) => `${v} ${w.resource.group}/${res}`);
    });
    const distinct = [...new Set(asked)].sort();
    expect(distinct.filter((d) => !d.endsWith('/events'))).toEqual([
      'create /pods',
      'create /secrets',
      'create /serviceaccounts',
      'create /services',
      'create autoscaling/horizontalpodautoscalers',
      'create grove.io/podcliques',
      'create grove.io/podcliquescalinggroups',
      'create kai.scheduler/topologies',
      'create rbac.authorization.k8s.io/rolebindings',
      'create rbac.authorization.k8s.io/roles',
      'create scheduler.grove.io/podgangs',
      'create scheduling.k8s.io/compositepodgroups',
      'create scheduling.k8s.io/podgroups',
      'create scheduling.k8s.io/workloads',
      'delete kai.scheduler/topologies',
      'deletecollection /pods',
      'patch /secrets',
      'patch /serviceaccounts',
      'patch /services',
      'patch autoscaling/horizontalpodautoscalers',
      'patch grove.io/clustertopologybindings/status',
      'patch grove.io/podcliques',
      'patch grove.io/podcliques/status',
      'patch grove.io/podcliquescalinggroups',
      'patch grove.io/podcliquescalinggroups/status',
      'patch grove.io/podcliquesets',
      'patch grove.io/podcliquesets/status',
      'patch rbac.authorization.k8s.io/rolebindings',
      'patch rbac.authorization.k8s.io/roles',
      'patch scheduler.grove.io/podgangs',
      'patch scheduler.grove.io/podgangs/status',
      'patch scheduling.k8s.io/compositepodgroups',
      'patch scheduling.k8s.io/podgroups',
      'patch scheduling.k8s.io/workloads',
    ]);
    const denied = distinct.filter((d) => {
      const [verb = '', path = ''] = d.split(' ');
      const slash = path.indexOf('/');
      return !allows(CONTROLLERS, path.slice(0, slash), path.slice(slash + 1), verb);
    });
    expect(denied).toEqual([]);
  });

  it('holds everything the init container’s Role grants, so it may create that Role without escalate or bind', () => {
    for (const rule of simulate(workload()).tree.role.rules ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) expect(allows(CONTROLLERS, group, resource, verb), `${verb} ${group}/${resource}`).toBe(true);
        }
      }
    }
  });

  it('may update the finalizers of every owner whose children it writes with blockOwnerDeletion', () => {
    const g = simulate(workload());
    const t = g.tree;
    const children: ObjectLike[] = [t.serviceAccount, t.role, t.roleBinding, t.tokenSecret, ...t.services, ...t.hpas, ...t.podCliques, ...t.scalingGroups, ...t.podGangs, ...g.podCliques, ...g.pods];
    const owners = new Set(children.flatMap((c) => (c.metadata?.ownerReferences ?? []).filter((r) => r.blockOwnerDeletion).map((r) => r.kind)));
    expect([...owners].sort()).toEqual(['PodClique', 'PodCliqueScalingGroup', 'PodCliqueSet']);
    for (const kind of owners) {
      const r = Object.values(RESOURCES).find((x: Resource) => x.kind === kind) as Resource;
      expect(allows(CONTROLLERS, r.group, `${r.resource}/finalizers`, 'update'), kind).toBe(true);
    }
  });

  it('lets leader election read, renew and create only its own Lease', () => {
    const rules = rulesOf(LEADER_ELECTION_GRANTS);
    expect(['get', 'update'].map((v) => allows(rules, 'coordination.k8s.io', 'leases', v, LEADER_LEASE_NAME))).toEqual([true, true]);
    expect(allows(rules, 'coordination.k8s.io', 'leases', 'update', 'kube-scheduler')).toBe(false);
    expect(allows(rules, 'coordination.k8s.io', 'leases', 'create')).toBe(true);
  });
});
