// The DynamoGraphDeployment controller: what Dynamo's operator does on its Grove path
// (dynamo-dgd.md §2), with copse's own PodCliqueSet controller in Grove's place. Each pass translates
// the DGD (api/dynamo/translate.ts, pure), applies the PodCliqueSet and the frontend Service it owns
// under its own field manager, sets every service's replicas through the PodClique or
// PodCliqueScalingGroup /scale subresource (§2.10), and writes the DGD status from those objects
// (§2.12). A DGD the translation refuses gets state failed and the field errors in its Ready
// condition, and nothing is applied: never a partial deployment. Deletion is the garbage
// collector's: everything made here carries the DGD as controller owner.
import type { Logger } from 'pino';
import type { Service } from '../api/core/wire.js';
import {
  CONDITION_READY,
  LABEL_GRAPH_DEPLOYMENT_NAME,
  REASON_INVALID_SPEC,
  REASON_NAME_CONFLICT,
  dynamoGraphDeploymentStatus,
  pendingScales,
  translateDynamoGraphDeployment,
  type ScaleTarget,
} from '../api/dynamo/index.js';
import { formatFieldErrors } from '../api/field-errors.js';
import type { Condition, DynamoGraphDeployment, PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../api/generated/types.js';
import { DYNAMO_API_VERSION } from '../api/kinds.js';
import { statusChanged } from '../api/status/index.js';
import { FIELD_MANAGERS, type DynamicClient, type ObjectLike } from '../kube/dynamic.js';
import { KubeError } from '../kube/errors.js';
import { RESOURCES, objectKey, type Resource } from '../kube/resources.js';
import { applyIfChanged, applyReason } from './apply.js';
import { type ControllerContext, INDEX_PART_OF, pcsKeyOf } from './context.js';
import { Controller, type ReconcileResult, type Reconciler } from './runtime/controller.js';
import type { Informer } from './runtime/informer.js';
import type { Manager } from './runtime/manager.js';
import { keyOf } from './runtime/store.js';

const KIND = 'DynamoGraphDeployment';
const CONCURRENCY = 2;

interface DynamoInformers {
  dgd: Informer<DynamoGraphDeployment>;
  /** Only the Services this controller made (they carry the graph label). */
  services: Informer<Service>;
  pcs: Informer<PodCliqueSet>;
  pclq: Informer<PodClique>;
  pcsg: Informer<PodCliqueScalingGroup>;
}

function involved(dgd: DynamoGraphDeployment): ObjectLike {
  return { ...dgd, apiVersion: DYNAMO_API_VERSION, kind: KIND };
}

function ownedBy(obj: ObjectLike, dgd: DynamoGraphDeployment): boolean {
  return obj.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === dgd.metadata.uid) ?? false;
}

/**
 * The frontend Service as translated, labelled with the graph name so the controller can watch just
 * the Services it made (Dynamo's walkthrough-era operator sets no labels on it).
 */
export function labelledService(svc: Service, dgdName: string): Service {
  return { ...svc, metadata: { ...svc.metadata, labels: { ...svc.metadata?.labels, [LABEL_GRAPH_DEPLOYMENT_NAME]: dgdName } } };
}

