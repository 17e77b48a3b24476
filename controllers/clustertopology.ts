// The ClusterTopologyBinding controller (grove-compat §5.3): keeps KAI's Topology objects in step with
// the bindings while KAI's Topology CRD is installed, and reports drift in each binding's status. The
// decisions are api/status/clustertopology.ts; this shell reads, writes (field manager copse-topology)
// and records events.
//
// KAI's Topologies have no informer: an informer on a resource the cluster may not serve never syncs
// and would hold copse's readiness back, and the CRD can come and go at any time. So the controller
// watches that one CRD by name, reads the few Topologies a binding concerns with GETs, and while KAI is
// there re-checks every binding on a timer (a Topology changed or deleted behind copse's back shows up
// within KAI_RECHECK_MS).
import type { Logger } from 'pino';
import type { CustomResourceDefinition } from '../api/core/wire.js';
import type { ClusterTopologyBinding } from '../api/index.js';
import {
  actionFailed,
  clusterTopologyStatus,
  decideBackendTopologies,
  kaiTopologyNames,
  kaiTopologyServed,
  KAI_TOPOLOGY_CRD,
  type KaiTopology,
  type TopologyAction,
  type TopologyEvent,
} from '../api/status/clustertopology.js';
import type { SchedulerTopologyStatus } from '../api/generated/types.js';
import { statusChanged } from '../api/status/index.js';
import { CONDITION_SCHEDULER_TOPOLOGY_DRIFT } from '../api/keys.js';
import { FIELD_MANAGERS, type DynamicClient, type ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import type { ControllerContext } from './context.js';
import { Controller, type ReconcileResult, type Reconciler } from './runtime/controller.js';
import type { Informer } from './runtime/informer.js';
import type { Manager } from './runtime/manager.js';
import { keyOf } from './runtime/store.js';

/** How often a binding is checked again while KAI is installed. */
export const KAI_RECHECK_MS = 30_000;
/** How soon a pass whose write or read failed is retried. */
const RETRY_MS = 5_000;
function involved(ctb: ClusterTopologyBinding): ObjectLike {
  return { ...ctb, apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding' };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ClusterTopologyReconciler implements Reconciler {
  private readonly client: DynamicClient;
  /**
   * The drift status last written per binding uid: the cache can lag behind the write, and a pass on
   * the stale object must not announce the same transition twice.
   */
  private readonly announced = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly crds: Informer<CustomResourceDefinition>,
  ) {
    this.client = ctx.client.as(FIELD_MANAGERS.topology);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const ctb = this.ctx.informers.ctbs.store.get(key);
    // Gone or going: KAI Topologies it owns go with it (garbage collection).
    if (!ctb || ctb.metadata.deletionTimestamp) return this.forget();
    const served = kaiTopologyServed(this.crds.store.list());
    const fetched = new Map<string, KaiTopology | undefined>();
    if (served) for (const name of kaiTopologyNames(ctb)) fetched.set(name, await this.client.tryGet(RESOURCES.kaiTopologies, name, undefined, { signal }));
    const decided = decideBackendTopologies(ctb, { served, topology: (n) => fetched.get(n) });

    const { statuses, reconciled } = await this.run(ctb, decided.actions, decided.statuses, log, signal);
    const { status, event } = clusterTopologyStatus(ctb, { statuses, backendUnavailable: decided.backendUnavailable }, reconciled, this.ctx.now().toISOString());
    if (statusChanged(ctb.status, status)) {
      await this.client.applyStatus(RESOURCES.clusterTopologyBindings, { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: ctb.metadata.name }, status } as ClusterTopologyBinding, {
        signal,
      });
    }
    this.announce(ctb, status.conditions?.find((c) => c.type === CONDITION_SCHEDULER_TOPOLOGY_DRIFT)?.status, event);
    if (!reconciled) return { requeueAfterMs: RETRY_MS };
    return served ? { requeueAfterMs: KAI_RECHECK_MS } : undefined;
  }

  /** Runs the actions in order; a failed one leaves its topology out of sync with the error. */
  private async run(ctb: ClusterTopologyBinding, actions: readonly TopologyAction[], decided: SchedulerTopologyStatus[], log: Logger, signal: AbortSignal): Promise<{ statuses: SchedulerTopologyStatus[]; reconciled: boolean }> {
    let statuses = decided;
    let reconciled = true;
    for (const action of actions) {
      const name = action.topology.metadata.name ?? '';
      const created = action.kind === 'create';
      try {
        if (!created) await this.client.delete(RESOURCES.kaiTopologies, name, undefined, { uid: action.uid, signal });
        await this.client.create(RESOURCES.kaiTopologies, action.topology, { signal });
        log.info({ topology: name, action: action.kind }, created ? 'created KAI Topology' : 'recreated KAI Topology with the new levels');
        this.ctx.events.record(involved(ctb), 'Normal', created ? 'BackendTopologyCreated' : 'BackendTopologyRecreated', `KAI Topology ${name} ${created ? 'created' : 'recreated with the new levels'}`);
      } catch (err) {
        if (signal.aborted) throw err;
        reconciled = false;
        statuses = actionFailed(statuses, action, `failed to ${action.kind} KAI Topology ${name}: ${messageOf(err)}`);
        log.warn({ topology: name, err: messageOf(err) }, 'could not sync KAI Topology');
      }
    }
    return { statuses, reconciled };
  }

  /** Drops what was announced for bindings that are gone. */
  private forget(): void {
    const live = new Set(this.ctx.informers.ctbs.store.list().map((c) => c.metadata.uid));
    for (const uid of this.announced.keys()) if (!live.has(uid)) this.announced.delete(uid);
  }

  private announce(ctb: ClusterTopologyBinding, drift: string | undefined, event: TopologyEvent | undefined): void {
    const uid = ctb.metadata.uid ?? '';
    const was = this.announced.get(uid);
    if (drift === undefined) this.announced.delete(uid);
    else this.announced.set(uid, drift);
    if (event && was !== drift) this.ctx.events.record(involved(ctb), event.type, event.reason, event.message);
  }
}

/** Registers the controller; bindings wake it, and so does KAI's Topology CRD coming or going. */
export function registerClusterTopologyController(manager: Manager, ctx: ControllerContext, log: Logger): Controller {
  const crds = manager.informers.informer(RESOURCES.customResourceDefinitions, { fieldSelector: `metadata.name=${KAI_TOPOLOGY_CRD}` });
  const controller = new Controller(new ClusterTopologyReconciler(ctx, crds), {
    name: 'clustertopologybinding',
    concurrency: 1,
    initialKeys: () => ctx.informers.ctbs.store.keys(),
    log,
  });
  manager.add(controller);
  const every = () => {
    for (const k of ctx.informers.ctbs.store.keys()) controller.enqueue(k);
  };
  ctx.informers.ctbs.on({ add: (c) => controller.enqueue(keyOf(c)), update: (_o, c) => controller.enqueue(keyOf(c)), delete: (c) => controller.enqueue(keyOf(c)) });
  crds.on({ add: every, update: every, delete: every });
  return controller;
}
