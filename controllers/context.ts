// What every copse controller shares: the informers it reads (created once in the manager's
// factory), the client it writes with (field manager copse-controller), expectations, events and
// the operator configuration. Child objects map back to their PodCliqueSet through Grove's
// `app.kubernetes.io/part-of` label, so one index answers "all children of this PCS".
import type { Logger } from 'pino';
import type { Node, Pod, HorizontalPodAutoscaler, Role, RoleBinding, Secret, Service, ServiceAccount } from '../api/core/wire.js';
import type { ClusterTopologyBinding, PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../api/index.js';
import { LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG, MANAGED_BY_VALUE } from '../api/keys.js';
import type { SchedulerBackend } from '../api/desired/index.js';
import type { DynamicClient, ObjectLike } from '../kube/dynamic.js';
import { RESOURCES, objectKey } from '../kube/resources.js';
import type { EventRecorder } from './runtime/events.js';
import { Expectations } from './runtime/expectations.js';
import type { InformerFactory } from './runtime/factory.js';
import type { Informer } from './runtime/informer.js';
import { byLabel } from './runtime/store.js';
import { defaultPodCliqueSet } from '../api/rules/podcliqueset/defaults.js';

export const INDEX_PART_OF = 'part-of';
export const INDEX_PODCLIQUE = 'podclique';
export const INDEX_PODGANG = 'podgang';

const MANAGED = `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`;

export interface ControllerConfig {
  /** Reject or honour topology constraints (copse serve --topology-aware-scheduling). */
  topologyAwareScheduling: boolean;
  defaultSchedulerName: string;
  backends: readonly SchedulerBackend[];
  /** Worker counts per controller. */
  concurrency: { podCliqueSet: number; podClique: number; scalingGroup: number; podGang: number; gates: number };
}

export interface Informers {
  pcs: Informer<PodCliqueSet>;
  pclq: Informer<PodClique>;
  pcsg: Informer<PodCliqueScalingGroup>;
  podGangs: Informer<PodGang>;
  pods: Informer<Pod>;
  services: Informer<Service>;
  serviceAccounts: Informer<ServiceAccount>;
  roles: Informer<Role>;
  roleBindings: Informer<RoleBinding>;
  secrets: Informer<Secret>;
  hpas: Informer<HorizontalPodAutoscaler>;
  ctbs: Informer<ClusterTopologyBinding>;
  /** Whether a terminating pod's node is still there and Ready (stuck-pods.ts). */
  nodes: Informer<Node>;
}

export interface ControllerContext {
  client: DynamicClient;
  informers: Informers;
  expectations: Expectations;
  events: EventRecorder;
  config: ControllerConfig;
  log: Logger;
  now: () => Date;
}

/** The informers the controllers read; managed children are filtered by Grove's managed-by label. */
export function controllerInformers(factory: InformerFactory): Informers {
  const inf: Informers = {
    pcs: factory.informer(RESOURCES.podCliqueSets),
    pclq: factory.informer(RESOURCES.podCliques),
    pcsg: factory.informer(RESOURCES.podCliqueScalingGroups),
    podGangs: factory.informer(RESOURCES.podGangs),
    // Unfiltered: the scheduler extender counts every pod on a node.
    pods: factory.informer(RESOURCES.pods),
    services: factory.informer(RESOURCES.services, { labelSelector: MANAGED }),
    serviceAccounts: factory.informer(RESOURCES.serviceAccounts, { labelSelector: MANAGED }),
    roles: factory.informer(RESOURCES.roles, { labelSelector: MANAGED }),
    roleBindings: factory.informer(RESOURCES.roleBindings, { labelSelector: MANAGED }),
    // Filtered: copse never caches Secrets it does not manage.
    secrets: factory.informer(RESOURCES.secrets, { labelSelector: MANAGED }),
    hpas: factory.informer(RESOURCES.hpas, { labelSelector: MANAGED }),
    ctbs: factory.informer(RESOURCES.clusterTopologyBindings),
    // Shared with the scheduler extender's informer (same resource and scope).
    nodes: factory.informer(RESOURCES.nodes),
  };
  for (const i of partOfInformers(inf)) {
    i.store.addIndex(INDEX_PART_OF, byLabel(LABEL_PART_OF));
  }
  inf.pods.store.addIndex(INDEX_PODCLIQUE, byLabel(LABEL_PODCLIQUE));
  inf.pods.store.addIndex(INDEX_PODGANG, byLabel(LABEL_PODGANG));
  inf.pclq.store.addIndex(INDEX_PODGANG, byLabel(LABEL_PODGANG));
  return inf;
}

/** Every informer of a PodCliqueSet's children: all carry the part-of label, so one index finds them. */
export function partOfInformers(inf: Informers): Informer<ObjectLike>[] {
  return [inf.pclq, inf.pcsg, inf.podGangs, inf.pods, inf.services, inf.serviceAccounts, inf.roles, inf.roleBindings, inf.hpas, inf.secrets] as Informer<ObjectLike>[];
}

/**
 * What a PodCliqueSet pass reads from the caches, as one string: the PodCliqueSet's resourceVersion,
 * its topology binding's, and the revision of its bucket in every child informer. Equal fingerprints
 * mean equal inputs, hence (the desired tree being a pure function of them) an equal outcome.
 */
export function pcsInputFingerprint(inf: Informers, pcs: PodCliqueSet, binding: ClusterTopologyBinding | undefined): string {
  const ix = objectKey(pcs.metadata.namespace, pcs.metadata.name ?? '');
  const parts = [pcs.metadata.resourceVersion ?? '', binding?.metadata?.resourceVersion ?? '-'];
  for (const i of partOfInformers(inf)) parts.push(String(i.store.revision(INDEX_PART_OF, ix)));
  return parts.join('/');
}

/**
 * Whether a PodCliqueSet pass may be remembered under its input fingerprint: it wrote nothing, and it
 * waits for no deadline. A deadline is decided from the clock, not from the inputs, so a remembered
 * pass would swallow the very pass its requeue schedules (the recycle at terminationDelay).
 */
export function quietPass(pass: { writes: number; requeueAfterMs: number | undefined }): boolean {
  return pass.writes === 0 && pass.requeueAfterMs === undefined;
}

/** `ns/<pcs>` for an object that carries Grove's managed-by and part-of labels. */
export function pcsKeyOf(obj: ObjectLike): string | undefined {
  const labels = obj.metadata?.labels;
  if (labels?.[LABEL_MANAGED_BY] !== MANAGED_BY_VALUE) return undefined;
  const pcs = labels[LABEL_PART_OF];
  return pcs ? objectKey(obj.metadata?.namespace, pcs) : undefined;
}

/** The key of the object's controller owner of `kind`, if any. */
export function ownerKeyOf(obj: ObjectLike, kind: string): string | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === kind);
  return ref ? objectKey(obj.metadata?.namespace, ref.name) : undefined;
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after all settle. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

export function newExpectations(): Expectations {
  return new Expectations();
}

const defaulted = new WeakMap<PodCliqueSet, PodCliqueSet>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The cached PodCliqueSet with Grove's defaults, computed once per cached version (the informer
 * replaces the object on every change, so the object itself is the key). Every PodClique and scaling
 * group pass reads its PodCliqueSet, and defaulting a clone each time cost more CPU during a
 * 1,000-pod deploy than any reconciler's own logic. Frozen: a caller that wants to change it copies.
 */
export function defaultedPodCliqueSet(stored: PodCliqueSet): PodCliqueSet {
  let pcs = defaulted.get(stored);
  if (!pcs) {
    pcs = deepFreeze(defaultPodCliqueSet(structuredClone(stored)));
    defaulted.set(stored, pcs);
  }
  return pcs;
}