export class DynamoGraphDeploymentReconciler implements Reconciler {
  private readonly client: DynamicClient;
  /**
   * The Ready status last written per DGD key (with the uid it was written for): the cache can lag
   * behind a write, and a second pass on the stale object must not announce the transition again.
   */
  private readonly written = new Map<string, { uid: string; ready: string }>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly informers: DynamoInformers,
  ) {
    this.client = ctx.client.as(FIELD_MANAGERS.dynamo);
  }

  async reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void> {
    const dgd = this.informers.dgd.store.get(key);
    // Gone or going: the garbage collector removes what it owns.
    if (!dgd || dgd.metadata.deletionTimestamp) {
      this.written.delete(key);
      return;
    }
    const translation = translateDynamoGraphDeployment(dgd);
    if (!translation.ok) {
      const message = formatFieldErrors(translation.errors);
      this.ctx.events.record(involved(dgd), 'Warning', 'InvalidSpec', message);
      await this.writeStatus(dgd, signal, { reason: REASON_INVALID_SPEC, message });
      return;
    }
    const conflict = await this.applyOwned(dgd, translation.podCliqueSet, translation.services, log, signal);
    if (conflict) {
      this.ctx.events.record(involved(dgd), 'Warning', 'NameConflict', conflict);
      await this.writeStatus(dgd, signal, { reason: REASON_NAME_CONFLICT, message: conflict });
      return;
    }
    const namespace = dgd.metadata.namespace ?? '';
    for (const t of pendingScales(dgd, (kind, name) => this.currentReplicas(namespace, kind, name))) await this.scale(dgd, t, log, signal);
    await this.writeStatus(dgd, signal);
  }

  /** Applies the PodCliqueSet and the Services where the cache differs; a conflict message when another owner holds the name. */
  private async applyOwned(dgd: DynamoGraphDeployment, want: PodCliqueSet, services: readonly Service[], log: Logger, signal: AbortSignal): Promise<string | undefined> {
    const namespace = dgd.metadata.namespace ?? '';
    const name = want.metadata.name ?? '';
    const have = this.informers.pcs.store.getByName(namespace, name);
    if (have && !ownedBy(have, dgd)) return `PodCliqueSet ${namespace}/${name} exists and is not owned by this DynamoGraphDeployment; delete or rename it`;
    const pcs = await applyIfChanged(this.client, RESOURCES.podCliqueSets, want, have, signal);
    if (pcs.changed) {
      log.info({ podCliqueSet: name, reason: applyReason(want, have) }, have ? 'updated PodCliqueSet' : 'created PodCliqueSet');
      this.ctx.events.record(involved(dgd), 'Normal', have ? 'UpdatedPodCliqueSet' : 'CreatedPodCliqueSet', `PodCliqueSet ${name}`);
    }
    for (const s of services) {
      const conflict = await this.applyService(dgd, labelledService(s, dgd.metadata.name ?? ''), signal);
      if (conflict) return conflict;
    }
    return undefined;
  }

  private async applyService(dgd: DynamoGraphDeployment, svc: Service, signal: AbortSignal): Promise<string | undefined> {
    const namespace = dgd.metadata.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const existing = this.informers.services.store.getByName(namespace, name);
    if (existing && !ownedBy(existing, dgd)) return `Service ${namespace}/${name} exists and is not owned by this DynamoGraphDeployment; delete or rename it`;
    const res = await applyIfChanged(this.client, RESOURCES.services, svc, existing, signal);
    if (res.changed && !existing) this.ctx.events.record(involved(dgd), 'Normal', 'CreatedService', `Service ${name}`);
    return undefined;
  }

  private currentReplicas(namespace: string, kind: ScaleTarget['kind'], name: string): number | undefined {
    const inf = kind === 'PodClique' ? this.informers.pclq : this.informers.pcsg;
    return inf.store.getByName(namespace, name)?.spec.replicas;
  }

  /** Through /scale, as Dynamo's operator does: Grove keeps an existing PodClique's replicas when only the template changes. */
  private async scale(dgd: DynamoGraphDeployment, t: ScaleTarget, log: Logger, signal: AbortSignal): Promise<void> {
    const r: Resource = t.kind === 'PodClique' ? RESOURCES.podCliques : RESOURCES.podCliqueScalingGroups;
    const from = this.currentReplicas(dgd.metadata.namespace ?? '', t.kind, t.name);
    try {
      await this.client.patch(r, t.name, dgd.metadata.namespace, { spec: { replicas: t.replicas } }, { subresource: 'scale', type: 'merge', signal });
    } catch (err) {
      // Deleted meanwhile: the next pass sees its successor (Dynamo's operator ignores NotFound too).
      if (err instanceof KubeError && err.kind === 'NotFound') return;
      throw err;
    }
    log.info({ kind: t.kind, name: t.name, from, to: t.replicas }, 'scaled');
    this.ctx.events.record(involved(dgd), 'Normal', 'Scaled', `${t.kind} ${t.name} (service ${t.service}) scaled from ${from ?? '?'} to ${t.replicas} replicas`);
  }

  private async writeStatus(dgd: DynamoGraphDeployment, signal: AbortSignal, error?: { reason: string; message: string }): Promise<void> {
    const ix = objectKey(dgd.metadata.namespace, dgd.metadata.name ?? '');
    const status = dynamoGraphDeploymentStatus({
      dgd,
      podCliques: this.informers.pclq.store.byIndex(INDEX_PART_OF, ix),
      scalingGroups: this.informers.pcsg.store.byIndex(INDEX_PART_OF, ix),
      ...(error ? { error } : {}),
      now: this.ctx.now().toISOString(),
    });
    if (!statusChanged(dgd.status, status)) return;
    await this.client.applyStatus(
      RESOURCES.dynamoGraphDeployments,
      { apiVersion: DYNAMO_API_VERSION, kind: KIND, metadata: { name: dgd.metadata.name, namespace: dgd.metadata.namespace }, status } as DynamoGraphDeployment,
      { signal },
    );
    this.announceReady(dgd, ix, status.conditions?.find((c) => c.type === CONDITION_READY));
  }

  /** An event when Ready turns True, or turns False after having been True. */
  private announceReady(dgd: DynamoGraphDeployment, key: string, is: Condition | undefined): void {
    const uid = dgd.metadata.uid ?? '';
    const mine = this.written.get(key);
    const was = mine?.uid === uid ? mine.ready : dgd.status?.conditions?.find((c) => c.type === CONDITION_READY)?.status;
    if (!is || is.status === was) return;
    this.written.set(key, { uid, ready: is.status });
    if (is.status === 'True') this.ctx.events.record(involved(dgd), 'Normal', 'Ready', is.message ?? '');
    else if (was === 'True') this.ctx.events.record(involved(dgd), 'Warning', 'NotReady', is.message ?? '');
  }
}

/** True when the cluster serves the DynamoGraphDeployment CRD (its informer could not sync otherwise). */
export async function dynamoCrdServed(client: DynamicClient, signal?: AbortSignal): Promise<boolean> {
  const r = RESOURCES.dynamoGraphDeployments;
  try {
    const res = await client.http.request({ method: 'GET', path: `/apis/${r.group}/${r.version}`, ...(signal ? { signal } : {}) });
    const list = res.body as { resources?: { name?: string }[] } | undefined;
    return list?.resources?.some((x) => x.name === r.resource) ?? false;
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'NotFound') return false;
    throw err;
  }
}

/** Replica counts the DGD status reads; other PodClique/PodCliqueScalingGroup updates cannot change it. */
function replicaView(o: PodClique | PodCliqueScalingGroup): string {
  const st = o.status as { readyReplicas?: number; availableReplicas?: number } | undefined;
  return `${o.spec.replicas}/${st?.readyReplicas ?? ''}/${st?.availableReplicas ?? ''}`;
}

/** Registers the DGD controller on `manager`, sharing the PodCliqueSet controllers' caches. */
export function registerDynamoController(manager: Manager, ctx: ControllerContext, log: Logger): Controller {
  const informers: DynamoInformers = {
    dgd: manager.informers.informer(RESOURCES.dynamoGraphDeployments),
    services: manager.informers.informer(RESOURCES.services, { labelSelector: LABEL_GRAPH_DEPLOYMENT_NAME }),
    pcs: ctx.informers.pcs,
    pclq: ctx.informers.pclq,
    pcsg: ctx.informers.pcsg,
  };
  const controller = new Controller(new DynamoGraphDeploymentReconciler(ctx, informers), {
    name: 'dynamographdeployment',
    concurrency: CONCURRENCY,
    initialKeys: () => informers.dgd.store.keys(),
    log,
  });
  manager.add(controller);
  // The PodCliqueSet is named after the DGD, and its children carry the PodCliqueSet's name as part-of.
  const wake = (k: string | undefined) => {
    if (k && informers.dgd.store.get(k)) controller.enqueue(k);
  };
  const any = <T>(fn: (o: T) => void) => ({ add: fn, update: (_o: T, n: T) => fn(n), delete: fn });
  informers.dgd.on(any((d: DynamoGraphDeployment) => controller.enqueue(keyOf(d))));
  informers.pcs.on(any((p: PodCliqueSet) => wake(keyOf(p))));
  informers.services.on(any((s: Service) => wake(objectKey(s.metadata?.namespace, s.metadata?.labels?.[LABEL_GRAPH_DEPLOYMENT_NAME] ?? ''))));
  for (const inf of [informers.pclq, informers.pcsg] as Informer<PodClique | PodCliqueScalingGroup>[]) {
    inf.on({
      add: (o) => wake(pcsKeyOf(o)),
      update: (old, o) => {
        if (replicaView(old) !== replicaView(o)) wake(pcsKeyOf(o));
      },
      delete: (o) => wake(pcsKeyOf(o)),
    });
  }
  return controller;
}
